"""Every shipped stack plans offline with zero mandatory policy violations."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import check as policycheck
from tests.support.plans import document as plan  # what `faas plan --json` writes

ROOT = Path(__file__).resolve().parent.parent
STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml")
    for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)


def test_there_are_stacks_to_check() -> None:
    assert STACKS, "no stacks/Pulumi.<stack>.yaml files found"


@pytest.mark.parametrize("stack", STACKS)
def test_stack_has_no_mandatory_violation(stack: str) -> None:
    report = policycheck.check_document(plan(stack))
    mandatory = [v for v in report.violations if v.level == "mandatory" and not v.deferred]
    assert report.resources > 0, f"{stack} planned no resources"
    assert not mandatory, policycheck.format_report(report)
