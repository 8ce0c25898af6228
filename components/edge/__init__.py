"""The edge of one colour: how requests reach its cluster.

Owns the cluster zone `faas-<color>.<baseDomain>` (delegated, DNSSEC-signed, query-logged), the
colour's ACM certificate (cluster and environment names), the access-log bucket, and the two entry
points (DMZ and internal NLBs with their security groups, TLS listeners, target groups and
wildcard aliases).
`Edge` composes them; each lives in its own module. The stack outputs it returns are read by the
environment stack (components/dns) and the cutover, by these exact names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components import naming
from components.config import EdgeConfig
from components.edge.access_logs import AccessLogBucket, AccessLogBucketArgs
from components.edge.certificate import Certificate, CertificateArgs
from components.edge.loadbalancers import EntryPoint, EntryPointArgs
from components.edge.zone import DelegatedZone, DelegatedZoneArgs
from components.shared.identity import Identity

__all__ = ["Edge", "EdgeArgs", "EntryPointRecord", "lb_output_names"]


def lb_output_names(entry: str) -> tuple[str, str]:
    """Stack-output names of one entry point's load balancer: (DNS name, canonical zone id)."""
    return f"{entry}_lb_dns_name", f"{entry}_lb_zone_id"


@dataclass(frozen=True)
class EntryPointRecord:
    """What the serving layer needs of one entry point to bind the gateway pods to it."""

    target_group_arn: pulumi.Output[str]
    """NLB target group (TCP 8080, target type ip, health check HTTP 15021 /healthz/ready)."""
    security_group_id: pulumi.Output[str]
    """The NLB's security group: the only source the gateway pods accept traffic from."""


@dataclass
class EdgeArgs:
    identity: Identity
    settings: EdgeConfig
    """The `faas:edge` section."""
    base_domain: str
    parent_zone_id: str
    """The zone of `<baseDomain>` that delegates to the cluster zone."""
    region: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    """Source of internal clients and the only destination the load balancers may reach."""
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the DMZ (internet-facing) load balancer."""
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the internal load balancer (the gateway pods live there too)."""


class Edge(pulumi.ComponentResource):
    entry_points: dict[str, EntryPointRecord]
    ds_record: pulumi.Output[str] | None
    """The cluster zone's DS record (stack output `cluster_zone_ds_record`); None: DNSSEC off."""

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:edge:Edge", name, None, opts)
        ident, cfg = args.identity, args.settings
        child = pulumi.ResourceOptions(parent=self)

        zone = DelegatedZone(
            ident.name("cluster-zone"),
            DelegatedZoneArgs(
                identity=ident,
                zone_name=naming.cluster_zone_name(args.base_domain, ident.color),
                parent_zone_id=args.parent_zone_id,
                component="edge",
                query_log_retention_days=cfg.query_log_retention_days,
                dnssec=cfg.dnssec,
            ),
            child,
        )
        cert = Certificate(
            ident.name("tls"),
            CertificateArgs(identity=ident, base_domain=args.base_domain, zone_id=zone.zone_id),
            child,
        )
        logs = AccessLogBucket(
            ident.name("access-logs"),
            AccessLogBucketArgs(identity=ident, settings=cfg, region=args.region),
            child,
        )
        subnets = {"dmz": args.public_subnet_ids, "internal": args.private_subnet_ids}
        entries = {
            entry: EntryPoint(
                ident.name(entry, "entry"),
                EntryPointArgs(
                    identity=ident,
                    settings=cfg,
                    base_domain=args.base_domain,
                    entry=entry,
                    vpc_id=args.vpc_id,
                    vpc_cidr=args.vpc_cidr,
                    subnet_ids=subnets[entry],
                    certificate_arn=cert.certificate_arn,
                    zone_id=zone.zone_id,
                    log_bucket=logs.bucket,
                    log_bucket_policy=logs.policy,
                ),
                child,
            )
            for entry in naming.ENTRY_POINTS
        }

        self.zone_id = zone.zone_id
        self.zone_name = zone.zone_name
        self.ds_record = zone.ds_record
        self.certificate_arn = cert.certificate_arn
        self.entry_points = {
            e: EntryPointRecord(p.target_group_arn, p.security_group_id) for e, p in entries.items()
        }
        self._entries = entries
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, pulumi.Output]:
        """Stable snake_case stack outputs (the composition root adds `cluster_name`)."""
        outputs: dict[str, pulumi.Output] = {
            "cluster_zone_id": self.zone_id,
            "cluster_zone_name": self.zone_name,
            "certificate_arn": self.certificate_arn,
        }
        if self.ds_record is not None:
            # for a parent zone outside this account (a registrar): the record to add there
            outputs["cluster_zone_ds_record"] = self.ds_record
        for entry, point in self._entries.items():
            dns, zone = lb_output_names(entry)
            outputs[dns] = point.lb_dns_name
            outputs[zone] = point.lb_zone_id
        return outputs
