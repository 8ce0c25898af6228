"""The price of elastic capacity: a Karpenter NodePool has no fixed size, so it is priced twice.

The stack's total counts the **expected** size: the vCPUs the platform expects function nodes to
average, written on the NodePool as the annotation `faas.platform/expected-cpu` (from
`faas:capacity.expectedCpu`). The **maximum** is its `limits.cpu`, the most Karpenter may run;
the cost line states both. Each vCPU-hour is priced at the dearest per-vCPU on-demand price among
the instance types the NodePool may launch (a cautious figure: Karpenter picks the cheapest type
that fits), less the spot discount when spot comes first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.capacity import nodepool, podsize
from components.compute import instance_types

from . import prices
from .money import rate, usd
from .plan_doc import UNKNOWN

H = prices.HOURS_PER_MONTH


def _requirements(spec: Mapping[str, Any]) -> dict[str, list[str]]:
    template = (spec.get("template") or {}).get("spec") or {}
    wanted: dict[str, list[str]] = {}
    for req in template.get("requirements") or []:
        values = (req or {}).get("values")
        if req.get("operator") == "In" and isinstance(values, list):
            wanted[str(req.get("key"))] = [str(v) for v in values]
    return wanted


def vcpu_price(wanted: Mapping[str, list[str]]) -> tuple[float, str] | None:
    """(USD per vCPU-hour, the type it comes from): the dearest per vCPU of the priced types."""
    per_vcpu = [
        (prices.INSTANCE_HOUR[t].usd / shape[0], t)
        for f in wanted.get(nodepool.INSTANCE_FAMILY, [])
        for z in wanted.get(nodepool.INSTANCE_SIZE, [])
        if (t := f"{f}.{z}") in prices.INSTANCE_HOUR and (shape := instance_types.shape(t))
    ]
    return max(per_vcpu) if per_vcpu else None


def node_pool_cost(inputs: Mapping[str, Any]) -> tuple[float, float, str, float] | str:
    """(expected monthly, expected all on-demand, basis, maximum monthly), or why not priced."""
    spec = inputs.get("spec") or {}
    annotations = (inputs.get("metadata") or {}).get("annotations") or {}
    wanted = _requirements(spec)
    found = vcpu_price(wanted)
    if found is None:
        return "none of the NodePool's instance types is in the price table"
    price, itype = found
    limit = (spec.get("limits") or {}).get("cpu")
    expected = annotations.get(nodepool.EXPECTED_CPU_ANNOTATION)
    if UNKNOWN in (limit, expected) or not (
        podsize.is_quantity(limit) and podsize.is_quantity(expected)
    ):
        return (
            f"limits.cpu ({limit!r}) or the {nodepool.EXPECTED_CPU_ANNOTATION} annotation "
            f"({expected!r}) is not a known quantity"
        )
    ceiling_cpu, expected_cpu = float(podsize.parse(limit)), float(podsize.parse(expected))
    spot = "spot" in wanted.get(nodepool.CAPACITY_TYPE, ["on-demand"])
    factor = 1 - prices.SPOT_DISCOUNT.usd if spot else 1.0
    expected_od, ceiling_od = expected_cpu * price * H, ceiling_cpu * price * H
    how = f"spot first at {prices.SPOT_DISCOUNT.usd:.0%} off" if spot else "on-demand"
    basis = (
        f"expected {expected_cpu:g} vCPU ({nodepool.EXPECTED_CPU_ANNOTATION}) x "
        f"{rate(price)}/vCPU-h ({itype}, the dearest per vCPU of its types), {how}; "
        f"maximum {ceiling_cpu:g} vCPU (limits.cpu): {usd(ceiling_od * factor)}/month "
        f"({usd(ceiling_od)} all on-demand); node root volumes not included"
    )
    return expected_od * factor, expected_od, basis, ceiling_od * factor
