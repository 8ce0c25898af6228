"""The apply guard: a release change never lands on the colour that takes traffic.

Blue/green upgrades the idle colour, checks it, cuts over; the colour serving users keeps its
release until it is idle. Before `pulumi up` of a cluster stack, CI asks whether that stack's
release (the versions its `faas:release` resolves to in the catalogue) differs between the base
and head commits, and which colours take traffic now: every colour with a weight above zero in
the environment zone's weighted records, plus the colour the cutover's outcome record
(`_faas-cutover-state.<zone>`) names as active. A held cutover lock means a cutover is running:
nothing is applied. Only an explicit override (a person, with a reason) applies a release change
to an active colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components import naming
from faas.ci.changes import VERSIONS, catalogue, release_of, show

STACKS = "stacks"


@dataclass(frozen=True)
class ReleaseChange:
    stack: str
    base: str | None  # release name at the base commit (None: no such stack there)
    head: str | None
    differs: bool  # the resolved versions differ (a renamed but identical release does not)


def release_change(repo: Path, stack: str, base: str, head: str = "HEAD") -> ReleaseChange:
    path = f"{STACKS}/Pulumi.{stack}.yaml"
    old, new = release_of(show(repo, base, path)), release_of(show(repo, head, path))
    if old is None or new is None:
        return ReleaseChange(stack, old, new, differs=False)  # a new stack has nothing to protect
    before = (catalogue(show(repo, base, VERSIONS)).get("RELEASES") or {}).get(old)
    after = (catalogue(show(repo, head, VERSIONS)).get("RELEASES") or {}).get(new)
    return ReleaseChange(stack, old, new, differs=before != after)


@dataclass(frozen=True)
class Traffic:
    active: frozenset[str]  # colours taking traffic (or named active by the last cutover)
    source: str  # what was read, for the log
    cutover_running: bool = False


def read_traffic(zone: str, region: str | None, aws: Any = None) -> Traffic:
    """Who takes traffic in `zone`, from Route 53 (the live weights and the outcome record)."""
    from faas.ops.cutover.aws import Aws
    from faas.ops.cutover.clock import RealClock
    from faas.ops.cutover.lock import read_lock, read_outcome
    from faas.ops.cutover.records import (
        RecordStateError,
        discover,
        find_zone,
        list_record_sets,
    )

    aws = aws or Aws(RealClock(), region)
    zone_id = find_zone(aws, zone)
    rrsets = list_record_sets(aws, zone_id)
    active: set[str] = set()
    seen = []
    try:
        for group in discover(rrsets):
            active |= {c for c, w in group.weights().items() if w > 0}
        seen.append("weights " + ", ".join(sorted(active)) if active else "no weights")
    except RecordStateError as exc:
        seen.append(f"weighted records unreadable ({'; '.join(exc.problems)})")
    outcome = read_outcome(zone, rrsets) or {}
    if outcome.get("active") in naming.COLORS:
        active.add(outcome["active"])
        seen.append(f"last cutover: {outcome['active']} {outcome.get('result', '')}".strip())
    running = read_lock(zone, rrsets) is not None
    return Traffic(frozenset(active), "; ".join(seen), cutover_running=running)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str


def decide(change: ReleaseChange, traffic: Traffic, override: str = "") -> Verdict:
    _, color = naming.parse_stack_name(change.stack)
    if traffic.cutover_running and color is not None:
        return Verdict(False, f"{change.stack}: a cutover is running (lock held); apply later")
    if color is None or not change.differs:
        return Verdict(True, f"{change.stack}: no release change ({traffic.source})")
    what = f"{change.stack}: release {change.base} -> {change.head}"
    if color not in traffic.active:
        return Verdict(True, f"{what} on the idle colour ({traffic.source})")
    if override:
        return Verdict(True, f"{what} on the ACTIVE colour, overridden: {override}")
    return Verdict(
        False,
        f"{what} refused: {color} takes traffic ({traffic.source}). Upgrade the idle colour, "
        f"cut over (faas cutover --env {naming.parse_stack_name(change.stack)[0]} --to "
        f"{'green' if color == 'blue' else 'blue'}), then change this one; or rerun with an "
        "override and a reason",
    )
