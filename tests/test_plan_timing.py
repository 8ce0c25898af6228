"""The plan benchmark's logic (benchmarks/plan_timing.py), without timing anything."""

from __future__ import annotations

from pathlib import Path

from benchmarks.plan_timing import Case, floor_code, floor_modules, paired
from faas.plan.batch import SDK_MODULES


def test_floor_is_the_cluster_stacks_sdk_modules():
    assert set(floor_modules()) == set(SDK_MODULES) - {"pulumi_aws.ecr"}
    stubs = floor_code(load=False)
    assert stubs.startswith("import pulumi, ") and "getattr" not in stubs
    loaded = floor_code(load=True)
    assert "getattr(importlib.import_module(m)" in loaded  # a lazy module loads on an attribute
    for module in floor_modules():
        assert repr(module) in loaded


def test_ratios_are_medians_of_the_paired_rounds():
    a = Case("a", [], Path("."), cpu=[2.0, 9.0, 3.0], wall=[1.0, 1.0, 1.0])
    b = Case("b", [], Path("."), cpu=[1.0, 3.0, 2.0], wall=[2.0, 4.0, 1.0])
    assert paired(a, b) == 2.0  # rounds: 2.0, 3.0, 1.5 (the medians' ratio would be 1.5)
    assert paired(a, b, "wall") == 0.5
