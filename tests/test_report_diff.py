"""Diff between two plans: added, removed, changed with the changed input paths."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from faas.report.diff import diff_documents, format_diff, value_changes
from faas.report.plan_doc import UNKNOWN

FIXTURES = Path(__file__).parent / "fixtures" / "report"


def load() -> dict:
    return json.loads((FIXTURES / "small-blue.json").read_text())


def state(doc: dict, name: str) -> dict:
    return next(s["newState"] for s in doc["steps"] if s["urn"].endswith("::" + name))


def test_identical_plans_have_no_changes() -> None:
    d = diff_documents(load(), load())
    assert d.empty and d.unchanged == 21
    assert "no changes" in format_diff(d)


def test_added_removed_and_changed_paths() -> None:
    old, new = load(), load()
    state(new, "cluster")["inputs"]["vpcConfig"]["publicAccessCidrs"][0] = "0.0.0.0/0"
    state(new, "functions")["inputs"]["scalingConfig"]["desiredSize"] = 5
    new["steps"] = [s for s in new["steps"] if not s["urn"].endswith("::events")]
    extra = copy.deepcopy(next(s for s in new["steps"] if s["urn"].endswith("::subnet-b")))
    extra["urn"] = extra["urn"].replace("subnet-b", "subnet-c")
    new["steps"].append(extra)

    d = diff_documents(old, new)
    assert [r.name for r in d.added] == ["subnet-c"]
    assert [r.name for r in d.removed] == ["events"]
    changed = {c.name: [ch.path for ch in c.changes] for c in d.changed}
    assert changed == {
        "cluster": ["vpcConfig.publicAccessCidrs[0]"],
        "functions": ["scalingConfig.desiredSize"],
    }
    text = format_diff(d, "dev-blue")
    assert "  + aws:ec2/subnet:Subnet  subnet-c" in text
    assert "  - aws:dynamodb/table:Table  events" in text
    assert "[diff: vpcConfig.publicAccessCidrs[0]]" in text
    assert '~ vpcConfig.publicAccessCidrs[0]: "203.0.113.0/24" => "0.0.0.0/0"' in text
    assert "Resources: 1 to add, 1 to remove, 2 to change, 18 unchanged" in text


def test_deleted_steps_of_a_real_preview_do_not_count_as_present() -> None:
    old, new = load(), load()
    for s in new["steps"]:
        if s["urn"].endswith("::events"):
            s["op"] = "delete"
    assert [r.name for r in diff_documents(old, new).removed] == ["events"]


def test_value_changes_cover_added_removed_keys_list_growth_and_odd_keys() -> None:
    old = {"tags": {"app.kubernetes.io/name": "a"}, "cidrs": ["a"], "gone": 1}
    new = {"tags": {"app.kubernetes.io/name": "b"}, "cidrs": ["a", "b"], "new": UNKNOWN}
    changes = {c.path: c for c in value_changes(old, new)}
    assert set(changes) == {'tags["app.kubernetes.io/name"]', "cidrs[1]", "gone", "new"}
    text = format_diff(
        diff_documents(
            {"steps": [_one(old)]},
            {"steps": [_one(new)]},
        )
    )
    assert "~ new: (absent) => (known after apply)" in text
    assert "~ gone: 1 => (absent)" in text


def _one(inputs: dict) -> dict:
    urn = "urn:pulumi:s::p::aws:ec2/vpc:Vpc::v"
    return {"op": "create", "urn": urn, "newState": {"type": "aws:ec2/vpc:Vpc", "inputs": inputs}}
