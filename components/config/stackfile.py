"""Stack files on disk: where they live, reading one, and finding a colour's sibling.

The program itself gets its config from the engine; these readers serve the offline planner, the
commands and the program's one cross-file check (blue's VPC range against green's). Here only the
file's shape is checked (one YAML mapping of plain values with a `config:` mapping; anything else
is a `StackFileError` naming the file); the values are validated by `components.config.load`, so
every config problem is reported the same way.
"""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from components import naming
from components.config import aws
from components.config.reader import shown

# What a Pulumi stack file may hold at the top (https://www.pulumi.com/docs/iac/concepts/projects/
# stack-settings-file/); only `config` is read here.
TOP_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")
MAX_DEPTH = 32  # config values are a few levels deep; far deeper is a broken file


class StackFileError(Exception):
    """A file that is not a readable Pulumi stack file; the message names the file and why."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: Pulumi keeps `2024-01-01` a string, and so do we
    (a date object would not survive the engine's JSON either)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# `stackConfigDir` in Pulumi.yaml; FAAS_STACKS_DIR points the program at another folder (the
# offline planner's --stacks-dir, tests with deliberately broken stacks).
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "stacks"


def stacks_dir() -> Path:
    return Path(os.environ.get("FAAS_STACKS_DIR") or DEFAULT_DIR)


def path_of(stack: str, where: Path | None = None) -> Path:
    return (where or stacks_dir()) / f"Pulumi.{stack}.yaml"


def stack_names(where: Path | None = None) -> list[str]:
    folder = where or stacks_dir()
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))


def read_stack_file(stack: str, where: Path | None = None) -> dict[str, Any] | None:
    """The `config:` mapping of a stack file; None when the file does not exist.

    Raises `StackFileError` for a file that is not one YAML mapping of plain values with a
    `config:` mapping: the config reader then only ever sees data shaped like a stack's config.
    """
    path = path_of(stack, where)
    try:
        if not path.exists():
            return None
        data = path.read_bytes()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise StackFileError(path, f"cannot be read: {reason}") from None
    return parse_stack_text(path, data)


def parse_stack_text(path: Path, data: bytes) -> dict[str, Any]:
    """The `config:` mapping of a stack file's bytes (`path` only names it in messages).

    A plan reads each file several times (checks, the sibling colour, the environment's
    colours); YAML is parsed once per content, each caller gets its own copy."""
    return copy.deepcopy(_parsed(str(path), data))


@lru_cache(maxsize=32)
def _parsed(path: str, data: bytes) -> dict[str, Any]:
    return _parse_stack_text(Path(path), data)


def _parse_stack_text(path: Path, data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StackFileError(
            path, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        raise StackFileError(path, _yaml_problem(exc)) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise StackFileError(path, f"is not valid YAML: {shown(str(exc), plain=True)}") from None
    if len(docs) > 1:
        raise StackFileError(
            path, f"holds {len(docs)} YAML documents (separated by ---); a stack file is one"
        )
    doc = docs[0] if docs else None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise StackFileError(
            path, f"is a {_kind(doc)} at the top; a stack file is a mapping with a config: key"
        )
    for key in doc:
        if key not in TOP_KEYS:
            hint = aws.suggest(key, TOP_KEYS) or f" (a stack file has {', '.join(TOP_KEYS)})"
            raise StackFileError(path, f"unknown top-level key {shown(key)}{hint}")
    config = doc.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackFileError(
            path, f"config: is a {_kind(config)}; it must map <namespace>:<name> keys to values"
        )
    _check_plain(path, config)
    return config


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = " ".join(p for p in (exc.context, exc.problem) if p)
    if "'\\t'" in problem:
        problem += " (indent with spaces, not tabs)"
    if "constructor for the tag" in problem:
        problem += " (stack files hold plain values, no YAML tags)"
    if len(problem) > 200:
        problem = problem[:199] + "…"
    return f"is not valid YAML{where}: {problem}"


def _kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


def _check_plain(path: Path, config: dict[Any, Any]) -> None:
    """Only what the engine can pass on (strings, numbers, booleans, null, lists, mappings with
    string keys), not too deep; checked without recursion so no input can overflow the stack."""
    for key in config:
        if not isinstance(key, str):
            raise StackFileError(path, f"config: key {shown(key)} is not a string (quote it)")
    todo: list[tuple[Any, str, int]] = [(v, k, 1) for k, v in config.items()]
    while todo:
        value, where, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise StackFileError(path, f"config {where}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    raise StackFileError(
                        path, f"config {where}: key {shown(k)} is not a string (quote it)"
                    )
                todo.append((v, f"{where}.{shown(k, plain=True)}", depth + 1))
        elif isinstance(value, list):
            todo.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
        elif not (value is None or isinstance(value, str | int | float | bool)):
            raise StackFileError(
                path, f"config {where}: a {type(value).__name__} value is not a config value"
            )


def sibling_config(stack: str, where: Path | None = None) -> dict[str, Any] | None:
    """The other colour's stack file, so blue and green can be checked against each other."""
    env, color = naming.parse_stack_name(stack)
    if color is None:
        return None
    other = next(c for c in naming.COLORS if c != color)
    return read_stack_file(naming.stack_name(env, other), where)


def colour_configs(stack: str, where: Path | None = None) -> dict[str, dict[str, Any] | None]:
    """Both colours' stack files of an environment stack (None for a missing one); {} for a
    colour stack. The environment stack owns the registry of the teams the colours configure."""
    env, color = naming.parse_stack_name(stack)
    if color is not None:
        return {}
    return {c: read_stack_file(naming.stack_name(env, c), where) for c in naming.COLORS}
