"""The report on the real dev plans from the offline engine.

The arithmetic and the algorithms are pinned on hand-written plans in the other test_report_*
files; these tests check that the real program's plan lands where the reference figures say.
The plans come from tests/support/plans.py, computed once per test process and shared with the
other modules that read the same stacks.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from faas.report import build_report, environment_cost, prices
from faas.report.plan_doc import resources
from faas.report.render import report_svg
from tests.support.plans import plan

# On-demand list prices from docs/sources/timings-and-prices.md A.4 (us-east-1), restated
# here so the floor does not come from the code under test.
REFERENCE_INSTANCE_HOUR = {
    "m5.large": 0.096,
    "m6i.large": 0.096,
    "m5.xlarge": 0.192,
    "c6i.xlarge": 0.17,
    "c6i.4xlarge": 0.68,
}
# The reference's best typical spot discount (55-70%): the floor assumes the cheapest spot.
BEST_SPOT_DISCOUNT = 0.70


@pytest.fixture(scope="module")
def dev_blue() -> dict[str, Any]:
    return plan("dev-blue")


def reference_floor(doc: dict[str, Any]) -> float:
    """Control planes, NAT gateways, NLBs and node groups' desired sizes at reference prices."""
    floor = 0.0
    for r in resources(doc):
        if r.type == "aws:eks/cluster:Cluster":
            floor += 0.10 * 730
        elif r.type == "aws:ec2/natGateway:NatGateway":
            floor += 0.045 * 730
        elif r.type == "aws:lb/loadBalancer:LoadBalancer":
            floor += 0.0225 * 730
        elif r.type == "aws:eks/nodeGroup:NodeGroup":
            itype = r.inputs["instanceTypes"][0]
            hourly = REFERENCE_INSTANCE_HOUR.get(itype) or prices.INSTANCE_HOUR[itype].usd
            spot = r.inputs.get("capacityType") == "SPOT"
            nodes = r.inputs["scalingConfig"]["desiredSize"]
            floor += hourly * 730 * nodes * ((1 - BEST_SPOT_DISCOUNT) if spot else 1)
    return floor


def test_dev_blue_estimate_lies_between_the_reference_floor_and_twice_it(dev_blue) -> None:
    report = build_report(dev_blue)
    floor = reference_floor(dev_blue)
    assert floor > 73 + 2 * 0.096 * 730 * 0.3  # at least a control plane and some nodes
    assert floor <= report.cost.total <= 2 * floor
    assert not report.cost.not_priced, [ln.type for ln in report.cost.not_priced]


def test_dev_blue_critical_path_runs_through_control_plane_and_node_groups(dev_blue) -> None:
    path = build_report(dev_blue).critical_path
    types = [s.type for s in path.steps]
    assert "aws:eks/cluster:Cluster" in types
    assert "aws:eks/nodeGroup:NodeGroup" in types
    assert types.index("aws:eks/cluster:Cluster") < types.index("aws:eks/nodeGroup:NodeGroup")
    assert path.total < 0.75 * path.serial_sum


def test_dev_blue_picture_shows_every_resource(dev_blue) -> None:
    svg = report_svg(build_report(dev_blue))
    titles = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}title")]
    for r in resources(dev_blue):
        assert any(t.startswith(r.urn) for t in titles), r.urn


def test_dev_environment_sums_its_three_stacks() -> None:
    docs = [plan(s) for s in ("dev", "dev-blue", "dev-green")]
    env = environment_cost(docs)
    assert env.total == pytest.approx(sum(build_report(d).cost.total for d in docs))
    assert env.standby_usd > 0
