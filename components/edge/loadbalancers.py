"""One entry point of a colour: security group, NLB, TLS listener, target group, wildcard alias.

Why Pulumi owns the NLBs and the serving layer binds them with TargetGroupBinding
---------------------------------------------------------------------------------
The alternative, a `Service type: LoadBalancer` reconciled by the AWS Load Balancer Controller,
creates the NLB at runtime with a controller-generated name and DNS name: nothing of it is in the
plan, policy rules cannot check it, and the alias records (here and in the environment stack)
would have to follow a name known only after the controller ran. Created here, every piece
(listener TLS policy, certificate, access logs, security groups, deletion protection) is in the
plan and reviewable, the DNS records point at exact names, and the LB outlives cluster rebuilds.
The controller then only registers the Istio gateway pods' IPs in our target group, through a
`TargetGroupBinding` (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/targetgroupbinding/),
which is why the target group uses `target_type="ip"`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.config import ClusterStackConfig

# TLS 1.3 with TLS 1.2 fallback, forward-secret ciphers only:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HTTPS_PORT = 443
# The Istio ingress gateway: plain HTTP behind the TLS-terminating NLB, readiness on 15021.
GATEWAY_PORT = 8080
GATEWAY_HEALTH_PORT = 15021
GATEWAY_HEALTH_PATH = "/healthz/ready"
MAX_ELB_NAME = 32  # load balancer and target group names


@dataclass
class EntryPointArgs:
    config: ClusterStackConfig
    """The cluster stack's validated config."""
    entry: str
    """"dmz" (internet-facing, public subnets) or "internal" (private subnets)."""
    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    """Internal clients' range, and the only destination the LB may send to."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Public subnets for the DMZ entry point, private subnets for the internal one."""
    certificate_arn: pulumi.Input[str]
    """The *validated* certificate: the listener waits for issuance."""
    zone_id: pulumi.Input[str]
    """Cluster zone that gets the wildcard alias record."""
    log_bucket: pulumi.Input[str]
    log_bucket_policy: pulumi.Resource
    """ELB tests write access when logging is switched on, so the LB waits for this policy."""


class EntryPoint(pulumi.ComponentResource):
    lb_arn: pulumi.Output[str]
    lb_dns_name: pulumi.Output[str]
    lb_zone_id: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: EntryPointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:edge:EntryPoint", name, None, opts)
        cfg, entry = args.config, args.entry
        if entry not in naming.ENTRY_POINTS:
            raise ValueError(f"unknown entry point {entry!r}")
        env, color = cfg.environment, cfg.color
        internal = entry == "internal"
        child = pulumi.ResourceOptions(parent=self)
        # Load balancers and target groups have separate name spaces, so both take the same
        # physical name; with a 12-character environment it is exactly 32 characters at most.
        physical = naming.resource_name(env, color, entry)
        if len(physical) > MAX_ELB_NAME:
            raise ValueError(f"{physical!r} is longer than {MAX_ELB_NAME} characters")

        sg_name = naming.resource_name(env, color, entry, "lb")
        sg = aws.ec2.SecurityGroup(
            sg_name,
            name=sg_name,
            description=f"{entry} NLB of {naming.stack_name(env, color)}: 443 in, gateway out",
            vpc_id=args.vpc_id,
            tags=naming.tags(env, color, sg_name, "edge"),
            opts=child,
        )
        # Separate rule resources (not inline blocks): one rule changes without touching the
        # others. The provider drops AWS's default allow-all egress when it creates the group.
        sources: Sequence[pulumi.Input[str]] = (
            [args.vpc_cidr] if internal else list(cfg.edge.dmz_ingress_cidrs)
        )
        for i, cidr in enumerate(sources):
            rule = naming.resource_name(env, color, entry, "lb", "in", str(i))
            aws.vpc.SecurityGroupIngressRule(
                rule,
                security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=HTTPS_PORT,
                to_port=HTTPS_PORT,
                cidr_ipv4=cidr,
                description="HTTPS from clients",
                tags=naming.tags(env, color, rule, "edge"),
                opts=child,
            )
        for port, why in ((GATEWAY_PORT, "traffic"), (GATEWAY_HEALTH_PORT, "health checks")):
            rule = naming.resource_name(env, color, entry, "lb", "out", str(port))
            aws.vpc.SecurityGroupEgressRule(
                rule,
                security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4=args.vpc_cidr,
                description=f"Istio gateway {why}",
                tags=naming.tags(env, color, rule, "edge"),
                opts=child,
            )

        lb = aws.lb.LoadBalancer(
            naming.resource_name(env, color, entry, "nlb"),
            name=physical,
            load_balancer_type="network",
            internal=internal,
            subnets=list(args.subnet_ids),
            # NLB security groups can only be attached at creation time.
            security_groups=[sg.id],
            ip_address_type="ipv4",
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=cfg.edge.deletion_protection,
            access_logs={"bucket": args.log_bucket, "enabled": True, "prefix": entry},
            tags=naming.tags(env, color, physical, "edge"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.log_bucket_policy]),
        )
        tg = aws.lb.TargetGroup(
            naming.resource_name(env, color, entry, "tg"),
            name=physical,
            vpc_id=args.vpc_id,
            protocol="TCP",
            port=GATEWAY_PORT,
            target_type="ip",
            health_check={
                "enabled": True,
                "protocol": "HTTP",
                "port": str(GATEWAY_HEALTH_PORT),
                "path": GATEWAY_HEALTH_PATH,
                "matcher": "200",
                "interval": 10,
                "healthy_threshold": 2,
                "unhealthy_threshold": 2,
            },
            tags=naming.tags(env, color, physical, "edge"),
            opts=child,
        )
        listener_name = naming.resource_name(env, color, entry, "tls")
        aws.lb.Listener(
            listener_name,
            load_balancer_arn=lb.arn,
            port=HTTPS_PORT,
            protocol="TLS",
            certificate_arn=args.certificate_arn,
            ssl_policy=TLS_POLICY,
            default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
            tags=naming.tags(env, color, listener_name, "edge"),
            opts=child,
        )
        # The colour's own names, for tests before a cutover. A single record: there is nothing
        # to fail over to, so target health is not evaluated here (the environment's weighted
        # records do evaluate it).
        aws.route53.Record(
            naming.resource_name(env, color, entry, "alias"),
            zone_id=args.zone_id,
            name=naming.cluster_entry_names(cfg.base_domain, color)[entry],
            type="A",
            aliases=[{"name": lb.dns_name, "zone_id": lb.zone_id, "evaluate_target_health": False}],
            opts=child,
        )

        self.lb_arn = lb.arn
        self.lb_dns_name = lb.dns_name
        self.lb_zone_id = lb.zone_id
        self.target_group_arn = tg.arn
        self.security_group_id = sg.id
        self.register_outputs(
            {
                "lb_arn": lb.arn,
                "lb_dns_name": lb.dns_name,
                "lb_zone_id": lb.zone_id,
                "target_group_arn": tg.arn,
                "security_group_id": sg.id,
            }
        )
