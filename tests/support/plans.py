"""Offline plans of the shipped stacks for tests, computed once per test process."""

from __future__ import annotations

from functools import cache
from typing import Any

from faas.plan import run_plan


@cache
def plan(stack: str) -> dict[str, Any]:
    """The preview-shaped document of a shipped stack (the program really ran, preview=False)."""
    return run_plan(stack)


def states(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [s["newState"] for s in doc["steps"] if s["newState"]["type"] == type_]


def one(doc: dict[str, Any], type_: str, name: str) -> dict[str, Any]:
    found = [s for s in states(doc, type_) if s["urn"].endswith(f"::{name}")]
    assert len(found) == 1, f"expected one {type_} named {name}, found {len(found)}"
    return found[0]


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]
