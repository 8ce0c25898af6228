"""Reading a preview document and checking its shape before any rule sees it.

`faas check` and `faas plan --against` take a file someone else wrote: `pulumi preview --json`
output, a plan of ours, or anything a hurried operator passes by mistake. `load_preview` turns
every way that can go wrong (unreadable, not UTF-8, not JSON, nested absurdly deep, not shaped
like a preview: steps that are not objects, inputs that are not mappings, dependencies that are
not lists of URNs) into one `InputError` that names the file and the JSON paths, so the rules only
ever see the shape they were written for (docs/plan-format.md). Checks are iterative: no input can
exhaust Python's recursion limit here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAX_DEPTH = 64  # real property values are a handful of levels deep
MAX_LISTED = 8
MAX_SHOWN = 60


# What "resources" means in every count the tools print (plan summary, picture, policy line,
# review, README tables): the custom resources AWS and Kubernetes create. Components (grouping
# only) and providers (plugin configuration) are steps of the document but not resources; the
# Stack itself is not a step (it is the parent of the top-level components). docs/report.md.
def is_counted_resource(type_: str, custom: bool) -> bool:
    return bool(custom) and not str(type_).startswith("pulumi:")


def is_component(type_: str, custom: bool) -> bool:
    return not custom and not str(type_).startswith("pulumi:")


def step_counts(doc: Mapping[str, Any]) -> dict[str, int]:
    """{"resources", "components", "providers", "steps"} of the steps that remain after the plan
    (deletions excluded)."""
    out = {"resources": 0, "components": 0, "providers": 0, "steps": 0}
    for step in doc.get("steps") or []:
        state = step.get("newState")
        if not isinstance(state, Mapping) or step.get("op") in GONE_OPS:
            continue
        kind, custom = str(state.get("type", "")), bool(state.get("custom", True))
        out["steps"] += 1
        if is_counted_resource(kind, custom):
            out["resources"] += 1
        elif is_component(kind, custom):
            out["components"] += 1
        elif kind.startswith("pulumi:providers:"):
            out["providers"] += 1
    return out


def describe_counts(counts: Mapping[str, int]) -> str:
    """ "167 resources, 37 components, 1 provider (205 steps)"."""
    plural = {"resources": "resource", "components": "component", "providers": "provider"}
    parts = [
        f"{counts[k]} {k if counts[k] != 1 else one}" for k, one in plural.items() if counts.get(k)
    ]
    return f"{', '.join(parts) or '0 resources'} ({counts.get('steps', 0)} steps)"


# Steps that describe a resource which will not exist after the update.
GONE_OPS = frozenset(
    {
        "delete",
        "delete-replaced",
        "discard",
        "discard-replaced",
        "read-discard",
        "remove-pending-replace",
    }
)


class InputError(Exception):
    """Input the checker cannot use (a preview document, a policy config file); the message
    names it and says what is wrong. The commands exit 2 (refused input) on it."""


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 1]}… ({len(text)} characters)"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", int: "a number"}.get(
        type(value), "a number" if isinstance(value, float) else type(value).__name__
    )


def load_preview(path: str | Path) -> dict[str, Any]:
    """The document at `path`, or `InputError` saying why it is not a usable preview."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{name}: cannot be read: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    return parse_preview(data, name)


def parse_preview(data: bytes, name: str) -> dict[str, Any]:
    if not data.strip():
        raise InputError(f"{name}: is empty; expected a `pulumi preview --json` document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: is not UTF-8 text (offset {exc.start})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise InputError(f"{name}: is nested deeper than any preview document") from None
    problems = shape_problems(doc)
    if problems:
        more = len(problems) - MAX_LISTED
        listed = "; ".join(problems[:MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")
        raise InputError(f"{name}: is not a preview document: {listed}")
    # Absent and null mean the same to every reader: make them one.
    doc["steps"] = doc.get("steps") or []
    doc["config"] = doc.get("config") or {}
    return doc


def _depth_problem(doc: Any) -> str | None:
    todo: list[tuple[Any, int]] = [(doc, 0)]
    while todo:
        value, depth = todo.pop()
        if depth > MAX_DEPTH:
            return f"values are nested deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            todo.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            todo.extend((v, depth + 1) for v in value)
    return None


def _expect(problems: list[str], where: str, value: Any, kinds: tuple[type, ...]) -> bool:
    """Record a problem unless `value` is absent (None) or one of `kinds`; True when usable."""
    if value is None:
        return False
    if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds):
        return True
    names = " or ".join(_kind(k()) for k in kinds)
    problems.append(f"{where} is {_kind(value)}, not {names}")
    return False


def _strings(problems: list[str], where: str, value: Any) -> None:
    if _expect(problems, where, value, (list,)):
        for i, item in enumerate(value):
            if not isinstance(item, str):
                problems.append(f"{where}[{i}] is {_kind(item)}, not a URN string")
                break


def _state_problems(problems: list[str], where: str, state: Mapping[str, Any]) -> None:
    for key in ("urn", "type", "parent", "provider", "id"):
        _expect(problems, f"{where}.{key}", state.get(key), (str,))
    for key in ("custom", "protect"):
        _expect(problems, f"{where}.{key}", state.get(key), (bool,))
    for key in ("inputs", "outputs"):
        _expect(problems, f"{where}.{key}", state.get(key), (dict,))
    for key in ("dependencies", "ignoreChanges"):
        _strings(problems, f"{where}.{key}", state.get(key))
    deps = state.get("propertyDependencies")
    if _expect(problems, f"{where}.propertyDependencies", deps, (dict,)):
        for prop, urns in deps.items():
            _strings(problems, f"{where}.propertyDependencies.{prop}", urns)


def shape_problems(doc: Any) -> list[str]:
    """What keeps `doc` from being read as a preview document (empty when nothing does)."""
    if not isinstance(doc, dict):
        return [f"the document is {_kind(doc)}, not an object with `steps`"]
    if problem := _depth_problem(doc):
        return [problem]
    problems: list[str] = []
    _expect(problems, "stack", doc.get("stack"), (str,))
    _expect(problems, "config", doc.get("config"), (dict,))
    steps = doc.get("steps")
    if not _expect(problems, "steps", steps, (list,)):
        return problems
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        if not isinstance(step, dict):
            problems.append(f"{where} is {_kind(step)}, not an object")
            continue
        for key in ("op", "urn", "provider"):
            _expect(problems, f"{where}.{key}", step.get(key), (str,))
        state = step.get("newState")
        if _expect(problems, f"{where}.newState", state, (dict,)):
            _state_problems(problems, f"{where}.newState", state)
            if not isinstance(state.get("urn") or step.get("urn"), str):
                problems.append(f"{where} has no urn (in the step or its newState)")
    return problems
