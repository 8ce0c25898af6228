"""`faas:capacity`: the Karpenter NodePool that grows and shrinks function capacity.

Read by `components.config.load`; `components.capacity.karpenter` renders the NodePool and
EC2NodeClass from it, and the cost report prices its expected and maximum size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.capacity import podsize
from components.compute import instance_types
from components.config.reader import Reader, shown

KEYS = {
    "instanceFamilies",
    "instanceSizes",
    "onDemandFallback",
    "cpuLimit",
    "memoryLimit",
    "expectedCpu",
    "expireAfter",
    "consolidation",
    "consolidateAfter",
    "disruptionBudget",
    "diskSizeGb",
}
CONSOLIDATION_POLICIES = ("WhenEmptyOrUnderutilized", "WhenEmpty")
# Karpenter's NodePool durations: Go durations in h/m/s, or "Never" (karpenter.sh_nodepools CRD).
_DURATION_RE = re.compile(r"^(\d+h)?(\d+m)?(\d+s)?$")
_BUDGET_RE = re.compile(r"^(\d{1,3}%|\d+)$")
DEFAULT_FAMILIES = ("m5", "m6i", "m6a", "m7i")
DEFAULT_SIZES = ("large", "xlarge")
MIN_FAMILIES = 3


@dataclass(frozen=True)
class CapacityConfig:
    instance_families: tuple[str, ...]
    """EC2 families the NodePool may launch (3 or more, so one reclaimed spot pool is not all)."""
    instance_sizes: tuple[str, ...]
    """Sizes within those families (`large`, `xlarge`, ...)."""
    on_demand_fallback: bool
    """Spot first; with this, on-demand when no spot capacity is offered."""
    cpu_limit: str
    """NodePool `limits.cpu`: the most vCPUs of function nodes that may run at once."""
    memory_limit: str
    """NodePool `limits.memory`."""
    expected_cpu: str
    """Average vCPUs of function nodes expected to run; for the cost estimate only."""
    expire_after: str
    """NodePool `expireAfter`: nodes older than this are replaced (a duration or `Never`)."""
    consolidation: str
    """`WhenEmptyOrUnderutilized` (bin-pack and remove) or `WhenEmpty` (remove empty nodes)."""
    consolidate_after: str
    """How long a node must be idle or underused before consolidation acts on it."""
    disruption_budget: str
    """How many function nodes (count or percent) voluntary disruption may take at once."""
    disk_size_gb: int
    """Root volume of each function node (encrypted gp3)."""


def _duration(r: Reader, key: str, default: str) -> str:
    value = r.str(key, default)
    if value != "Never" and (not _DURATION_RE.match(value) or value in ("", "0s")):
        r.problems.add(
            r.sub(key), f"{shown(value)} is not a duration like 720h, 30m or 90s, or Never"
        )
    return value


def _quantity(r: Reader, key: str, default: str) -> str:
    """A positive quantity; the default (after recording the problem) when it is anything else,
    so the checks that compare quantities below always have numbers."""
    value = r.str(key, default)
    if not podsize.is_quantity(value) or podsize.parse(value) <= 0:
        r.problems.add(r.sub(key), f"{shown(value)} is not a positive Kubernetes quantity")
        return default
    return value


def read_capacity(r: Reader) -> CapacityConfig:
    families = r.str_list("instanceFamilies", list(DEFAULT_FAMILIES))
    known = set(instance_types.known_families())
    for i, f in enumerate(families):
        if f not in known:
            r.problems.add(
                f"{r.sub('instanceFamilies')}[{i}]",
                f"{shown(f)} is not in the instance catalogue "
                "(components/compute/instance_types.py); add it there",
            )
    if len(set(families)) < MIN_FAMILIES:
        r.problems.add(
            r.sub("instanceFamilies"),
            f"{shown(list(families))}: spot needs at least {MIN_FAMILIES} families so one "
            "reclaimed capacity pool does not take every function node",
        )
    sizes = r.str_list("instanceSizes", list(DEFAULT_SIZES))
    for i, s in enumerate(sizes):
        if instance_types.shape(f"m5.{s}") is None:
            r.problems.add(f"{r.sub('instanceSizes')}[{i}]", f"{shown(s)} is not a known size")
    if not sizes:
        r.problems.add(r.sub("instanceSizes"), "at least one size is required")
    cpu = _quantity(r, "cpuLimit", "32")
    memory = _quantity(r, "memoryLimit", "128Gi")
    expected = _quantity(r, "expectedCpu", "8")
    if podsize.parse(expected) > podsize.parse(cpu):
        r.problems.add(r.sub("expectedCpu"), f"{expected} is above cpuLimit {cpu}")
    largest = max(
        (s[0] for f in families for z in sizes if (s := instance_types.shape(f"{f}.{z}"))),
        default=0,
    )
    if largest and podsize.parse(cpu) < largest:
        r.problems.add(
            r.sub("cpuLimit"),
            f"{cpu} is below the {largest} vCPUs of the largest allowed instance: "
            "Karpenter could not launch it",
        )
    budget = r.str("disruptionBudget", "10%")
    if not _BUDGET_RE.match(budget) or (budget.endswith("%") and int(budget[:-1]) > 100):
        r.problems.add(r.sub("disruptionBudget"), f"{shown(budget)} is not a node count or 0-100%")
    return CapacityConfig(
        instance_families=families,
        instance_sizes=sizes,
        on_demand_fallback=r.bool("onDemandFallback", True),
        cpu_limit=cpu,
        memory_limit=memory,
        expected_cpu=expected,
        expire_after=_duration(r, "expireAfter", "720h"),
        consolidation=r.str("consolidation", CONSOLIDATION_POLICIES[0], CONSOLIDATION_POLICIES),
        consolidate_after=_duration(r, "consolidateAfter", "1m"),
        disruption_budget=budget,
        disk_size_gb=r.int("diskSizeGb", 50, lo=20, hi=1000),
    )
