"""The edge of one colour: cluster zone, certificate, access-log bucket and the two entry points.

`Edge` composes the concerns; each lives in its own small module. The stack outputs it returns are
read by the environment stack (components/environment.py) and the cutover, by these exact names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components import naming
from components.config import ClusterStackConfig
from components.edge.access_logs import AccessLogBucket, AccessLogBucketArgs
from components.edge.certificate import Certificate, CertificateArgs
from components.edge.loadbalancers import EntryPoint, EntryPointArgs
from components.edge.zone import DelegatedZone, DelegatedZoneArgs

__all__ = ["Edge", "EdgeArgs", "lb_output_names"]


def lb_output_names(entry: str) -> tuple[str, str]:
    """Stack-output names of one entry point's load balancer: (DNS name, canonical zone id)."""
    return f"{entry}_lb_dns_name", f"{entry}_lb_zone_id"


@dataclass
class EdgeArgs:
    config: ClusterStackConfig
    """The cluster stack's validated config."""
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    """Source of internal clients and the only destination the load balancers may reach."""
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the DMZ (internet-facing) load balancer."""
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets of the internal load balancer (the gateway pods live there too)."""


class Edge(pulumi.ComponentResource):
    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:edge:Edge", name, None, opts)
        cfg = args.config
        env, color = cfg.environment, cfg.color
        child = pulumi.ResourceOptions(parent=self)

        zone = DelegatedZone(
            naming.resource_name(env, color, "cluster-zone"),
            DelegatedZoneArgs(
                environment=env,
                color=color,
                zone_name=naming.cluster_zone_name(cfg.base_domain, color),
                parent_zone_id=cfg.parent_zone_id,
                component="edge",
                query_log_retention_days=cfg.edge.query_log_retention_days,
            ),
            child,
        )
        cert = Certificate(
            naming.resource_name(env, color, "tls"),
            CertificateArgs(config=cfg, zone_id=zone.zone_id),
            child,
        )
        logs = AccessLogBucket(
            naming.resource_name(env, color, "access-logs"), AccessLogBucketArgs(config=cfg), child
        )
        subnets = {"dmz": args.public_subnet_ids, "internal": args.private_subnet_ids}
        entries = {
            entry: EntryPoint(
                naming.resource_name(env, color, entry, "entry"),
                EntryPointArgs(
                    config=cfg,
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
        dmz, internal = entries["dmz"], entries["internal"]

        self.zone_id = zone.zone_id
        self.zone_name = zone.zone_name
        self.certificate_arn = cert.certificate_arn
        self.dmz_lb_dns_name = dmz.lb_dns_name
        self.dmz_lb_zone_id = dmz.lb_zone_id
        self.dmz_lb_arn = dmz.lb_arn
        self.internal_lb_dns_name = internal.lb_dns_name
        self.internal_lb_zone_id = internal.lb_zone_id
        self.internal_lb_arn = internal.lb_arn
        self.dmz_target_group_arn = dmz.target_group_arn
        self.internal_target_group_arn = internal.target_group_arn
        self.lb_security_group_ids = {e: p.security_group_id for e, p in entries.items()}
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, pulumi.Output]:
        """Stable snake_case stack outputs (the lead adds `cluster_name`)."""
        dmz_dns, dmz_zone = lb_output_names("dmz")
        int_dns, int_zone = lb_output_names("internal")
        return {
            "cluster_zone_id": self.zone_id,
            "cluster_zone_name": self.zone_name,
            "certificate_arn": self.certificate_arn,
            dmz_dns: self.dmz_lb_dns_name,
            dmz_zone: self.dmz_lb_zone_id,
            int_dns: self.internal_lb_dns_name,
            int_zone: self.internal_lb_zone_id,
        }
