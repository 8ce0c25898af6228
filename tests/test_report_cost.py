"""Cost arithmetic pinned on the hand-written plans in tests/fixtures/report."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from faas.report import cost, prices
from faas.report.cost import check_budget, environment_cost, stack_cost

FIXTURES = Path(__file__).parent / "fixtures" / "report"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def line(c: cost.StackCost, name: str) -> cost.CostLine:
    return next(ln for ln in c.lines if ln.name == name)


def green_from(blue: dict) -> dict:
    doc = json.loads(json.dumps(blue).replace("dev-blue", "dev-green"))
    doc["config"]["faas:color"] = "green"
    return doc


def test_each_priced_resource_matches_the_hand_computed_figure() -> None:
    c = stack_cost(load("small-blue.json"))
    expected = {
        "cluster": 0.10 * 730,  # control plane
        "nat": 0.045 * 730,
        "nat-ip": 0.005 * 730,
        "dmz": 0.0225 * 730 + 2 * 0.005 * 730,  # internet-facing: one public IPv4 per subnet
        "internal": 0.0225 * 730,
        "system": 2 * 0.096 * 730,  # on-demand m5.large, the first listed type
        "system-lt": 50 * 0.08 * 2,  # 50 GB gp3 on each of the 2 nodes using the template
        "functions": 3 * 0.096 * 730 * 0.4 + 3 * 40 * 0.08,  # spot 60% off + default root disks
        "cluster-logs": 5 * 0.50,  # /aws/eks/* log group: 5 GB/month assumed
        "secrets": 1.0,
    }
    for name, usd in expected.items():
        assert line(c, name).monthly_usd == pytest.approx(usd), name
    assert c.total == pytest.approx(sum(expected.values()))
    assert c.total == pytest.approx(395.006)


def test_spot_savings_compare_against_the_same_type_on_demand() -> None:
    c = stack_cost(load("small-blue.json"))
    assert line(c, "functions").on_demand_usd == pytest.approx(3 * 0.096 * 730 + 3 * 40 * 0.08)
    assert c.spot_savings == pytest.approx(3 * 0.096 * 730 * 0.6)
    assert line(c, "system").on_demand_usd == line(c, "system").monthly_usd


def test_unknown_types_are_not_priced_and_free_types_say_why() -> None:
    c = stack_cost(load("small-blue.json"))
    assert [ln.type for ln in c.not_priced] == ["aws:dynamodb/table:Table"]
    assert line(c, "events").monthly_usd == 0
    role = line(c, "cluster-role")
    assert role.status == "free" and "IAM" in role.basis
    assert line(c, "vpc").status == "free"
    assert line(c, "net").status == "free"  # a component
    assert line(c, "istiod").status == "free"  # kubernetes: runs on the nodes


def test_instance_type_missing_from_the_table_is_not_priced_rather_than_zero() -> None:
    doc = load("small-blue.json")
    for step in doc["steps"]:
        if step["urn"].endswith("::system"):
            step["newState"]["inputs"]["instanceTypes"] = ["x9z.huge"]
    ln = line(stack_cost(doc), "system")
    assert ln.status == "not priced" and "x9z.huge" in ln.basis


def test_unknown_desired_size_falls_back_to_min_size_and_says_so() -> None:
    doc = load("small-blue.json")
    for step in doc["steps"]:
        if step["urn"].endswith("::system"):
            scaling = step["newState"]["inputs"]["scalingConfig"]
            scaling["desiredSize"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
            scaling["minSize"] = 1
    ln = line(stack_cost(doc), "system")
    assert ln.monthly_usd == pytest.approx(0.096 * 730)
    assert "min" in ln.basis


def test_subnet_mappings_with_their_own_eip_are_not_billed_twice() -> None:
    doc = load("small-blue.json")
    for step in doc["steps"]:
        if step["urn"].endswith("::dmz"):
            inputs = step["newState"]["inputs"]
            del inputs["subnets"]
            inputs["subnetMappings"] = [
                {"subnetId": "subnet-a", "allocationId": "eipalloc-1"},
                {"subnetId": "subnet-b"},
            ]
    assert line(stack_cost(doc), "dmz").monthly_usd == pytest.approx(0.0225 * 730 + 0.005 * 730)


def test_environment_sums_stacks_and_names_the_standby_colour_from_the_weights() -> None:
    blue = load("small-blue.json")
    env = environment_cost([load("small-dev.json"), blue, green_from(blue)])
    assert env.environment == "dev"
    assert env.active_color == "blue" and env.standby_color == "green"
    assert env.standby_usd == pytest.approx(395.006)
    assert env.total == pytest.approx(2 * 395.006 + 0.50)  # + the environment's hosted zone
    assert env.spot_savings == pytest.approx(2 * 3 * 0.096 * 730 * 0.6)


def test_standby_is_the_dearer_colour_when_weights_do_not_tell() -> None:
    blue = load("small-blue.json")
    dev = load("small-dev.json")
    for step in dev["steps"]:
        for policy in step["newState"]["inputs"].get("weightedRoutingPolicies", []):
            policy["weight"] = 50
    green = green_from(blue)
    green["steps"] = [s for s in green["steps"] if not s["urn"].endswith("::internal")]
    env = environment_cost([dev, blue, green])
    assert env.active_color is None and env.standby_color is None
    assert env.standby_usd == pytest.approx(stack_cost(blue).total)


def test_environment_refuses_documents_of_two_environments() -> None:
    blue = load("small-blue.json")
    prod = copy.deepcopy(blue)
    prod["config"]["faas:environment"] = "prod"
    with pytest.raises(ValueError, match="environments"):
        environment_cost([blue, prod])


def test_budget_check_fails_only_above_the_budget() -> None:
    env = environment_cost([load("small-blue.json")])
    over = check_budget(env, 300)
    assert not over.ok and "exceeds" in over.message and "$395.01" in over.message
    assert "1 resources not priced" in over.message
    assert check_budget(env, 400).ok
    assert check_budget(env, env.total).ok  # exactly at the budget is within it


def test_every_price_has_a_source_and_a_date() -> None:
    for name, price in prices.table():
        assert price.source and price.as_of and price.usd > 0, name


def test_environment_text_states_region_standby_and_not_priced() -> None:
    blue = load("small-blue.json")
    text = cost.format_environment_cost(
        environment_cost([load("small-dev.json"), blue, green_from(blue)])
    )
    assert "us-east-1 reference prices" in text
    assert "standby colour costs $395.01/month: green" in text
    assert "not priced (2): aws:dynamodb/table:Table" in text
