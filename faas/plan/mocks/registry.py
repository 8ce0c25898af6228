"""The pieces every mock output builder shares: the account, region tables, digests, the registry.

Builders register per resource type with `@builds(type)`; `faas.plan.mocks.AwsMocks` looks them up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

ACCOUNT_ID = "123456789012"

# Canonical hosted zone ids of network load balancers per region (for alias records); from the
# "Elastic Load Balancing endpoints and quotas" page of the AWS General Reference.
NLB_ZONE_IDS = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-west-2": "Z18D5FSROUN65G",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-central-1": "Z3F0SRJ5LGBH90",
}
# Account that delivers ELB access logs, per region (ELB access-log bucket policies).
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
}


def digest(*parts: str, n: int = 17) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:n]


def validation_record(domain: str) -> dict[str, str]:
    """ACM's DNS validation CNAME for a name: a function of the name (and account) only, which is
    why blue's and green's certificates share the records of the environment names."""
    bare = domain[2:] if domain.startswith("*.") else domain
    token = digest(ACCOUNT_ID, bare, n=32)
    return {
        "domainName": domain,
        "resourceRecordName": f"_{token}.{bare}.",
        "resourceRecordType": "CNAME",
        "resourceRecordValue": f"_{digest('acm', bare, n=32)}.xlfgrmvvlj.acm-validations.aws.",
    }


Builder = Callable[[Any, str, dict], tuple[str, dict]]
BUILDERS: dict[str, Builder] = {}


def builds(*types: str):
    def register(fn: Builder) -> Builder:
        for t in types:
            BUILDERS[t] = fn
        return fn

    return register


def _prefixed(prefix: str, service: str, kind: str):
    def build(m: Any, name: str, inputs: dict):
        rid = f"{prefix}-{m._hex(kind, name)}"
        return rid, {"arn": m._arn(service, f"{kind}/{rid}")}

    return build


for _t, _p, _k in [
    ("aws:ec2/subnet:Subnet", "subnet", "subnet"),
    ("aws:ec2/internetGateway:InternetGateway", "igw", "internet-gateway"),
    ("aws:ec2/natGateway:NatGateway", "nat", "natgateway"),
    ("aws:ec2/routeTable:RouteTable", "rtb", "route-table"),
    ("aws:ec2/securityGroup:SecurityGroup", "sg", "security-group"),
    ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "sg", "security-group"),
    ("aws:ec2/flowLog:FlowLog", "fl", "vpc-flow-log"),
    ("aws:ec2/routeTableAssociation:RouteTableAssociation", "rtbassoc", "route-table-association"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "sgr", "security-group-rule"),
    ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "sgr", "security-group-rule"),
]:
    BUILDERS[_t] = _prefixed(_p, "ec2", _k)


def named(m: Any, name: str, inputs: dict) -> str:
    """Physical name: the explicit `name` input, else Pulumi's auto-name (logical name + suffix)."""
    return inputs.get("name") or f"{name}-{m._hex('autoname', name, 7)}"
