"""VPC and security group rules (checkov CKV2_AWS_11/12, CKV_AWS_23/24/25/260/277/130)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from components.constants import PRIVATE_IPV4_RANGES
from policies.framework import (
    Hit,
    Resource,
    coverage,
    get,
    items,
    of_type,
    per_resource,
    referenced,
    resource_rule,
    stack_rule,
    strings,
    tags_of,
)
from policies.rules.loadbalancing import LOAD_BALANCER, is_internet_facing

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

WORLD = ("0.0.0.0/0", "::/0")
HTTPS = 443
# Pulumi's placeholder when `description` is omitted on a security group.
DEFAULT_DESCRIPTION = "Managed by Pulumi"


@stack_rule(
    "vpc-flow-logs",
    description="Every VPC records its traffic with a flow log.",
    source="checkov CKV2_AWS_11",
    severity="high",
    level="mandatory",
    fix="Add aws:ec2/flowLog:FlowLog(vpcId=vpc.id, trafficType='ALL') to a CloudWatch log group.",
)
def flow_logs(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    yield from coverage(
        of_type(resources, VPC),
        of_type(resources, FLOW_LOG),
        "vpcId",
        resources,
        VPC,
        lambda vpc: f"VPC {vpc.name} has no flow log",
    )


@resource_rule(
    "flow-log-all-traffic",
    [FLOW_LOG],
    description="Flow logs capture accepted and rejected traffic to CloudWatch Logs.",
    source="platform invariant (CIS AWS Foundations 3.9 records REJECT at least; we keep ALL)",
    severity="medium",
    level="mandatory",
    fix="Set trafficType='ALL' and logDestinationType='cloud-watch-logs'.",
)
def flow_log_all(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "trafficType") != "ALL":
        yield f"trafficType is {get(res.props, 'trafficType') or 'unset'}"
    destination = get(res.props, "logDestinationType", default="cloud-watch-logs")
    if destination != "cloud-watch-logs":
        yield f"logDestinationType is {destination}"


@stack_rule(
    "vpc-default-security-group-closed",
    description="Each VPC's default security group is managed and allows no traffic.",
    source="checkov CKV2_AWS_12",
    severity="high",
    level="mandatory",
    fix="Add aws:ec2/defaultSecurityGroup:DefaultSecurityGroup(vpcId=vpc.id) without rules.",
)
def default_sg_closed(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    groups = of_type(resources, DEFAULT_SG)

    def check(sg: Resource) -> Iterator[str]:
        if items(sg.props, "ingress") or items(sg.props, "egress"):
            yield "default security group has rules"

    yield from per_resource(groups, check)
    yield from coverage(
        of_type(resources, VPC),
        groups,
        "vpcId",
        resources,
        VPC,
        lambda vpc: f"VPC {vpc.name} leaves its default security group unmanaged",
    )


def dmz_security_groups(resources: Sequence[Resource]) -> set[str]:
    """URNs of the DMZ balancer's groups: tagged edge/-dmz, or used by an internet-facing LB."""
    found: set[str] = set()
    for sg in of_type(resources, SG):
        try:
            tags = tags_of(sg)
        except UnknownValueError:  # unknown tags cannot mark a group as DMZ
            continue
        if tags.get("Component") == "edge" and tags.get("Name", "").endswith("-dmz"):
            found.add(sg.urn)
    for lb in of_type(resources, LOAD_BALANCER):
        try:
            public = is_internet_facing(lb)
        except UnknownValueError:
            continue
        if public:
            found.update(sg.urn for sg in referenced(lb, "securityGroups", resources, SG))
    return found


def _world_open(cidrs: list[str]) -> list[str]:
    return [c for c in cidrs if c in WORLD]


def _only_https(protocol: Any, low: Any, high: Any) -> bool:
    return str(protocol).lower() in ("tcp", "6") and low == HTTPS and high == HTTPS


