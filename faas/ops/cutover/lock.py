"""The cutover lock and the outcome record: TXT records in the environment zone itself.

Route 53 is the lock service: a CREATE of a record that already exists fails the whole batch
(`InvalidChangeBatch`, "already exists"), so two operators cannot both acquire it. The value carries
owner, time, target and the starting weights of every record set, so a rerun after a crash can show
how old the lock is and roll back to exactly where the crashed run started. Values are TXT strings
of `key=value` words, readable with `dig TXT _faas-cutover-lock.faas.<domain>`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
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


def words(value: str) -> list[tuple[str, str]]:
    """Every `key=value` word of a TXT value, in order (a key may repeat: one `set` per record
    set)."""
    out = []
    for word in re.findall(r'"([^"]*)"', value):
        k, sep, v = word.partition("=")
        if sep:
            out.append((k, v))
    return out


def decode(value: str) -> dict[str, str]:
    return dict(words(value))


# The starting weights of every record set, one `set=<name>,<type>,blue:W,green:W` word each, so
# a rerun after a crash restores exactly what the crashed run found, whatever the sets' weights
# were (equal or not). A name too long for one 255-character word is written as a hash of
# `<name> <type>`, matched against the sets found at the rerun.
_HASH = 16


def _ref(key: str) -> str:
    name, _, rtype = key.rpartition(" ")
    plain = f"{name},{rtype}"
    if len(plain) <= 200 and re.fullmatch(r'[^\s"\\,]+,[A-Z]+', plain):
        return plain
    return "#" + hashlib.sha256(key.encode()).hexdigest()[:_HASH]


def encode_start(start: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    """(`set`, value) words for `start` (record set key -> colour -> weight)."""
    return [
        ("set", ",".join([_ref(key), *(f"{c}:{int(w[c])}" for c in COLORS)]))
        for key, w in sorted(start.items())
    ]


def decode_start(pairs: list[tuple[str, str]]) -> dict[str, dict[str, int]] | None:
    """Record set reference -> colour -> weight, from the `set` words; None when there are none
    (a lock written by an older version records only `start=`) or one is unreadable."""
    out: dict[str, dict[str, int]] = {}
    for key, value in pairs:
        if key != "set":
            continue
        parts = value.split(",")
        try:
            weights = dict(p.split(":", 1) for p in parts[-len(COLORS) :])
            out[",".join(parts[: -len(COLORS)])] = {c: int(weights[c]) for c in COLORS}
        except (KeyError, ValueError):
            return None
    return out or None


def _decode_uniform(text: str) -> dict[str, int] | None:
    """The older `start=blue:W,green:W` word: one set of weights for every record set."""
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
    start: dict[str, dict[str, int]] | None  # record set reference -> weights when it began
    start_uniform: dict[str, int] | None = None  # older locks: one weight pair for every set

    def age(self, now: float) -> float:
        return now - self.acquired

    def start_for(self, keys: list[str]) -> dict[str, dict[str, int]] | None:
        """The recorded starting weights of the record sets `keys` (`<name> <type>`); None
        unless the lock records every one of them."""
        if self.start is not None:
            found = {k: self.start.get(_ref(k)) for k in keys}
            if all(w is not None for w in found.values()):
                return {k: dict(w) for k, w in found.items() if w is not None}
            return None
        if self.start_uniform is not None:
            return {k: dict(self.start_uniform) for k in keys}
        return None


def _txt(name: str, value: str) -> dict[str, Any]:
    return {"Name": name, "Type": "TXT", "TTL": LOCK_TTL, "ResourceRecords": [{"Value": value}]}


def parse_lock(name: str, value: str) -> LockInfo:
    pairs = words(value)
    f = dict(pairs)
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
        start=decode_start(pairs),
        start_uniform=_decode_uniform(f.get("start", "")),
    )


def read_lock(zone: str, rrsets: list[dict[str, Any]]) -> LockInfo | None:
    return read_lock_named(normalise_name(cutover_lock_name(zone)), rrsets)


def read_lock_named(name: str, rrsets: list[dict[str, Any]]) -> LockInfo | None:
    for rr in rrsets:
        if normalise_name(rr["Name"]) == name and rr["Type"] == "TXT":
            value = " ".join(r["Value"] for r in rr.get("ResourceRecords", []))
            return parse_lock(name, value)
    return None


MAX_TXT = 4000  # Route 53: characters in one TXT value


class LockTooLarge(ValueError):
    pass


def new_lock(
    zone: str, owner: str, now: float, target: str, start: dict[str, dict[str, int]]
) -> LockInfo:
    """The lock this run will CREATE; `start` is every record set's weights (set key -> colour
    -> weight), recorded so a rerun after a crash can restore them exactly."""
    # `run` tells two runs' locks apart, so taking over a crashed run's lock (DELETE + CREATE in
    # one batch) never deletes and creates the very same record.
    head = {
        "owner": owner,
        "time": iso(now),
        "epoch": str(int(now)),
        "to": target,
        "run": secrets.token_hex(4),
    }
    value = " ".join([encode(head), *(encode({k: v}) for k, v in encode_start(start))])
    if len(value) > MAX_TXT:
        raise LockTooLarge(
            f"the starting weights of {len(start)} record sets do not fit in one lock record "
            f"({len(value)} > {MAX_TXT} characters)"
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
            # Route 53's refusal does not say who won: read the lock back to name its holder.
            holder = _holder(aws, zone_id, lock.name) or broken or lock
            raise LockHeld(holder, now) from exc
        raise
    return dict(resp["ChangeInfo"])


def _holder(aws: Aws, zone_id: str, name: str) -> LockInfo | None:
    """The lock record as it is now; None when it is gone or cannot be read."""
    try:
        resp = aws.call(
            "route53",
            "list_resource_record_sets",
            HostedZoneId=zone_id,
            StartRecordName=name,
            StartRecordType="TXT",
            MaxItems="1",
        )
    except AwsCallFailed:
        return None
    return read_lock_named(name, resp.get("ResourceRecordSets", []))


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


def release_quietly(aws: Aws, zone_id: str, lock: LockInfo) -> str:
    """Drop our lock after a refusal; "" when done, else a note for the message."""
    try:
        release(aws, zone_id, lock)
    except AwsCallFailed as exc:
        return f"; our lock could not be released ({exc}): rerun with --break-lock"
    return ""


def release_noting(
    aws: Aws, zone_id: str, zone: str, lock: LockInfo, outcome: str, done: str
) -> str:
    """Record the outcome and unlock once the weights are final; "" when done, else a warning
    (the exit code stays the traffic's outcome; the lock stays for the next run to break)."""
    try:
        release_with_outcome(aws, zone_id, zone, lock, outcome)
    except AwsCallFailed as exc:
        return (
            f"{done}, but recording the outcome and releasing the lock failed ({exc}); the lock "
            "is left: the next cutover must pass --break-lock."
        )
    return ""


def rollback_origin(resuming: bool, recorded: dict[str, dict[str, int]] | None) -> str:
    """What a rollback restores, in words for the message."""
    if recorded is not None:
        return "where the crashed run started"
    if resuming:
        return (
            "the weights found when this run took over the lock (the crashed run's lock does not "
            "record its starting weights)"
        )
    return "the starting weights"


def strongest(weights: dict[str, dict[str, int]]) -> str | None:
    """The colour with the highest weight in the first record set, if one is strictly highest."""
    values = list(weights.values())
    if not values:
        return None
    w = values[0]
    best = max(w, key=lambda c: w[c])
    return best if all(w[c] < w[best] for c in w if c != best) else None
