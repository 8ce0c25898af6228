"""What AWS accepts, pinned: regions and their availability zones, CloudWatch Logs retention values,
the EKS service-range rules and the VPC range rules.

The tables live in `aws_data.json` beside this module, each with the URL it was taken from and the
date; `tests/test_aws_tables.py` compares them with the installed botocore (regions, retention
values, EKS rules) and moto (zone names). Pure data and predicates: no boto3, no network, so the
config reader, `faas new-env` and the commands' argument checks all use the same facts offline.
Each `*_problem(s)` function returns what is wrong in words, for the reader's messages.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("aws_data.json")
_DATA: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))

REGIONS: tuple[str, ...] = tuple(_DATA["regions"]["names"])
ZONES: dict[str, tuple[str, ...]] = {
    region: tuple(region + letter for letter in letters)
    for region, letters in _DATA["availabilityZones"]["letters"].items()
}
RETENTION_DAYS: tuple[int, ...] = tuple(_DATA["logRetentionDays"]["values"])
EKS_SERVICE_BLOCKS = tuple(ipaddress.IPv4Network(b) for b in _DATA["eksServiceCidr"]["blocks"])
EKS_SERVICE_PREFIXES: tuple[int, int] = tuple(_DATA["eksServiceCidr"]["prefixes"])  # type: ignore[assignment]
VPC_BLOCKS = tuple(ipaddress.IPv4Network(b) for b in _DATA["vpcCidr"]["blocks"])
VPC_PREFIXES: tuple[int, int] = tuple(_DATA["vpcCidr"]["prefixes"])  # type: ignore[assignment]


def source(table: str) -> str:
    """`<url> (taken <date>)` of one table, for messages and docs."""
    entry = _DATA[table]
    return f"{entry['source']} (taken {entry['retrieved']})"


def suggest(value: object, choices: tuple[str, ...] | list[str] | set[str]) -> str:
    """` (did you mean 'x'?)` when `value` is a near miss of one of `choices`, else ``."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def is_region(name: object) -> bool:
    return isinstance(name, str) and name in ZONES


def region_problem(name: str) -> str | None:
    if is_region(name):
        return None
    return (
        f"is not an AWS region{suggest(name, REGIONS)} (the regions are pinned in "
        "components/config/aws_data.json)"
    )


def zones(region: str) -> tuple[str, ...]:
    """The zone names of `region` (empty for an unknown region), in letter order."""
    return ZONES.get(region, ())


def zone_problem(az: str, region: str) -> str | None:
    """Why `az` cannot be used in `region` (None when it can)."""
    if not is_region(region):
        return None  # the region itself is reported
    if az in ZONES[region]:
        return None
    owner = next((r for r, names in ZONES.items() if az in names), None)
    if owner:
        return f"is not in region {region} (it is a zone of {owner})"
    return f"is not an availability zone of {region} ({', '.join(ZONES[region])})"


def retention_problem(days: int) -> str | None:
    if days in RETENTION_DAYS:
        return None
    nearest = min(RETENTION_DAYS, key=lambda v: (abs(v - days), v))
    return (
        f"{days} is not a retention CloudWatch Logs accepts "
        f"({', '.join(map(str, RETENTION_DAYS))}); the nearest is {nearest}"
    )


def _inside(net: ipaddress.IPv4Network, blocks: tuple[ipaddress.IPv4Network, ...]) -> bool:
    return any(net.subnet_of(b) for b in blocks)


def service_cidr_problems(net: ipaddress.IPv4Network) -> list[str]:
    """EKS refuses a service range outside the RFC 1918 blocks or outside /12../24."""
    out = []
    if not _inside(net, EKS_SERVICE_BLOCKS):
        out.append(
            f"{net} is not inside {', '.join(map(str, EKS_SERVICE_BLOCKS))} (EKS requires it)"
        )
    lo, hi = EKS_SERVICE_PREFIXES
    if not lo <= net.prefixlen <= hi:
        out.append(f"{net} must be between /{lo} and /{hi} (EKS requires it)")
    return out


def vpc_cidr_problems(
    net: ipaddress.IPv4Network, prefixes: tuple[int, int] | None = None, why: str = "AWS VPC sizes"
) -> list[str]:
    """A VPC range must be part of an RFC 1918 block (loopback, link-local and public ranges are
    not) and of a size AWS accepts; `prefixes` narrows the size (never beyond AWS's)."""
    out = []
    if not _inside(net, VPC_BLOCKS):
        out.append(
            f"{net} is not a private (RFC 1918) range: "
            f"use part of {', '.join(map(str, VPC_BLOCKS))}"
        )
    lo, hi = prefixes or VPC_PREFIXES
    lo, hi = max(lo, VPC_PREFIXES[0]), min(hi, VPC_PREFIXES[1])
    if not lo <= net.prefixlen <= hi:
        out.append(f"{net} must be between /{lo} and /{hi} ({why})")
    return out
