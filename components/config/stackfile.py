"""Stack files on disk: where they live, reading one, and finding a colour's sibling.

The program itself gets its config from the engine; these readers serve the offline planner, the
commands and the program's one cross-file check (blue's VPC range against green's). Nothing here
validates: `components.config.load` does, so every problem is reported the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from components import naming

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
    """The `config:` mapping of a stack file; None when the file does not exist."""
    path = path_of(stack, where)
    if not path.exists():
        return None
    return (yaml.safe_load(path.read_text()) or {}).get("config") or {}


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
