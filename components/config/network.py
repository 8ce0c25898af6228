"""`faas:network`: the colour's VPC range, zones, NAT strategy and flow-log retention."""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.config.reader import Reader

MAX_AZS = 6  # AZ letters a..f index the subnet slots (components/network/subnets.py)
KEYS = {"cidr", "azs", "natStrategy", "flowLogRetentionDays"}
_AZ_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-f]$")


@dataclass(frozen=True)
class NetworkConfig:
    cidr: str
    """VPC CIDR, a private range between /16 and /20."""
    azs: tuple[str, ...]
    """Availability zones (at least 2); each AZ's subnets are keyed on its letter, so stable."""
    nat_strategy: str
    """`perAz` (one NAT per AZ, production) or `single` (one shared NAT, cheaper non-prod)."""
    flow_log_retention_days: int
    """Days CloudWatch keeps the VPC flow logs."""


def read_network(r: Reader, region: str) -> NetworkConfig:
    cidr = r.network("cidr")
    if cidr is not None:
        if not cidr.is_private:
            r.problems.add(r.sub("cidr"), f"{cidr} is not a private (RFC 1918) range")
        if not 16 <= cidr.prefixlen <= 20:
            r.problems.add(r.sub("cidr"), f"{cidr} must be between /16 and /20 to fit the subnets")
    azs = r.str_list("azs")
    if len(azs) < 2:
        r.problems.add(r.sub("azs"), f"{list(azs)} has fewer than 2 availability zones")
    if len(azs) > MAX_AZS:
        r.problems.add(r.sub("azs"), f"{len(azs)} zones; at most {MAX_AZS} are supported")
    for i, az in enumerate(azs):
        if not _AZ_RE.match(az):
            r.problems.add(f"{r.sub('azs')}[{i}]", f"{az!r} is not an availability zone name")
        elif region and not az.startswith(region):
            r.problems.add(f"{r.sub('azs')}[{i}]", f"{az!r} is not in region {region}")
    for az in sorted({a for a in azs if azs.count(a) > 1}):
        r.problems.add(r.sub("azs"), f"{az!r} is listed twice")
    return NetworkConfig(
        cidr=str(cidr) if cidr else "",
        azs=azs,
        nat_strategy=r.str("natStrategy", "perAz", choices=("perAz", "single")),
        flow_log_retention_days=r.int("flowLogRetentionDays", 90, lo=1, hi=3653),
    )
