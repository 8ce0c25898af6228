"""Builds, in the moto server, the AWS side of one environment as the stacks create it: the zone
`faas.<baseDomain>` with the two weighted alias record sets, and per colour an EKS cluster with a
node group and two NLBs (DMZ, internal) with a TLS listener (imported certificate: moto issues
imported certificates as ISSUED, while requested ones stay PENDING_VALIDATION) and an IP target
group with one registered (hence, in moto, healthy) target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from components.naming import COLORS, cluster_name, env_entry_names, env_zone_name

from .https_probe import self_signed

ENV = "dev"
BASE = "dev.example.com"
ZONE = env_zone_name(BASE)


@dataclass
class World:
    zone_id: str
    lbs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # colour -> entry -> lb
    target_groups: dict[str, dict[str, str]] = field(default_factory=dict)  # colour -> entry -> arn

    def weights(self) -> dict[str, dict[str, int]]:
        """Record name -> colour -> weight, read back from the server."""
        r53 = boto3.client("route53")
        out: dict[str, dict[str, int]] = {}
        rrs = r53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]
        for rr in rrs:
            if rr.get("SetIdentifier") in COLORS:
                name = rr["Name"].replace("\\052", "*")
                out.setdefault(name, {})[rr["SetIdentifier"]] = rr["Weight"]
        return out

    def txt(self, name: str) -> list[str]:
        r53 = boto3.client("route53")
        rrs = r53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]
        return [
            r["Value"]
            for rr in rrs
            if rr["Type"] == "TXT" and rr["Name"].rstrip(".") == name.rstrip(".")
            for r in rr["ResourceRecords"]
        ]

    def set_weights(self, weights: dict[str, int], **overrides: Any) -> None:
        """UPSERT both record sets with `weights` (colour -> weight); overrides edit the records."""
        r53 = boto3.client("route53")
        changes = []
        for entry, name in env_entry_names(BASE).items():
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
        r53.change_resource_record_sets(HostedZoneId=self.zone_id, ChangeBatch={"Changes": changes})


def build_world(active: str = "blue", healthy: bool = True) -> World:
    """`healthy=False` leaves the green target groups empty (Route 53 counts that as unhealthy)."""
    r53, ec2, elb = boto3.client("route53"), boto3.client("ec2"), boto3.client("elbv2")
    eks, acm = boto3.client("eks"), boto3.client("acm")
    zone = r53.create_hosted_zone(Name=ZONE, CallerReference="world")["HostedZone"]
    world = World(zone_id=zone["Id"].rsplit("/", 1)[-1])
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    cert, key = self_signed(list(env_entry_names(BASE).values()))
    cert_arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    for color in COLORS:
        name = cluster_name(ENV, color)
        eks.create_cluster(
            name=name,
            roleArn="arn:aws:iam::123456789012:role/eks",
            resourcesVpcConfig={"subnetIds": subnets},
        )
        eks.create_nodegroup(
            clusterName=name,
            nodegroupName="system",
            subnets=subnets,
            nodeRole="arn:aws:iam::123456789012:role/node",
        )
        world.lbs[color], world.target_groups[color] = {}, {}
        for entry in ("dmz", "internal"):
            lb = elb.create_load_balancer(
                Name=f"{name}-{entry}",
                Subnets=subnets,
                Type="network",
                Scheme="internet-facing" if entry == "dmz" else "internal",
            )["LoadBalancers"][0]
            tg = elb.create_target_group(
                Name=f"{name}-{entry}", Protocol="TCP", Port=443, VpcId=vpc, TargetType="ip"
            )["TargetGroups"][0]["TargetGroupArn"]
            if healthy or color == active:
                elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.0.0.10", "Port": 443}])
            elb.create_listener(
                LoadBalancerArn=lb["LoadBalancerArn"],
                Protocol="TLS",
                Port=443,
                Certificates=[{"CertificateArn": cert_arn}],
                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
            )
            world.lbs[color][entry] = lb
            world.target_groups[color][entry] = tg
    world.set_weights({c: (100 if c == active else 0) for c in COLORS})
    return world
