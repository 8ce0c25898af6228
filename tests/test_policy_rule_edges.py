"""Edge cases of the rules where a lenient check costs most, one table per rule.

`test_policy_rules.py` gives each rule one good, one bad and one unknown case; a rule made
lenient (an `and` turned `or`, a finding dropped, a default flipped) passes those. These tables
pin what the lenient variants get wrong: every port but 443 on the DMZ group, groups tagged for
the edge but not the DMZ, rules declared as separate resources (`SecurityGroupRule`,
`SecurityGroupIngressRule`), egress next to ingress, and properties whose omission AWS fills in
unsafely (`endpointPublicAccess` defaults to true, `internal` to internet-facing). `make mutation`
reports which mutants of these rules still survive (docs/testing.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules import RULES_BY_NAME
from tests.test_policy_rules import CLUSTER_OK, NLB_OK, R, evaluate, tags

VPC = "aws:ec2/vpc:Vpc"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LB = "aws:lb/loadBalancer:LoadBalancer"

DMZ_TAGS = tags("faas-dev-blue-dmz", "edge")
INTERNAL_TAGS = tags("faas-dev-blue-internal-lb", "edge")
NODE_TAGS = tags("faas-dev-blue-nodes", "compute")


def flagged(rule: str, example: Any) -> list[str]:
    """The rule's violations (deferred findings excluded) on `example`."""
    return [h.message for h in evaluate(RULES_BY_NAME[rule], example) if not h.deferred]


def inline(sg_tags: dict[str, str], *ingress: dict[str, Any]) -> list[R]:
    return [R(SG, "sg", {"description": "g", "ingress": list(ingress), "tags": sg_tags})]


def world(port: int, to: int | None = None, protocol: str = "tcp", v6: bool = False) -> dict:
    key = "ipv6CidrBlocks" if v6 else "cidrBlocks"
    cidr = "::/0" if v6 else "0.0.0.0/0"
    return {
        "protocol": protocol,
        "fromPort": port,
        "toPort": port if to is None else to,
        key: [cidr],
    }


def group(name: str, sg_tags: dict[str, str] | None = None) -> R:
    return R(SG, name, {"description": "g", "tags": sg_tags or NODE_TAGS})


def sg_rule(target: str, cidr: str, port: int = 443, kind: str = "ingress", proto: str = "tcp"):
    """A separate `aws.ec2.SecurityGroupRule` into the group named `target`."""
    props = {"type": kind, "protocol": proto, "fromPort": port, "toPort": port}
    props["ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"] = [cidr]
    return R(SG_RULE, f"{target}-{kind}-{port}", props, {"securityGroupId": [target]})


def ingress_rule(target: str, cidr: str, port: int = 443, proto: str = "tcp") -> R:
    """A separate `aws.vpc.SecurityGroupIngressRule` into the group named `target`."""
    props = {"ipProtocol": proto, "fromPort": port, "toPort": port}
    props["cidrIpv6" if ":" in cidr else "cidrIpv4"] = cidr
    return R(SG_INGRESS, f"{target}-in-{port}", props, {"securityGroupId": [target]})


def balancer(sg: str, **props: Any) -> R:
    return R(LB, "lb", {**NLB_OK, "securityGroups": ["sg-x"], **props}, {"securityGroups": [sg]})


