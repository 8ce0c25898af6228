"""`faas:edge`: the colour's load balancers, their access logs and the cluster zone's query logs."""

from __future__ import annotations

from dataclasses import dataclass

from components.config.reader import Reader, parse_cidr
from components.constants import DNSSEC_MODES

KEYS = {
    "deletionProtection",
    "accessLogExpiryDays",
    "queryLogRetentionDays",
    "dmzIngressCidrs",
    "dnssec",
}


@dataclass(frozen=True)
class EdgeConfig:
    deletion_protection: bool
    """Load-balancer deletion protection; also keeps the access-log bucket on destroy."""
    access_log_expiry_days: int
    query_log_retention_days: int
    dmz_ingress_cidrs: tuple[str, ...]
    """Who may reach the DMZ balancer on 443 (the internet by default)."""
    dnssec: str = "chain"
    """DNSSEC of the cluster zone: `chain` (signed, DS in parent), `sign`, `off` (docs/edge.md)."""


def read_edge(r: Reader) -> EdgeConfig:
    dmz_cidrs = r.str_list("dmzIngressCidrs", ["0.0.0.0/0"])
    for i, c in enumerate(dmz_cidrs):
        parse_cidr(c, f"{r.sub('dmzIngressCidrs')}[{i}]", r.problems)
    return EdgeConfig(
        deletion_protection=r.bool("deletionProtection", True),
        access_log_expiry_days=r.int("accessLogExpiryDays", 90, lo=1, hi=3650),
        query_log_retention_days=r.int("queryLogRetentionDays", 30, lo=1, hi=3653),
        dmz_ingress_cidrs=dmz_cidrs,
        dnssec=r.str("dnssec", "chain", choices=DNSSEC_MODES),
    )
