"""`faas:network`: the colour's VPC range, zones, NAT strategy and flow-log retention."""

from __future__ import annotations

from dataclasses import dataclass

from components.config import aws
from components.config.reader import Reader, missing, shown

MAX_AZS = 6  # AZ letters a..f index the subnet slots (components/network/subnets.py)
KEYS = {"cidr", "azs", "natStrategy", "flowLogRetentionDays"}
# The subnet layout (components/network/subnets.py) needs /16../20, within AWS's /16../28.
PREFIXES = (16, 20)


@dataclass(frozen=True)
class NetworkConfig:
    cidr: str
    """VPC CIDR, part of an RFC 1918 block, between /16 and /20."""
    azs: tuple[str, ...]
    """Availability zones of the region (at least 2; `components/config/aws_data.json`); each AZ's
    subnets are keyed on its letter, so stable."""
    nat_strategy: str
    """`perAz` (one NAT per AZ, production) or `single` (one shared NAT, cheaper non-prod)."""
    flow_log_retention_days: int
    """Days CloudWatch keeps the VPC flow logs (a value CloudWatch Logs accepts)."""


def read_network(r: Reader, region: str) -> NetworkConfig:
    cidr = r.network("cidr")
    if cidr is not None:
        for problem in aws.vpc_cidr_problems(cidr, PREFIXES, "to fit the subnets"):
            r.problems.add(r.sub("cidr"), problem)
    azs = r.str_list("azs")
    if len(azs) < 2 and not missing(r.raw.get("azs")):
        r.problems.add(r.sub("azs"), f"{list(azs)} has fewer than 2 availability zones")
    if len(azs) > MAX_AZS:
        r.problems.add(r.sub("azs"), f"{len(azs)} zones; at most {MAX_AZS} are supported")
    for i, az in enumerate(azs):
        if problem := aws.zone_problem(az, region):
            r.problems.add(f"{r.sub('azs')}[{i}]", f"{shown(az)} {problem}")
    for az in sorted({a for a in azs if azs.count(a) > 1}):
        r.problems.add(r.sub("azs"), f"{shown(az)} is listed twice")
    return NetworkConfig(
        cidr=str(cidr) if cidr else "",
        azs=azs,
        nat_strategy=r.str("natStrategy", "perAz", choices=("perAz", "single")),
        flow_log_retention_days=r.retention_days("flowLogRetentionDays", 90),
    )
