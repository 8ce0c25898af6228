"""The cutover lock and the outcome record: TXT records in the environment zone itself.

Route 53 is the lock service: a CREATE of a record that already exists fails the whole batch
(`InvalidChangeBatch`, "already exists"), so two operators cannot both acquire it. The value carries
owner, time, target and the starting weights, so a rerun after a crash can show how old the lock is
and roll back to where the crashed run started. Values are TXT strings of `key=value` words,
readable with `dig TXT _faas-cutover-lock.faas.<domain>`.
"""

from __future__ import annotations

import re
import time as _time
from dataclasses import dataclass
from typing import Any

from components.naming import COLORS, cutover_lock_name, cutover_state_name

from .aws import Aws, AwsCallFailed
from .records import normalise_name

LOCK_TTL = 60


class LockHeld(Exception):
    def __init__(self, info: LockInfo, now: float) -> None:
        age = info.age(now)
        super().__init__(
            f"cutover lock {info.name} is held by {info.owner} since {iso(info.acquired)} "
            f"(age {format_age(age)}, moving to {info.target}); if that run is dead, inspect the "
            "weights and rerun with --break-lock"
        )
        self.info = info


def iso(epoch: float) -> str:
    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(epoch))


def format_age(seconds: float) -> str:
    s = int(max(0, seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


def encode(fields: dict[str, str]) -> str:
    # Each word is its own TXT character-string (<= 255 chars each); no quotes or spaces inside.
    for k, v in fields.items():
        if re.search(r'[\s"\\]', v) or len(k) + len(v) + 1 > 255:
            raise ValueError(f"TXT field {k}={v!r} is not a plain word")
    return " ".join(f'"{k}={v}"' for k, v in fields.items())


def decode(value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in re.findall(r'"([^"]*)"', value):
        k, sep, v = word.partition("=")
        if sep:
            out[k] = v
    return out


def encode_start(start: dict[str, int] | None) -> str:
    return ",".join(f"{c}:{start[c]}" for c in COLORS) if start else "unknown"


def decode_start(text: str) -> dict[str, int] | None:
    try:
        pairs = dict(p.split(":", 1) for p in text.split(","))
        start = {c: int(pairs[c]) for c in COLORS}
    except (KeyError, ValueError):
        return None
    return start if any(start.values()) else None


@dataclass(frozen=True)
class LockInfo:
    name: str
    value: str  # the exact TXT value, needed to DELETE it
    owner: str
    acquired: float
    target: str
    start: dict[str, int] | None  # per-colour weights when the locking run began (if uniform)

    def age(self, now: float) -> float:
        return now - self.acquired


def _txt(name: str, value: str) -> dict[str, Any]:
    return {"Name": name, "Type": "TXT", "TTL": LOCK_TTL, "ResourceRecords": [{"Value": value}]}


def parse_lock(name: str, value: str) -> LockInfo:
    f = decode(value)
    try:
        acquired = float(f.get("epoch", "0"))
    except ValueError:
        acquired = 0.0
    return LockInfo(
        name=name,
        value=value,
        owner=f.get("owner", "unknown"),
        acquired=acquired,
        target=f.get("to", "unknown"),
        start=decode_start(f.get("start", "")),
    )


def read_lock(zone: str, rrsets: list[dict[str, Any]]) -> LockInfo | None:
    name = normalise_name(cutover_lock_name(zone))
    for rr in rrsets:
        if normalise_name(rr["Name"]) == name and rr["Type"] == "TXT":
            value = " ".join(r["Value"] for r in rr.get("ResourceRecords", []))
            return parse_lock(name, value)
    return None


def new_lock(
    zone: str, owner: str, now: float, target: str, start: dict[str, int] | None
) -> LockInfo:
    value = encode(
        {
            "owner": owner,
            "time": iso(now),
            "epoch": str(int(now)),
            "to": target,
            "start": encode_start(start),
        }
    )
    return parse_lock(normalise_name(cutover_lock_name(zone)), value)


def acquire(
    aws: Aws, zone_id: str, lock: LockInfo, broken: LockInfo | None, now: float
) -> dict[str, Any]:
    """CREATE the lock (after DELETE of a stale one, in the same atomic batch)."""
    changes: list[dict[str, Any]] = []
    if broken is not None:
        # DELETE must match the record exactly; in one batch with the CREATE, so nobody else can
        # slip in between breaking and taking the lock.
        changes.append({"Action": "DELETE", "ResourceRecordSet": _txt(broken.name, broken.value)})
    changes.append({"Action": "CREATE", "ResourceRecordSet": _txt(lock.name, lock.value)})
    try:
        resp = aws.call(
            "route53",
            "change_resource_record_sets",
            HostedZoneId=zone_id,
            ChangeBatch={"Comment": f"faas cutover lock by {lock.owner}", "Changes": changes},
        )
    except AwsCallFailed as exc:
        # Someone created the lock between our read and our CREATE (or changed the one we broke).
        if exc.code in ("InvalidChangeBatch", "InvalidInput"):
            holder = broken or lock
            raise LockHeld(holder, now) from exc
        raise
    return dict(resp["ChangeInfo"])


def outcome_value(active: str, result: str, operator: str, now: float, source: str) -> str:
    return encode(
        {"active": active, "result": result, "from": source, "operator": operator, "time": iso(now)}
    )


def release_with_outcome(
    aws: Aws, zone_id: str, zone: str, lock: LockInfo, outcome: str
) -> dict[str, Any]:
    """Record the outcome and drop the lock in one batch: either both happen or neither."""
    state = _txt(normalise_name(cutover_state_name(zone)), outcome)
    resp = aws.call(
        "route53",
        "change_resource_record_sets",
        HostedZoneId=zone_id,
        ChangeBatch={
            "Comment": "faas cutover outcome",
            "Changes": [
                {"Action": "UPSERT", "ResourceRecordSet": state},
                {"Action": "DELETE", "ResourceRecordSet": _txt(lock.name, lock.value)},
            ],
        },
    )
    return dict(resp["ChangeInfo"])


def read_outcome(zone: str, rrsets: list[dict[str, Any]]) -> dict[str, str] | None:
    name = normalise_name(cutover_state_name(zone))
    for rr in rrsets:
        if normalise_name(rr["Name"]) == name and rr["Type"] == "TXT":
            return decode(" ".join(r["Value"] for r in rr.get("ResourceRecords", [])))
    return None


def release(aws: Aws, zone_id: str, lock: LockInfo) -> None:
    """Drop our lock without recording an outcome (a run that stopped before changing weights)."""
    aws.call(
        "route53",
        "change_resource_record_sets",
        HostedZoneId=zone_id,
        ChangeBatch={
            "Comment": "faas cutover unlock",
            "Changes": [{"Action": "DELETE", "ResourceRecordSet": _txt(lock.name, lock.value)}],
        },
    )
