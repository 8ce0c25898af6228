"""Offline plans of the shipped stacks for tests, computed once per test process.

`plan(stack)` holds what the program computed, with the values the planner's mocks made up in
place (ids, ARNs): for tests about the program (a policy JSON built from an ARN, a DS record
from a key). `document(stack)` is the same run as `faas plan --json` writes it, where what a real
preview would not know yet is the unknown sentinel (faas/plan/unknowns.py): for tests of what
reads the documents (the policy check, checkov, the report, the plan format).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from faas.plan import plan_documents


@cache
def _both(stack: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return plan_documents(stack)


def plan(stack: str) -> dict[str, Any]:
    """A shipped stack's plan (the program really ran, preview=False), with the mocks' values."""
    return _both(stack)[1]


def document(stack: str) -> dict[str, Any]:
    """The same plan as `faas plan --json` writes it: unknowns as a preview shows them."""
    return _both(stack)[0]


def states(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [s["newState"] for s in doc["steps"] if s["newState"]["type"] == type_]


def one(doc: dict[str, Any], type_: str, name: str) -> dict[str, Any]:
    found = [s for s in states(doc, type_) if s["urn"].endswith(f"::{name}")]
    assert len(found) == 1, f"expected one {type_} named {name}, found {len(found)}"
    return found[0]


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]
