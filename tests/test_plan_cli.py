"""scripts/plan.py: in-process for the logic, one subprocess run per stack file end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from faas_tools.offline import stack_names
from faas_tools.offline.cli import main

ROOT = Path(__file__).resolve().parent.parent
PLAN = [sys.executable, str(ROOT / "scripts" / "plan.py")]


@pytest.mark.parametrize("stack", stack_names())
def test_every_stack_file_plans_end_to_end(stack, tmp_path):
    out = tmp_path / f"{stack}.json"
    proc = subprocess.run(
        [*PLAN, stack, "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    doc = json.loads(out.read_text())
    assert doc["stack"] == stack and doc["changeSummary"]["create"] == len(doc["steps"])
    for step in doc["steps"]:
        state = step["newState"]
        assert step["op"] == "create" and state["urn"] == step["urn"]
        assert {"type", "parent", "inputs", "outputs", "dependencies"} <= set(state)
    assert f"== {stack}:" in proc.stdout


def test_broken_stack_file_exits_2_with_every_problem(tmp_path):
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    text = (ROOT / "stacks" / "Pulumi.dev-blue.yaml").read_text()
    text = text.replace("cidr: 10.10.0.0/16", "cidr: 10.10.0.0/33")
    text = text.replace("natStrategy: single", "natStrategy: sometimes")
    text = text.replace("maxSize: 3\n      desiredSize: 2", "maxSize: 3\n      desiredSize: 7")
    (stacks / "Pulumi.dev-blue.yaml").write_text(text)
    proc = subprocess.run(
        [*PLAN, "dev-blue", "--stacks-dir", str(stacks)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    for expected in (
        "faas:network.cidr: 10.10.0.0/33 is not a CIDR",
        "faas:network.natStrategy: 'sometimes' is not one of perAz, single",
        "faas:nodeGroups.system.desiredSize: 7 is outside",
    ):
        assert expected in proc.stderr


def test_unknown_stack_exits_2(capsys):
    assert main(["nosuch-blue"]) == 2
    assert "no stack file" in capsys.readouterr().err


def test_default_is_the_dev_environment(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("== ")] == [
        "== dev",
        "== dev-blue",
        "== dev-green",
    ]
