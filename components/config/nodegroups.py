"""`faas:nodeGroups`: the on-demand system group and the spot groups for functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.compute import instance_types
from components.config.reader import Reader, missing, shown

GROUP_KEYS = {"instanceTypes", "minSize", "maxSize", "desiredSize", "diskSizeGb"}
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,20}$")


@dataclass(frozen=True)
class NodeGroupConfig:
    name: str
    """Group name, part of its physical name (`system` for the on-demand group)."""
    capacity_type: str
    """`ON_DEMAND` (system group) or `SPOT` (function groups)."""
    instance_types: tuple[str, ...]
    min_size: int
    max_size: int
    desired_size: int
    """Initial size only: the running size belongs to the autoscaler afterwards."""
    disk_size_gb: int


def read_node_groups(r: Reader) -> tuple[NodeGroupConfig, tuple[NodeGroupConfig, ...]]:
    """(system group, spot groups) of `faas:nodeGroups`."""
    problems = r.problems
    system = _node_group(
        Reader(r.get("system"), r.sub("system"), problems, GROUP_KEYS), "system", "ON_DEMAND"
    )
    spot_raw = r.list("spot")
    if not spot_raw and not missing(r.raw.get("spot")):
        problems.add(r.sub("spot"), "at least one spot node group is required")
    spot = tuple(
        _node_group(
            Reader(g, f"{r.sub('spot')}[{i}]", problems, GROUP_KEYS | {"name"}), None, "SPOT"
        )
        for i, g in enumerate(spot_raw)
    )
    names = [g.name for g in spot]
    for dup in sorted({n for n in names if names.count(n) > 1 or n == "system"}):
        problems.add(r.sub("spot"), f"node group name {shown(dup)} is used twice")
    return system, spot


def _node_group(r: Reader, name: str | None, capacity: str) -> NodeGroupConfig:
    if name is None:
        name = r.str("name")
        if name and not _NAME_RE.match(name):
            r.problems.add(r.sub("name"), f"{shown(name)} must be a short lowercase DNS label")
    types = r.str_list("instanceTypes")
    for i, t in enumerate(types):
        if not instance_types.well_formed(t):
            r.problems.add(f"{r.sub('instanceTypes')}[{i}]", f"{shown(t)} is not family.size")
        elif instance_types.shape(t) is None:
            r.problems.add(
                f"{r.sub('instanceTypes')}[{i}]",
                f"{shown(t)} is not in the instance catalogue "
                "(components/compute/instance_types.py); add it there",
            )
    if capacity == "SPOT":
        _spot_diversity(r, types)
    elif not types and "instanceTypes" in r.raw:
        r.problems.add(r.sub("instanceTypes"), "is empty: name the on-demand instance type")
    lo, hi = r.int("minSize", lo=0, hi=1000), r.int("maxSize", lo=1, hi=1000)
    desired = r.int("desiredSize", lo=0, hi=1000)
    if lo > hi:
        r.problems.add(r.sub("minSize"), f"{lo} is greater than maxSize {hi}")
    elif not lo <= desired <= hi:
        r.problems.add(
            r.sub("desiredSize"), f"{desired} is outside [minSize, maxSize] = [{lo}, {hi}]"
        )
    return NodeGroupConfig(
        name=name,
        capacity_type=capacity,
        instance_types=types,
        min_size=lo,
        max_size=hi,
        desired_size=desired,
        disk_size_gb=r.int("diskSizeGb", 50, lo=20, hi=1000),
    )


def _spot_diversity(r: Reader, types: tuple[str, ...]) -> None:
    """Several types of one vCPU/memory shape, so one reclaimed spot pool does not empty the group
    and the autoscaler's simulation holds whichever type AWS hands out."""
    if len(types) < 3:
        r.problems.add(
            r.sub("instanceTypes"),
            f"{shown(list(types))}: a spot group needs at least "
            "3 instance types so one reclaimed pool does not empty it",
        )
    shapes = {t: instance_types.shape(t) for t in types if instance_types.well_formed(t)}
    distinct = {s for s in shapes.values() if s}
    if len(distinct) > 1:
        listing = ", ".join(f"{t}={s[0]}vCPU/{s[1]}GiB" for t, s in shapes.items() if s)
        r.problems.add(
            r.sub("instanceTypes"),
            f"mixed vCPU/memory sizes ({listing}); use one shape per group",
        )
