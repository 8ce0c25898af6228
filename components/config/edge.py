"""`faas:edge`: the colour's load balancers, their access logs and the cluster zone's query logs."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from components.config.reader import Reader, parse_cidr
from components.constants import DNSSEC_MODES, PRIVATE_IPV4_RANGES

KEYS = {
    "deletionProtection",
    "accessLogExpiryDays",
    "queryLogRetentionDays",
    "dmzIngressCidrs",
    "dnssec",
    "internalIngressCidrs",
}
PRIVATE_RANGES = tuple(ipaddress.IPv4Network(c) for c in PRIVATE_IPV4_RANGES)


@dataclass(frozen=True)
class EdgeConfig:
    deletion_protection: bool
    """Load-balancer deletion protection; also keeps the access-log bucket on destroy."""
    access_log_expiry_days: int
    """Days the access-log bucket keeps objects (an S3 lifecycle expiry, 1..3650)."""
    query_log_retention_days: int
    """Days CloudWatch keeps the cluster zone's query logs (a value CloudWatch Logs accepts)."""
    dmz_ingress_cidrs: tuple[str, ...]
    """Who may reach the DMZ balancer on 443 (the internet by default)."""
    dnssec: str = "chain"
    """DNSSEC of the cluster zone: `chain` (signed, DS in parent), `sign`, `off` (docs/edge.md)."""
    internal_ingress_cidrs: tuple[str, ...] = ()
    """Private ranges beyond the colour's VPC that may reach the internal balancer on 443."""


def read_edge(r: Reader) -> EdgeConfig:
    dmz_cidrs = r.str_list("dmzIngressCidrs", ["0.0.0.0/0"])
    for i, c in enumerate(dmz_cidrs):
        parse_cidr(c, f"{r.sub('dmzIngressCidrs')}[{i}]", r.problems)
    internal_cidrs = r.str_list("internalIngressCidrs", [])
    for i, c in enumerate(internal_cidrs):
        path = f"{r.sub('internalIngressCidrs')}[{i}]"
        net = parse_cidr(c, path, r.problems)
        if net is not None and not any(net.subnet_of(p) for p in PRIVATE_RANGES):
            r.problems.add(
                path,
                f"{c} is not inside a private range (10/8, 172.16/12, 192.168/16, 100.64/10): "
                "the internal entry point serves peered VPCs and on-premises networks, never "
                "the internet",
            )
    for dup in sorted({c for c in internal_cidrs if internal_cidrs.count(c) > 1}):
        r.problems.add(r.sub("internalIngressCidrs"), f"{dup} is listed twice")
    return EdgeConfig(
        deletion_protection=r.bool("deletionProtection", True),
        access_log_expiry_days=r.int("accessLogExpiryDays", 90, lo=1, hi=3650),
        query_log_retention_days=r.retention_days("queryLogRetentionDays", 30),
        dmz_ingress_cidrs=dmz_cidrs,
        dnssec=r.str("dnssec", "chain", choices=DNSSEC_MODES),
        internal_ingress_cidrs=internal_cidrs,
    )
