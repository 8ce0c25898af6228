"""Subnet CIDRs computed from the VPC CIDR, keyed on each AZ's letter so they never move.

Layout for a VPC of prefix P (16..20): private subnets are /(P+3) in slots 0..5 (the first three
quarters of the VPC: room for pods, which take VPC addresses with the VPC CNI); public subnets are
/(P+6) in the last quarter (only load balancers and NAT gateways live there). The slot is the AZ
letter (a=0 … f=5), not the AZ's position in the list, so adding, removing or reordering zones never
changes an existing subnet's CIDR (which would replace it, and everything in it).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

MAX_SLOTS = 6


@dataclass(frozen=True)
class AzSubnets:
    az: str
    private: str
    public: str


def az_slot(az: str) -> int:
    slot = ord(az[-1]) - ord("a")
    if not 0 <= slot < MAX_SLOTS:
        raise ValueError(f"availability zone {az!r} has no subnet slot (letters a-f)")
    return slot


def allocate(vpc_cidr: str, azs: tuple[str, ...] | list[str]) -> list[AzSubnets]:
    vpc = ipaddress.IPv4Network(vpc_cidr)
    if not 16 <= vpc.prefixlen <= 20:
        raise ValueError(f"VPC {vpc} must be between /16 and /20")
    private = list(vpc.subnets(new_prefix=vpc.prefixlen + 3))  # 8 slots; 0..5 used
    last_quarter = list(vpc.subnets(new_prefix=vpc.prefixlen + 2))[3]
    public = list(last_quarter.subnets(new_prefix=vpc.prefixlen + 6))  # 16 slots; 0..5 used
    return [AzSubnets(az, str(private[az_slot(az)]), str(public[az_slot(az)])) for az in azs]
