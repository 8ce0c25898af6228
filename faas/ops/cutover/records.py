"""Discover and validate the environment's weighted record sets; build the weight change batches.

A "group" is one record set name+type (e.g. `*.faas.dev.example.com.` A) whose records are the
weighted records with SetIdentifier `blue` and `green`. Everything here except `find_zone` and
`read_groups` is pure, so the validation rules are unit-tested without AWS.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from components.naming import COLORS

if TYPE_CHECKING:  # boto3 loads only when a cutover really calls AWS, not for --help
    from .aws import Aws

MAX_WEIGHT = 255  # Route 53 Weight is 0..255
ALIAS_TTL = 60  # alias records have no TTL of their own; Route 53 uses the ELB's 60 s


class RecordStateError(Exception):
    """The zone is not in a state a cutover may start from; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def normalise_name(name: str) -> str:
    # Route 53 returns `*` as the octal escape `\052` in ListResourceRecordSets answers.
    n = name.replace("\\052", "*").lower()
    return n if n.endswith(".") else n + "."


@dataclass(frozen=True)
class Group:
    name: str
    type: str
    records: dict[str, dict[str, Any]]  # colour -> the record set exactly as Route 53 returned it

    @property
    def key(self) -> str:
        return f"{self.name} {self.type}"

    def weights(self) -> dict[str, int]:
        return {c: int(r["Weight"]) for c, r in self.records.items()}

    def alias_dns(self, color: str) -> str | None:
        alias = self.records[color].get("AliasTarget")
        return str(alias["DNSName"]) if alias else None

    def ttl(self) -> int:
        ttls = [int(r["TTL"]) for r in self.records.values() if "TTL" in r]
        return max(ttls, default=ALIAS_TTL)


Weights = dict[str, dict[str, int]]  # group key -> colour -> weight


def find_zone(aws: Aws, zone: str) -> str:
    """Hosted zone id of the public zone named `zone`; refuses if missing or ambiguous."""
    want = normalise_name(zone)
    resp = aws.call("route53", "list_hosted_zones_by_name", DNSName=want, MaxItems="10")
    matches = [z for z in resp.get("HostedZones", []) if normalise_name(z["Name"]) == want]
    public = [z for z in matches if not z.get("Config", {}).get("PrivateZone", False)]
    if not public:
        raise RecordStateError([f"no public hosted zone named {want}"])
    if len(public) > 1:
        ids = ", ".join(z["Id"] for z in public)
        raise RecordStateError([f"{len(public)} public hosted zones named {want} ({ids}); use one"])
    return str(public[0]["Id"]).rsplit("/", 1)[-1]


def list_record_sets(aws: Aws, zone_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    kw: dict[str, Any] = {"HostedZoneId": zone_id}
    while True:
        resp = aws.call("route53", "list_resource_record_sets", **kw)
        out.extend(resp.get("ResourceRecordSets", []))
        if not resp.get("IsTruncated"):
            return out
        kw["StartRecordName"] = resp["NextRecordName"]
        kw["StartRecordType"] = resp["NextRecordType"]
        if resp.get("NextRecordIdentifier"):
            kw["StartRecordIdentifier"] = resp["NextRecordIdentifier"]
        else:
            kw.pop("StartRecordIdentifier", None)


def discover(rrsets: list[dict[str, Any]]) -> list[Group]:
    """Group the weighted colour records and validate them; raise with every problem at once."""
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rr in rrsets:
        if rr.get("SetIdentifier") is None:
            continue
        by_key.setdefault((normalise_name(rr["Name"]), rr["Type"]), []).append(rr)
    # Only sets where at least one identifier is a colour are ours; others (e.g. a latency set
    # someone else owns) are left alone.
    ours = {k: v for k, v in by_key.items() if any(r["SetIdentifier"] in COLORS for r in v)}
    problems: list[str] = []
    groups: list[Group] = []
    if not ours:
        problems.append("no weighted record sets with SetIdentifier blue/green in the zone")
    for (name, rtype), rrs in sorted(ours.items()):
        where = f"{name} {rtype}"
        ids = [r["SetIdentifier"] for r in rrs]
        if sorted(ids) != sorted(COLORS):
            problems.append(f"{where}: SetIdentifiers {sorted(ids)} are not exactly {list(COLORS)}")
            continue
        bad = False
        for r in rrs:
            w = r.get("Weight")
            if not isinstance(w, int) or isinstance(w, bool) or not 0 <= w <= MAX_WEIGHT:
                problems.append(
                    f"{where} {r['SetIdentifier']}: weight {w!r} is not an integer 0..{MAX_WEIGHT}"
                )
                bad = True
        if bad:
            continue
        if all(r["Weight"] == 0 for r in rrs):
            problems.append(
                f"{where}: all weights are 0 (Route 53 then splits traffic equally between colours)"
            )
            continue
        groups.append(Group(name, rtype, {r["SetIdentifier"]: r for r in rrs}))
    if problems:
        raise RecordStateError(problems)
    return groups


def other(color: str) -> str:
    return next(c for c in COLORS if c != color)


def share(weights: dict[str, int], target: str) -> float:
    """Percentage of traffic the target gets (weights are never all zero here)."""
    total = sum(weights.values())
    return 100.0 * weights[target] / total if total else 0.0


def current_share(groups: list[Group], target: str) -> float:
    # The lowest share across groups: a step is only "done" when every record set has reached it.
    return min(share(g.weights(), target) for g in groups)


def step_weights(groups: list[Group], target: str, percent: int) -> Weights:
    """Weights of one step: target gets `percent` of 100, the other colour the rest."""
    return {g.key: {target: percent, other(target): 100 - percent} for g in groups}


def weights_of(groups: list[Group]) -> Weights:
    return {g.key: g.weights() for g in groups}


def check_not_all_zero(weights: Weights) -> None:
    for key, w in weights.items():
        if all(v == 0 for v in w.values()):
            raise ValueError(f"refusing to write all-zero weights for {key}")
        for c, v in w.items():
            if not 0 <= v <= MAX_WEIGHT:
                raise ValueError(f"refusing to write weight {v} for {key} {c}")


def weight_changes(groups: list[Group], weights: Weights) -> list[dict[str, Any]]:
    """UPSERTs that keep every other field of each record exactly as found (alias target,
    health evaluation) and change only Weight; all groups go into one atomic batch."""
    check_not_all_zero(weights)
    changes = []
    for g in groups:
        for color, rr in sorted(g.records.items()):
            new = copy.deepcopy(rr)
            new["Name"] = g.name  # `*`, not the `\052` escape Route 53 answered with
            new["Weight"] = weights[g.key][color]
            changes.append({"Action": "UPSERT", "ResourceRecordSet": new})
    return changes


def with_weights(groups: list[Group], weights: Weights) -> list[Group]:
    """The groups as they are after `weights` were written (to build later batches)."""
    out = []
    for g in groups:
        recs = {}
        for color, rr in g.records.items():
            new = dict(rr)
            new["Weight"] = weights[g.key][color]
            recs[color] = new
        out.append(Group(g.name, g.type, recs))
    return out


def describe_weights(weights: Weights) -> str:
    parts = []
    for key, w in weights.items():
        parts.append(f"{key}: " + "/".join(f"{c}={w[c]}" for c in COLORS))
    return "; ".join(parts)
