"""The cost report prices function capacity (the Karpenter NodePool) at its expected size, and
states its maximum (faas/report/elastic.py)."""

from __future__ import annotations

import copy

import pytest

from components import config
from components.config.stackfile import read_stack_file
from faas.report import prices
from faas.report.cost import stack_cost
from faas.report.elastic import node_pool_cost
from faas.report.plan_doc import UNKNOWN
from tests.support.plans import plan, states

NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"


def pool_inputs(stack: str = "dev-blue") -> dict:
    (pool,) = states(plan(stack), NODE_POOL)
    return copy.deepcopy(pool["inputs"])


def test_node_pool_is_priced_at_its_expected_size_and_states_its_maximum():
    cfg = config.load("dev-blue", read_stack_file("dev-blue")).capacity
    monthly, on_demand, basis, ceiling = node_pool_cost(pool_inputs())
    # dev: m5/m6i/m6a/m7i in large/xlarge; the dearest per vCPU in the table is m7i.large.
    per_vcpu = prices.INSTANCE_HOUR["m7i.large"].usd / 2
    spot = 1 - prices.SPOT_DISCOUNT.usd
    assert on_demand == pytest.approx(float(cfg.expected_cpu) * per_vcpu * 730)
    assert monthly == pytest.approx(on_demand * spot)
    assert ceiling == pytest.approx(float(cfg.cpu_limit) * per_vcpu * 730 * spot)
    assert f"expected {cfg.expected_cpu} vCPU" in basis and "m7i.large" in basis
    assert f"maximum {cfg.cpu_limit} vCPU (limits.cpu)" in basis


def test_the_stack_total_counts_the_expected_size_and_the_line_says_so():
    cost = stack_cost(plan("prod-blue"))
    (line,) = cost.elastic
    assert line.type == NODE_POOL and line.status == "priced"
    assert line.ceiling_usd > line.monthly_usd > 0
    assert cost.total == pytest.approx(sum(x.monthly_usd for x in cost.lines))
    assert line.on_demand_usd > line.monthly_usd  # spot first


def test_on_demand_only_pools_get_no_spot_discount():
    inputs = pool_inputs()
    for req in inputs["spec"]["template"]["spec"]["requirements"]:
        if req["key"] == "karpenter.sh/capacity-type":
            req["values"] = ["on-demand"]
    monthly, on_demand, basis, _ = node_pool_cost(inputs)
    assert monthly == on_demand and "on-demand" in basis


def test_unknown_or_unpriced_pools_are_not_priced_rather_than_zero():
    inputs = pool_inputs()
    inputs["metadata"]["annotations"]["faas.platform/expected-cpu"] = UNKNOWN
    assert "not a known quantity" in node_pool_cost(inputs)
    inputs = pool_inputs()
    for req in inputs["spec"]["template"]["spec"]["requirements"]:
        if req["key"] == "karpenter.k8s.aws/instance-family":
            req["values"] = ["x9"]
    assert "price table" in node_pool_cost(inputs)