@stack_rule(
    "security-group-no-world-ingress",
    description="No ingress from 0.0.0.0/0 or ::/0, except TCP 443 on the DMZ balancer's group.",
    source="checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_277; platform invariant (DMZ 443)",
    severity="critical",
    level="mandatory",
    fix="Restrict the source to a CIDR or security group; only the DMZ NLB group may open 443.",
)
def no_world_ingress(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    dmz = dmz_security_groups(resources)

    def inline(sg: Resource) -> Iterator[str]:
        for rule in items(sg.props, "ingress"):
            cidrs = _world_open(strings(rule, "cidrBlocks") + strings(rule, "ipv6CidrBlocks"))
            low, high = get(rule, "fromPort"), get(rule, "toPort")
            if cidrs and not (sg.urn in dmz and _only_https(get(rule, "protocol"), low, high)):
                yield f"{sg.name} allows {','.join(cidrs)} on ports {low}-{high}"

    def separate(rule: Resource) -> Iterator[str]:
        if rule.type == SG_RULE:
            if get(rule.props, "type") != "ingress":
                return
            cidrs = strings(rule.props, "cidrBlocks") + strings(rule.props, "ipv6CidrBlocks")
            protocol = get(rule.props, "protocol")
        else:
            cidrs = strings(rule.props, "cidrIpv4") + strings(rule.props, "cidrIpv6")
            protocol = get(rule.props, "ipProtocol")
        cidrs = _world_open(cidrs)
        if not cidrs:
            return
        targets = {sg.urn for sg in referenced(rule, "securityGroupId", resources, SG)}
        low, high = get(rule.props, "fromPort"), get(rule.props, "toPort")
        if not (targets and targets <= dmz and _only_https(protocol, low, high)):
            yield f"{rule.name} allows {','.join(cidrs)} on ports {low}-{high}"

    yield from per_resource(of_type(resources, SG), inline)
    yield from per_resource(of_type(resources, SG_RULE, SG_INGRESS), separate)


def internal_security_groups(resources: Sequence[Resource]) -> set[str]:
    """URNs of the internal balancer's groups: tagged edge/-internal-lb, or used by an internal
    load balancer."""
    found: set[str] = set()
    for sg in of_type(resources, SG):
        try:
            tags = tags_of(sg)
        except UnknownValueError:
            continue
        if tags.get("Component") == "edge" and tags.get("Name", "").endswith("-internal-lb"):
            found.add(sg.urn)
    for lb in of_type(resources, LOAD_BALANCER):
        try:
            internal = get(lb.props, "internal") is True
        except UnknownValueError:
            continue
        if internal:
            found.update(sg.urn for sg in referenced(lb, "securityGroups", resources, SG))
    return found


_PRIVATE = tuple(ipaddress.ip_network(c) for c in PRIVATE_IPV4_RANGES)


def _not_private(cidrs: list[str]) -> list[str]:
    out = []
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            out.append(cidr)
            continue
        if net.version != 4 or not any(net.subnet_of(p) for p in _PRIVATE):
            out.append(cidr)
    return out


@stack_rule(
    "internal-entry-point-private-sources",
    description=(
        "The internal balancer takes clients only from private ranges (its VPC, peered VPCs, "
        "on-premises), never 0.0.0.0/0 or a public range."
    ),
    source="platform invariant (docs/edge.md: internal entry point; RFC 1918, RFC 6598)",
    severity="high",
    level="mandatory",
    fix=(
        "List peered and on-premises ranges in faas:edge.internalIngressCidrs (10/8, 172.16/12, "
        "192.168/16, 100.64/10); serve internet clients on the DMZ entry point."
    ),
)
def internal_private_sources(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    internal = internal_security_groups(resources)

    def inline(sg: Resource) -> Iterator[str]:
        for rule in items(sg.props, "ingress"):
            cidrs = strings(rule, "cidrBlocks") + strings(rule, "ipv6CidrBlocks")
            for cidr in _not_private(cidrs):
                yield f"{sg.name} accepts {cidr}"

    def separate(rule: Resource) -> Iterator[str]:
        targets = {sg.urn for sg in referenced(rule, "securityGroupId", resources, SG)}
        if not targets & internal:
            return
        if rule.type == SG_RULE:
            if get(rule.props, "type") != "ingress":
                return
            cidrs = strings(rule.props, "cidrBlocks") + strings(rule.props, "ipv6CidrBlocks")
        else:
            cidrs = strings(rule.props, "cidrIpv4") + strings(rule.props, "cidrIpv6")
        for cidr in _not_private(cidrs):
            yield f"{rule.name} opens the internal entry point to {cidr}"

    yield from per_resource([sg for sg in of_type(resources, SG) if sg.urn in internal], inline)
    yield from per_resource(of_type(resources, SG_RULE, SG_INGRESS), separate)


@resource_rule(
    "security-group-descriptions",
    [SG],
    description="Security groups and their inline rules say what they are for.",
    source="checkov CKV_AWS_23",
    severity="low",
    level="advisory",
    fix="Set description on the group and on every ingress/egress rule.",
)
def sg_descriptions(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "description", default=DEFAULT_DESCRIPTION) == DEFAULT_DESCRIPTION:
        yield "security group has no description"
    for direction in ("ingress", "egress"):
        for rule in items(res.props, direction):
            if not get(rule, "description"):
                yield f"an {direction} rule has no description"


@resource_rule(
    "subnet-no-public-ip-on-launch",
    [SUBNET],
    description="Subnets never hand out public IPs; NLBs and NAT gateways use their own EIPs.",
    source="checkov CKV_AWS_130; CIS EKS 5.4.3 (private nodes)",
    severity="high",
    level="mandatory",
    fix="Set mapPublicIpOnLaunch=false (the default) on every subnet.",
)
def no_public_ip_on_launch(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "mapPublicIpOnLaunch") is True:
        yield "mapPublicIpOnLaunch is true"


RULES = [
    flow_logs,
    flow_log_all,
    default_sg_closed,
    no_world_ingress,
    internal_private_sources,
    sg_descriptions,
    no_public_ip_on_launch,
]