# --- security-group-no-world-ingress: (id, resources, flagged?)
WORLD_INGRESS = [
    ("dmz-443", inline(DMZ_TAGS, world(443)), False),
    ("dmz-443-protocol-number", inline(DMZ_TAGS, world(443, protocol="6")), False),
    ("dmz-other-port", inline(DMZ_TAGS, world(22)), True),
    ("dmz-443-udp", inline(DMZ_TAGS, world(443, protocol="udp")), True),
    ("dmz-port-range-from-443", inline(DMZ_TAGS, world(443, 8443)), True),
    ("dmz-port-range-to-443", inline(DMZ_TAGS, world(80, 443)), True),
    ("dmz-ipv6-other-port", inline(DMZ_TAGS, world(80, v6=True)), True),
    ("edge-but-not-dmz", inline(INTERNAL_TAGS, world(443)), True),
    ("dmz-name-not-edge", inline(tags("faas-dev-blue-dmz", "network"), world(443)), True),
    ("nodes-443", inline(NODE_TAGS, world(443)), True),
    ("private-source", inline(NODE_TAGS, {**world(22), "cidrBlocks": ["10.0.0.0/8"]}), False),
    ("public-lb-group-443", [*inline(NODE_TAGS, world(443)), balancer("sg")], False),
    (
        "public-lb-by-default",
        [*inline(NODE_TAGS, world(443)), balancer("sg", internal=None)],
        False,
    ),
    (
        "internal-lb-group-443",
        [*inline(NODE_TAGS, world(443)), balancer("sg", internal=True)],
        True,
    ),
    ("rule-dmz-443", [group("dmz", DMZ_TAGS), sg_rule("dmz", "0.0.0.0/0")], False),
    ("rule-dmz-22", [group("dmz", DMZ_TAGS), sg_rule("dmz", "0.0.0.0/0", 22)], True),
    ("rule-dmz-443-udp", [group("dmz", DMZ_TAGS), sg_rule("dmz", "::/0", proto="udp")], True),
    ("rule-nodes-443", [group("nodes"), sg_rule("nodes", "0.0.0.0/0")], True),
    ("rule-egress-world", [group("nodes"), sg_rule("nodes", "0.0.0.0/0", 0, "egress")], False),
    ("rule-private-22", [group("nodes"), sg_rule("nodes", "10.1.0.0/16", 22)], False),
    ("ingress-dmz-443", [group("dmz", DMZ_TAGS), ingress_rule("dmz", "0.0.0.0/0")], False),
    ("ingress-dmz-22", [group("dmz", DMZ_TAGS), ingress_rule("dmz", "0.0.0.0/0", 22)], True),
    ("ingress-nodes-443-v6", [group("nodes"), ingress_rule("nodes", "::/0")], True),
    ("ingress-private", [group("nodes"), ingress_rule("nodes", "192.168.0.0/16", 22)], False),
    ("ingress-no-target", [group("dmz", DMZ_TAGS), ingress_rule("gone", "0.0.0.0/0")], True),
    (
        "ingress-dmz-and-nodes",
        [
            group("dmz", DMZ_TAGS),
            group("nodes"),
            R(
                SG_INGRESS,
                "both",
                {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
                {"securityGroupId": ["dmz", "nodes"]},
            ),
        ],
        True,
    ),
]


@pytest.mark.parametrize(("resources", "expected"), [c[1:] for c in WORLD_INGRESS],
                         ids=[c[0] for c in WORLD_INGRESS])  # fmt: skip
def test_world_ingress_edges(resources: list[R], expected: bool) -> None:
    assert bool(flagged("security-group-no-world-ingress", resources)) is expected


# --- internal-entry-point-private-sources
def internal_group(name: str = "internal", sg_tags: dict[str, str] | None = None) -> R:
    return group(name, sg_tags or INTERNAL_TAGS)


PRIVATE_SOURCES = [
    ("rule-rfc1918", [internal_group(), sg_rule("internal", "172.20.0.0/16")], False),
    ("rule-rfc6598", [internal_group(), ingress_rule("internal", "100.64.0.0/10")], False),
    ("rule-host-bits-set", [internal_group(), ingress_rule("internal", "10.1.2.3/8")], False),
    ("rule-world", [internal_group(), sg_rule("internal", "0.0.0.0/0")], True),
    ("rule-public-range", [internal_group(), ingress_rule("internal", "8.8.8.0/24")], True),
    ("rule-ipv6", [internal_group(), ingress_rule("internal", "fd00::/8")], True),
    ("rule-not-a-cidr", [internal_group(), ingress_rule("internal", "office")], True),
    ("rule-egress", [internal_group(), sg_rule("internal", "0.0.0.0/0", 0, "egress")], False),
    ("inline-world", inline(INTERNAL_TAGS, world(443)), True),
    ("inline-private", inline(INTERNAL_TAGS, {**world(443), "cidrBlocks": ["10.0.0.0/8"]}), False),
    ("inline-dmz-world", inline(DMZ_TAGS, world(443)), False),
    ("edge-but-dmz", [internal_group("dmz", DMZ_TAGS), sg_rule("dmz", "0.0.0.0/0")], False),
    (
        "name-not-edge",
        [internal_group("x", tags("a-internal-lb", "network")), sg_rule("x", "0.0.0.0/0")],
        False,
    ),  # fmt: skip
    (
        "internal-lb-group",
        [group("g"), sg_rule("g", "0.0.0.0/0"), balancer("g", internal=True)],
        True,
    ),  # fmt: skip
    ("public-lb-group", [group("g"), sg_rule("g", "0.0.0.0/0"), balancer("g")], False),
    ("unreferenced-group", [group("g"), sg_rule("g", "0.0.0.0/0")], False),
]


@pytest.mark.parametrize(("resources", "expected"), [c[1:] for c in PRIVATE_SOURCES],
                         ids=[c[0] for c in PRIVATE_SOURCES])  # fmt: skip
def test_internal_private_sources_edges(resources: list[R], expected: bool) -> None:
    assert bool(flagged("internal-entry-point-private-sources", resources)) is expected


# --- smaller rules of network.py
OTHER_NETWORK = [
    ("vpc-default-security-group-closed", "vpc-without-default-group", [R(VPC, "vpc", {})], True),
    (
        "vpc-default-security-group-closed",
        "egress-only",
        [
            R(VPC, "vpc", {}),
            R(DEFAULT_SG, "d", {"egress": [{"protocol": "-1"}]}, {"vpcId": ["vpc"]}),
        ],
        True,
    ),  # fmt: skip
    (
        "security-group-descriptions",
        "group-default-description",
        {"ingress": [{**world(443), "description": "https"}]},
        True,
    ),  # fmt: skip
    (
        "security-group-descriptions",
        "egress-without-description",
        {"description": "g", "egress": [{"protocol": "-1"}]},
        True,
    ),  # fmt: skip
    ("flow-log-all-traffic", "reject-only", {"trafficType": "REJECT"}, True),
    ("flow-log-all-traffic", "to-s3", {"trafficType": "ALL", "logDestinationType": "s3"}, True),
    ("flow-log-all-traffic", "destination-default", {"trafficType": "ALL"}, False),
    ("subnet-no-public-ip-on-launch", "omitted", {"cidrBlock": "10.0.0.0/20"}, False),
]


@pytest.mark.parametrize(("rule", "example", "expected"), [(c[0], *c[2:]) for c in OTHER_NETWORK],
                         ids=[c[1] for c in OTHER_NETWORK])  # fmt: skip
def test_network_rule_edges(rule: str, example: Any, expected: bool) -> None:
    assert bool(flagged(rule, example)) is expected


# --- eks.py: properties AWS defaults unsafely when omitted
def cluster(**vpc: Any) -> dict[str, Any]:
    """CLUSTER_OK with vpcConfig keys replaced; a value of None removes the key."""
    merged = {**CLUSTER_OK["vpcConfig"], **vpc}
    return {**CLUSTER_OK, "vpcConfig": {k: v for k, v in merged.items() if v is not None}}


def without(props: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != key}


EKS = [
    (
        "eks-public-endpoint-restricted",
        "public-access-omitted-no-cidrs",
        cluster(endpointPublicAccess=None, publicAccessCidrs=None),
        True,
    ),  # fmt: skip
    (
        "eks-public-endpoint-restricted",
        "public-access-omitted-world",
        cluster(endpointPublicAccess=None, publicAccessCidrs=["0.0.0.0/0"]),
        True,
    ),  # fmt: skip
    (
        "eks-public-endpoint-restricted",
        "public-access-omitted-known-cidrs",
        cluster(endpointPublicAccess=None),
        False,
    ),  # fmt: skip
    (
        "eks-public-endpoint-restricted",
        "private-only-world-listed",
        cluster(endpointPublicAccess=False, publicAccessCidrs=["0.0.0.0/0"]),
        False,
    ),  # fmt: skip
    (
        "eks-public-endpoint-restricted",
        "world-among-others",
        cluster(publicAccessCidrs=["203.0.113.0/24", "::/0"]),
        True,
    ),  # fmt: skip
    (
        "eks-private-endpoint-enabled",
        "private-access-omitted",
        cluster(endpointPrivateAccess=None),
        True,
    ),  # fmt: skip
    (
        "eks-secrets-encryption",
        "no-key-arn",
        {**CLUSTER_OK, "encryptionConfig": {"resources": ["secrets"], "provider": {}}},
        True,
    ),
    (
        "eks-secrets-encryption",
        "not-secrets",
        {
            **CLUSTER_OK,
            "encryptionConfig": {"resources": ["configmaps"], "provider": {"keyArn": "arn:k"}},
        },
        True,
    ),  # fmt: skip
    ("eks-supported-version", "version-omitted", without(CLUSTER_OK, "version"), True),
    ("eks-supported-version", "version-outside", {**CLUSTER_OK, "version": "1.28"}, True),
    (
        "eks-control-plane-logging",
        "one-type-missing",
        {**CLUSTER_OK, "enabledClusterLogTypes": ["api", "audit", "authenticator", "scheduler"]},
        True,
    ),  # fmt: skip
    ("eks-authentication-mode-api", "config-map", {**CLUSTER_OK, "accessConfig": {}}, True),
]


@pytest.mark.parametrize(("rule", "props", "expected"), [(c[0], *c[2:]) for c in EKS],
                         ids=[c[1] for c in EKS])  # fmt: skip
def test_eks_rule_edges(rule: str, props: dict[str, Any], expected: bool) -> None:
    assert bool(flagged(rule, props)) is expected
