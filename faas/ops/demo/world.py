"""Builds, in the local AWS API, the side of one environment the cutover reads, named and placed as
the stacks create it: the zone `faas.<baseDomain>` with one weighted alias record set per entry
point (DMZ, internal), and per colour the EKS cluster `faas-<env>-<colour>` with its node groups
and two NLBs (`faas-<env>-<colour>-dmz`, internet-facing; `-internal`) with a TLS listener and an
IP target group.

The listeners carry an imported certificate covering the environment names: moto issues imported
certificates as ISSUED, while requested ones stay PENDING_VALIDATION. A registered target counts
as healthy in moto; an empty target group is what Route 53 treats as unhealthy
(docs/sources/dns-cutover.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from components.naming import (
    COLORS,
    cluster_name,
    env_entry_names,
    env_zone_name,
    resource_name,
)

from .local_https import self_signed


@dataclass(frozen=True)
class Shape:
    """What the world is built from: the environment stack's and colour stacks' facts."""

    env: str = "dev"
    base_domain: str = "dev.example.com"
    region: str = "us-east-1"
    azs: tuple[str, ...] = ("us-east-1a", "us-east-1b")
    node_groups: tuple[str, ...] = ("system", "functions")  # roles under the cluster name
    port: int = 8080  # the target groups' port (the gateways' container port)

    @property
    def zone(self) -> str:
        return env_zone_name(self.base_domain)


@dataclass
class World:
    zone_id: str
    shape: Shape = field(default_factory=Shape)
    lbs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # colour -> entry -> lb
    target_groups: dict[str, dict[str, str]] = field(default_factory=dict)  # colour -> entry -> arn

    def _r53(self) -> Any:
        return boto3.client("route53", region_name=self.shape.region)

    def weights(self) -> dict[str, dict[str, int]]:
        """Record name -> colour -> weight, read back from the server."""
        out: dict[str, dict[str, int]] = {}
        rrs = self._r53().list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]
        for rr in rrs:
            if rr.get("SetIdentifier") in COLORS:
                name = rr["Name"].replace("\\052", "*")
                out.setdefault(name, {})[rr["SetIdentifier"]] = rr["Weight"]
        return out

    def txt(self, name: str) -> list[str]:
        rrs = self._r53().list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]
        return [
            r["Value"]
            for rr in rrs
            if rr["Type"] == "TXT" and rr["Name"].rstrip(".") == name.rstrip(".")
            for r in rr["ResourceRecords"]
        ]

    def set_weights(self, weights: dict[str, int], **overrides: Any) -> None:
        """UPSERT every record set with `weights` (colour -> weight); overrides edit the records."""
        changes = []
        for entry, name in env_entry_names(self.shape.base_domain).items():
            for color in COLORS:
                lb = self.lbs[color][entry]
                rr: dict[str, Any] = {
                    "Name": name + ".",
                    "Type": "A",
                    "SetIdentifier": color,
                    "Weight": weights[color],
                    "AliasTarget": {
                        "HostedZoneId": lb["CanonicalHostedZoneId"],
                        "DNSName": lb["DNSName"],
                        "EvaluateTargetHealth": True,
                    },
                }
                rr.update(overrides)
                changes.append({"Action": "UPSERT", "ResourceRecordSet": rr})
        self._r53().change_resource_record_sets(
            HostedZoneId=self.zone_id, ChangeBatch={"Changes": changes}
        )


def build_world(
    active: str = "blue",
    healthy: bool = True,
    shape: Shape | None = None,
    weights: dict[str, int] | None = None,
) -> World:
    """`healthy=False` leaves the other colour's target groups empty (unhealthy to Route 53);
    `weights` (colour -> weight) default to all traffic on `active`."""
    shape = shape or Shape()
    clients = {n: boto3.client(n, region_name=shape.region) for n in ("route53", "ec2", "elbv2")}
    r53, ec2, elb = clients["route53"], clients["ec2"], clients["elbv2"]
    eks = boto3.client("eks", region_name=shape.region)
    acm = boto3.client("acm", region_name=shape.region)
    zone = r53.create_hosted_zone(Name=shape.zone, CallerReference=f"world-{shape.env}")
    world = World(zone_id=zone["HostedZone"]["Id"].rsplit("/", 1)[-1], shape=shape)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=az)["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate(shape.azs)
    ]
    cert, key = self_signed(list(env_entry_names(shape.base_domain).values()))
    cert_arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    for color in COLORS:
        name = cluster_name(shape.env, color)
        eks.create_cluster(
            name=name,
            roleArn="arn:aws:iam::123456789012:role/eks",
            resourcesVpcConfig={"subnetIds": subnets},
        )
        for group in shape.node_groups:
            eks.create_nodegroup(
                clusterName=name,
                nodegroupName=resource_name(shape.env, color, group),
                subnets=subnets,
                nodeRole="arn:aws:iam::123456789012:role/node",
            )
        world.lbs[color], world.target_groups[color] = {}, {}
        for entry in ("dmz", "internal"):
            lb_name = resource_name(shape.env, color, entry)
            lb = elb.create_load_balancer(
                Name=lb_name,
                Subnets=subnets,
                Type="network",
                Scheme="internet-facing" if entry == "dmz" else "internal",
            )["LoadBalancers"][0]
            tg = elb.create_target_group(
                Name=lb_name, Protocol="TCP", Port=shape.port, VpcId=vpc, TargetType="ip"
            )["TargetGroups"][0]["TargetGroupArn"]
            if healthy or color == active:
                elb.register_targets(
                    TargetGroupArn=tg, Targets=[{"Id": "10.0.0.10", "Port": shape.port}]
                )
            elb.create_listener(
                LoadBalancerArn=lb["LoadBalancerArn"],
                Protocol="TLS",
                Port=443,
                Certificates=[{"CertificateArn": cert_arn}],
                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
            )
            world.lbs[color][entry] = lb
            world.target_groups[color][entry] = tg
    world.set_weights(weights or {c: (100 if c == active else 0) for c in COLORS})
    return world
