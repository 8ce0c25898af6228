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

from components import constants as c
from components import naming
from components.config import EdgeConfig
from components.shared.identity import Identity

# TLS 1.3 with TLS 1.2 fallback, forward-secret ciphers only:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
MAX_ELB_NAME = 32  # load balancer and target group names


@dataclass
class EntryPointArgs:
    identity: Identity
    settings: EdgeConfig
    """Deletion protection and who may reach the DMZ entry point."""
    base_domain: str
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
        ident, cfg, entry = args.identity, args.settings, args.entry
        stack = naming.stack_name(ident.environment, ident.color)
        if entry not in naming.ENTRY_POINTS:
            raise ValueError(f"unknown entry point {entry!r}")
        internal = entry == "internal"
        child = pulumi.ResourceOptions(parent=self)
        # Load balancers and target groups have separate name spaces, so both take the same
        # physical name; with a 12-character environment it is exactly 32 characters at most.
        physical = ident.name(entry)
        if len(physical) > MAX_ELB_NAME:
            raise ValueError(f"{physical!r} is longer than {MAX_ELB_NAME} characters")

        sg_name = ident.name(entry, "lb")
        sg = aws.ec2.SecurityGroup(
            sg_name,
            name=sg_name,
            description=f"{entry} NLB of {stack}: 443 in, gateway out",
            vpc_id=args.vpc_id,
            tags=ident.tags(sg_name, "edge"),
            opts=child,
        )
        # Separate rule resources (not inline blocks): one rule changes without touching the
        # others. The provider drops AWS's default allow-all egress when it creates the group.
        sources: Sequence[pulumi.Input[str]] = (
            [args.vpc_cidr] if internal else list(cfg.dmz_ingress_cidrs)
        )
        # The internal entry point also takes the configured private ranges beyond the VPC
        # (peered VPCs, on-premises). Each is its own rule named after its range, so adding or
        # removing one never rewrites another (a rewrite into a range another rule still holds
        # would be refused as a duplicate).
        rules = [(ident.name(entry, "lb", "in", str(i)), cidr) for i, cidr in enumerate(sources)]
        if internal:
            rules += [
                (ident.name(entry, "lb", "in", cidr.replace(".", "-").replace("/", "-")), cidr)
                for cidr in cfg.internal_ingress_cidrs
            ]
        for rule, cidr in rules:
            aws.vpc.SecurityGroupIngressRule(
                rule,
                security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=c.HTTPS_PORT,
                to_port=c.HTTPS_PORT,
                cidr_ipv4=cidr,
                description="HTTPS from clients",
                tags=ident.tags(rule, "edge"),
                opts=child,
            )
        gateway_ports = (
            (c.GATEWAY_HTTP_TARGET_PORT, "traffic"),
            (c.GATEWAY_STATUS_PORT, "health checks"),
        )
        for port, why in gateway_ports:
            rule = ident.name(entry, "lb", "out", str(port))
            aws.vpc.SecurityGroupEgressRule(
                rule,
                security_group_id=sg.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4=args.vpc_cidr,
                description=f"Istio gateway {why}",
                tags=ident.tags(rule, "edge"),
                opts=child,
            )

        lb = aws.lb.LoadBalancer(
            ident.name(entry, "nlb"),
            name=physical,
            load_balancer_type="network",
            internal=internal,
            subnets=list(args.subnet_ids),
            # NLB security groups can only be attached at creation time.
            security_groups=[sg.id],
            ip_address_type="ipv4",
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=cfg.deletion_protection,
            access_logs={"bucket": args.log_bucket, "enabled": True, "prefix": entry},
            tags=ident.tags(physical, "edge"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.log_bucket_policy]),
        )
        tg = aws.lb.TargetGroup(
            ident.name(entry, "tg"),
            name=physical,
            vpc_id=args.vpc_id,
            protocol="TCP",
            port=c.GATEWAY_HTTP_TARGET_PORT,
            target_type="ip",
            health_check={
                "enabled": True,
                "protocol": "HTTP",
                "port": str(c.GATEWAY_STATUS_PORT),
                "path": c.GATEWAY_HEALTH_PATH,
                "matcher": "200",
                "interval": 10,
                "healthy_threshold": 2,
                "unhealthy_threshold": 2,
            },
            tags=ident.tags(physical, "edge"),
            opts=child,
        )
        listener_name = ident.name(entry, "tls")
        aws.lb.Listener(
            listener_name,
            load_balancer_arn=lb.arn,
            port=c.HTTPS_PORT,
            protocol="TLS",
            certificate_arn=args.certificate_arn,
            ssl_policy=TLS_POLICY,
            default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
            tags=ident.tags(listener_name, "edge"),
            opts=child,
        )
        # The colour's own names, for tests before a cutover. A single record: there is nothing
        # to fail over to, so target health is not evaluated here (the environment's weighted
        # records do evaluate it).
        aws.route53.Record(
            ident.name(entry, "alias"),
            zone_id=args.zone_id,
            name=naming.cluster_entry_names(args.base_domain, ident.color)[entry],
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
