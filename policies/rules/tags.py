"""Required tags on every taggable AWS resource the platform creates (platform invariant)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from components.naming import REQUIRED_TAGS
from policies.framework import Resource, resource_rule, tags_of

# The taggable AWS types the platform uses. Listed (not "has a tags prop") so that a resource
# which forgot its tags entirely is still caught.
TAGGABLE = (
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:eks/addon:Addon",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:kms/key:Key",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:acm/certificate:Certificate",
    "aws:route53/zone:Zone",
    "aws:s3/bucket:Bucket",
    "aws:sqs/queue:Queue",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
)


@resource_rule(
    "required-tags",
    TAGGABLE,
    description=f"Taggable AWS resources carry the tags {', '.join(REQUIRED_TAGS)}.",
    source="platform invariant (components/naming.py REQUIRED_TAGS; cost and ownership reports)",
    severity="medium",
    level="mandatory",
    fix="Pass tags=naming.tags(env, color, name, component) from components/naming.py.",
)
def required_tags(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    tags = tags_of(res)
    missing = [t for t in REQUIRED_TAGS if not tags.get(t)]
    if missing:
        yield f"missing tags: {', '.join(missing)}"


RULES = [required_tags]
