"""docs/plan-format.md says what the offline plan documents hold, and one definition of
"resources" is used by every count the tools print; both checked on the shipped stacks' plans."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from faas.plan.unknowns import UNKNOWN, Marker, invented_keys, strings
from faas.report import build_report, format_summary
from faas.report.render import report_svg
from faas.report.render.markdown import StackReview, changes_headline
from policies import check as policycheck
from policies.document import describe_counts, step_counts
from tests.support.plans import document as plan  # what `faas plan --json` writes

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "plan-format.md").read_text()
EXAMPLE = json.loads(re.search(r"```json\n(.*?)\n```", DOC, re.S).group(1))  # type: ignore[union-attr]
STACKS = ("dev", "dev-blue")


def keys(doc: dict) -> tuple[set[str], set[str], set[str]]:
    steps = doc["steps"]
    return (
        set(doc),
        set().union(*(set(s) for s in steps)),
        set().union(*(set(s["newState"]) for s in steps)),
    )


@pytest.mark.parametrize("stack", STACKS)
def test_the_documented_keys_are_the_documents_keys(stack: str) -> None:
    assert keys(EXAMPLE) == keys(plan(stack))


@pytest.mark.parametrize("stack", STACKS)
def test_top_level_components_nest_under_the_stack_resource_which_is_not_a_step(stack: str) -> None:
    doc = plan(stack)
    urns = {s["urn"] for s in doc["steps"]}
    stack_urn = f"urn:pulumi:{stack}::faas-platform::pulumi:pulumi:Stack::faas-platform-{stack}"
    outside = {s["newState"]["parent"] for s in doc["steps"]} - urns
    assert outside == {stack_urn}
    tops = [s["newState"] for s in doc["steps"] if s["newState"]["parent"] == stack_urn]
    assert tops and all(not t["custom"] and t["type"].startswith("faas:") for t in tops)
    # as the example shows it
    example_tops = [s["newState"] for s in EXAMPLE["steps"] if "Stack::" in s["newState"]["parent"]]
    assert [t["custom"] for t in example_tops] == [False]


def test_what_a_preview_cannot_know_is_unknown_and_never_a_mock_identifier() -> None:
    doc = plan("dev-blue")
    text = json.dumps(doc)
    # The mocks' ids (vpc-..., subnet-..., sg-...) and account ARNs never reach the document.
    assert not re.search(r'"(vpc|subnet|sg|igw|nat|rtb|eipalloc|lt)-[0-9a-f]{8,}"', text)
    vpc = next(s["newState"] for s in doc["steps"] if s["newState"]["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["id"] == "" and vpc["outputs"]["arn"] == UNKNOWN
    assert vpc["inputs"]["cidrBlock"] == "10.10.0.0/16"  # config stays known
    subnet = next(
        s["newState"] for s in doc["steps"] if s["newState"]["type"] == "aws:ec2/subnet:Subnet"
    )
    assert subnet["inputs"]["vpcId"] == UNKNOWN
    assert doc["outputs"]["vpc_id"] == UNKNOWN
    assert doc["outputs"]["cluster_name"] == "faas-dev-blue"  # a name the program chose


def test_the_environment_reads_its_colours_deployed_outputs_as_known() -> None:
    doc = plan("dev")
    records = [
        s["newState"]
        for s in doc["steps"]
        if s["newState"]["type"] == "aws:route53/record:Record"
        and s["newState"]["inputs"].get("setIdentifier") in ("blue", "green")
    ]
    assert records
    for r in records:
        alias = r["inputs"]["aliases"][0]
        assert alias["name"] != UNKNOWN and alias["zoneId"] != UNKNOWN


def test_the_marker_marks_embedded_values_and_keeps_known_ones() -> None:
    made = strings("arn:aws:iam::123456789012:role/faas-x", "short", {"k": ["vpc-0123456789"]})
    assert made == {"arn:aws:iam::123456789012:role/faas-x", "vpc-0123456789"}
    m = Marker(made)
    policy = json.dumps({"Principal": {"AWS": "arn:aws:iam::123456789012:role/faas-x"}})
    assert m.mark({"p": policy, "v": ["vpc-0123456789", "10.0.0.0/16"], "n": 3}) == {
        "p": UNKNOWN,
        "v": [UNKNOWN, "10.0.0.0/16"],
        "n": 3,
    }
    assert invented_keys({"name": "a", "tags": {}}, {"name": "a", "arn": "x", "tagsAll": {}}) == [
        "arn"
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_every_count_of_resources_is_the_same_number(stack: str) -> None:
    doc = plan(stack)
    counted = step_counts(doc)
    policy = policycheck.check_document(doc)
    rep = build_report(doc, policy.to_dict())
    n = counted["resources"]
    assert counted["steps"] == len(doc["steps"]) == doc["changeSummary"]["create"]
    assert counted["resources"] + counted["components"] + counted["providers"] == counted["steps"]
    assert (
        format_summary(rep)
        .splitlines()[0]
        .endswith(f": {n} resources in {counted['components']} components")
    )
    assert f"; {n} resources in {counted['components']} components" in report_svg(rep)
    assert f"rules on {n} resources:" in policycheck.format_report(policy)
    assert changes_headline(StackReview(rep, None)) == f"{n} resources to create (no base plan)"
    assert describe_counts(counted).startswith(f"{n} resources, ")


def test_the_diff_shows_unknowns_as_known_after_apply() -> None:
    import copy

    from faas.report import diff_documents, format_diff

    new = plan("dev-blue")
    old = copy.deepcopy(new)
    subnet = next(s for s in old["steps"] if s["newState"]["type"] == "aws:ec2/subnet:Subnet")
    subnet["newState"]["inputs"]["vpcId"] = "vpc-0123456789abcdef0"
    text = format_diff(diff_documents(old, new), "dev-blue")
    assert 'vpcId: "vpc-0123456789abcdef0" => (known after apply)' in text
    assert not re.search(
        r"(vpc|subnet|sg)-[0-9a-f]{8,}\"?$", text.replace("vpc-0123456789abcdef0", "")
    )


def test_a_violation_hidden_by_an_unknown_still_blocks_faas_plan() -> None:
    """The document defers a trust policy that embeds a new ARN; `faas plan` checks it on the
    planner's values, so a wildcard principal there blocks as it would at `pulumi up`."""
    import copy

    from faas.plan.cli import settle_deferred
    from tests.support.plans import plan as program_plan

    honest, values = document_copy("dev-blue"), copy.deepcopy(program_plan("dev-blue"))
    role = "faas-dev-blue-vpc-cni-role"
    for doc in (honest, values):
        (state,) = [s["newState"] for s in doc["steps"] if s["urn"].endswith(f"Role::{role}")]
        if doc is values:
            trust = json.loads(state["inputs"]["assumeRolePolicy"])
            trust["Statement"][0]["Principal"] = {"AWS": "*"}
            state["inputs"]["assumeRolePolicy"] = json.dumps(trust)
        else:
            assert state["inputs"]["assumeRolePolicy"] == UNKNOWN
    first = policycheck.check_document(honest)
    assert first.ok and any(v.deferred and v.urn.endswith(role) for v in first.violations)
    settled = settle_deferred(first, policycheck.check_document(values))
    assert not settled.ok
    (hit,) = [
        v for v in settled.violations if v.rule == "iam-no-wildcard-principal" and not v.deferred
    ]
    assert hit.urn.endswith(role) and hit.level == "mandatory"
    assert hit.message.startswith("on the planner's values (a preview cannot know them yet): ")


def document_copy(stack: str) -> dict:
    import copy

    return copy.deepcopy(plan(stack))
