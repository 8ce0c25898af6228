"""`faas plan`: in-process for the logic, one run of the installed command end to end.

The in-process runs read the session's plans of the shipped stack files (`shared_plans`,
tests/conftest.py): what is tested here is what the command does with them; the end-to-end run
and the runs on stack files of their own plan for real."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from faas.plan import stack_names
from faas.plan.cli import main

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("shared_plans")
PLAN = [str(Path(sys.executable).parent / "faas"), "plan"]


def test_every_stack_file_plans_end_to_end(tmp_path):
    """The one subprocess run: every shipped stack file, through `faas`, from another cwd."""
    out = tmp_path / "plan"
    proc = subprocess.run(
        [*PLAN, "--all", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    stacks = stack_names()
    assert len(stacks) == 6
    for stack in stacks:
        doc = json.loads((out / f"{stack}.json").read_text())
        assert doc["stack"] == stack and doc["changeSummary"]["create"] == len(doc["steps"])
        assert doc["steps"], stack
        for step in doc["steps"]:
            state = step["newState"]
            assert step["op"] == "create" and state["urn"] == step["urn"]
            assert {"type", "parent", "inputs", "outputs", "dependencies"} <= set(state)
        assert (out / f"{stack}.svg").read_text().startswith("<svg")
        assert (out / f"{stack}.html").read_text().startswith("<!DOCTYPE html>")
        assert f"== {stack}:" in proc.stdout
    # One cost summary per environment, after its stacks.
    assert proc.stdout.count("environment dev: $") == 1
    assert proc.stdout.count("environment prod: $") == 1


def test_broken_stack_file_exits_2_with_every_problem(tmp_path, capsys):
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    text = (ROOT / "stacks" / "Pulumi.dev-blue.yaml").read_text()
    text = text.replace("cidr: 10.10.0.0/16", "cidr: 10.10.0.0/33")
    text = text.replace("natStrategy: single", "natStrategy: sometimes")
    text = text.replace("maxSize: 3\n      desiredSize: 2", "maxSize: 3\n      desiredSize: 7")
    (stacks / "Pulumi.dev-blue.yaml").write_text(text)
    assert main(["dev-blue", "--stacks-dir", str(stacks), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not (tmp_path / "out").exists()  # nothing planned or written
    for expected in (
        "faas:network.cidr: 10.10.0.0/33 is not a CIDR",
        "faas:network.natStrategy: 'sometimes' is not one of perAz, single",
        "faas:nodeGroups.system.desiredSize: 7 is outside",
    ):
        assert expected in captured.err


def test_unknown_stack_exits_2(capsys):
    assert main(["nosuch-blue"]) == 2
    assert "no stack file" in capsys.readouterr().err


def test_default_is_the_dev_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the default --out is build/plan under the working directory
    assert main([]) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("== ")] == [
        "== dev",
        "== dev-blue",
        "== dev-green",
    ]
    written = sorted(p.name for p in (tmp_path / "build" / "plan").glob("*.json"))
    assert written == ["dev-blue.json", "dev-green.json", "dev.json"]


def test_reports_are_written_per_stack(tmp_path, capsys):
    assert main(["dev-blue", "--out", str(tmp_path)]) == 0
    # One stack named: the component tree with its children, and the count per type.
    out_tree = capsys.readouterr().out
    assert "+ faas:cluster:Cluster  faas-dev-blue-cluster" in out_tree
    assert "    - aws:kms/key:Key  faas-dev-blue-secrets-key" in out_tree
    assert "aws:eks/nodeGroup:NodeGroup" in out_tree
    assert int(re.search(r"\((\d+) aws:\)", out_tree).group(1)) >= 40
    assert main(["dev-blue", "--out", str(tmp_path)]) == 0
    for ext in ("json", "svg", "html"):
        assert (tmp_path / f"dev-blue.{ext}").stat().st_size > 0
    out = capsys.readouterr().out
    assert "policy: pass" in out and "critical path:" in out and "cost: $" in out


def test_against_shows_the_changed_input_paths(tmp_path, capsys):
    old = tmp_path / "old.json"
    assert main(["dev-blue", "--json", str(old), "--out", "-"]) == 0
    doc = json.loads(old.read_text())
    # Pretend the old plan had another Kubernetes version and no second spot instance type.
    for step in doc["steps"]:
        state = step["newState"]
        if state["type"] == "aws:eks/cluster:Cluster":
            state["inputs"]["version"] = "1.33"
    old.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["dev-blue", "--against", str(old), "--out", "-"]) == 0
    out = capsys.readouterr().out
    assert "~ aws:eks/cluster:Cluster  faas-dev-blue" in out
    assert '~ version: "1.33" => "1.34"' in out


def test_budget_exceeded_fails_the_plan(capsys):
    assert main(["dev-blue", "--out", "-", "--budget", "10"]) == 1
    assert main(["dev-blue", "--out", "-", "--budget", "100000"]) == 0


def test_mandatory_policy_violation_fails_the_plan(tmp_path, capsys):
    """prod requires deletion protection on the load balancers (mandatory in prod's config)."""
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("prod-blue", "prod-green"):
        text = (ROOT / "stacks" / f"Pulumi.{name}.yaml").read_text()
        (stacks / f"Pulumi.{name}.yaml").write_text(
            text.replace("deletionProtection: true", "deletionProtection: false")
        )
    assert main(["prod-blue", "--out", "-", "--stacks-dir", str(stacks)]) == 1
    out = capsys.readouterr().out
    assert "MANDATORY lb-deletion-protection" in out
