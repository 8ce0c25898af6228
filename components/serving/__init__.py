"""The serving stack of one cluster: Istio, Knative, observability, auth, tenants, smoke function.

`ServingPlatform` composes the concerns; each lives in its own module. Cloud-neutral parts take only
settings and the cluster's Kubernetes provider (inherited from `opts.providers`); the AWS parts
(load balancer binding, IRSA, CloudWatch, access entries) sit behind the seam in `aws.py`.

The caller passes the Kubernetes provider via `ResourceOptions(providers={"kubernetes": ...})` and
makes the component depend on the node groups and addons (`depends_on`): Helm releases wait for
their pods, which need nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.serving import domains
from components.serving.auth import AuthArgs, GatewayAuth
from components.serving.aws import (
    LoadBalancerBinding,
    LoadBalancerBindingArgs,
    LogShipping,
    LogShippingArgs,
    TeamAccess,
    TeamAccessArgs,
)
from components.serving.istio import IstioArgs, IstioMesh
from components.serving.knative import KnativeArgs, KnativePlatform
from components.serving.observability import Observability, ObservabilityArgs
from components.serving.smoke import SmokeArgs, SmokeService, smoke_hosts
from components.serving.tenants import TeamNamespace, TenantArgs
from components.serving_config import ServingConfig

__all__ = ["ServingArgs", "ServingPlatform"]


@dataclass
class ServingArgs:
    settings: ServingConfig
    """The validated `faas:serving` section."""
    environment: str
    """Environment name, e.g. `dev`."""
    color: str
    """`blue` or `green`."""
    base_domain: str
    """e.g. `dev.example.com`; functions live under `faas.<baseDomain>`."""
    region: str
    """AWS region, given to the load balancer controller (no IMDS at hop limit 1)."""
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    """IAM OIDC provider of the cluster (IRSA)."""
    oidc_issuer: pulumi.Input[str]
    """Issuer host+path without https://, e.g. oidc.eks.eu-west-1.amazonaws.com/id/ABC."""
    dmz_target_group_arn: pulumi.Input[str]
    """DMZ NLB target group (TCP 8080, target_type ip, health check HTTP 15021 /healthz/ready)."""
    internal_target_group_arn: pulumi.Input[str]
    """Internal NLB target group, same shape as the DMZ one."""
    lb_security_group_ids: dict[str, pulumi.Input[str]]
    """{"dmz": sg, "internal": sg}: the NLBs' security groups, sources of the binding rules."""
    node_security_group_id: pulumi.Input[str]
    """The security group of the nodes (and so of the pods, VPC CNI without SG-per-pod)."""


class ServingPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, args: ServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:serving:ServingPlatform", name, None, opts)
        s, env, color = args.settings, args.environment, args.color
        child = pulumi.ResourceOptions(parent=self)

        observability = Observability(
            f"{name}-observability", ObservabilityArgs(tracing=s.tracing), child
        )
        istio = IstioMesh(
            f"{name}-istio", IstioArgs(tracing_sample_percent=s.tracing.sample_rate * 100), child
        )
        gateways = list(istio.gateways.values())
        LoadBalancerBinding(
            f"{name}-lb-binding",
            LoadBalancerBindingArgs(
                environment=env,
                color=color,
                region=args.region,
                cluster_name=args.cluster_name,
                vpc_id=args.vpc_id,
                oidc_provider_arn=args.oidc_provider_arn,
                oidc_issuer=args.oidc_issuer,
                target_group_arns={
                    "dmz": args.dmz_target_group_arn,
                    "internal": args.internal_target_group_arn,
                },
                lb_security_group_ids=args.lb_security_group_ids,
                node_security_group_id=args.node_security_group_id,
                gateways=dict(istio.gateways),
            ),
            child,
        )
        knative = KnativePlatform(
            f"{name}-knative",
            KnativeArgs(settings=s, base_domain=args.base_domain, color=color, depends_on=gateways),
            child,
        )
        GatewayAuth(
            f"{name}-auth",
            AuthArgs(
                oidc=s.oidc,
                platform_public_hosts=smoke_hosts(args.base_domain, color),
                depends_on=[istio.istiod],
            ),
            child,
        )
        LogShipping(
            f"{name}-logs",
            LogShippingArgs(
                environment=env,
                color=color,
                region=args.region,
                cluster_name=args.cluster_name,
                oidc_provider_arn=args.oidc_provider_arn,
                oidc_issuer=args.oidc_issuer,
                retention_days=s.log_retention_days,
                namespace=observability.namespace,
            ),
            child,
        )
        for team in s.teams:
            TeamNamespace(f"{name}-team-{team.name}", TenantArgs(team=team), child)
        TeamAccess(
            f"{name}-team-access",
            TeamAccessArgs(
                environment=env, color=color, cluster_name=args.cluster_name, teams=s.teams
            ),
            child,
        )
        SmokeService(f"{name}-smoke", SmokeArgs(depends_on=[knative.serving]), child)

        self.domains = domains.env_domains(args.base_domain)
        """Knative domains per entry point: dmz -> faas.<base>, internal -> internal.faas.<base>."""
        self.smoke_urls = [f"https://{h}/" for h in smoke_hosts(args.base_domain, color)]
        self.register_outputs({"domains": self.domains, "smokeUrls": self.smoke_urls})
