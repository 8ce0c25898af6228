"""The serving stack of one cluster: Istio, Knative, observability, auth, tenants, smoke function.

`ServingPlatform` composes the concerns; each lives in its own module. Cloud-neutral parts take only
settings and the cluster's Kubernetes provider (inherited from `opts.providers`); the AWS parts
(load balancer binding, IRSA, CloudWatch, access entries) sit behind the seam in `aws.py` and take
the cluster record.

The caller passes the cluster record's Kubernetes provider via
`ResourceOptions(providers={"kubernetes": ...})`; that provider depends on the node groups and the
addons that need nodes, so Helm releases wait for nodes to run their pods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from components import naming
from components.compute.record import ClusterRecord
from components.config.serving import ServingConfig
from components.edge import EntryPointRecord
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
from components.shared.identity import Identity

__all__ = ["ServingArgs", "ServingPlatform"]


@dataclass
class ServingArgs:
    identity: Identity
    settings: ServingConfig
    """The validated `faas:serving` section."""
    base_domain: str
    """e.g. `dev.example.com`; functions live under `faas.<baseDomain>`."""
    cluster: ClusterRecord
    """The colour's cluster, with its Kubernetes provider."""
    vpc_id: pulumi.Input[str]
    """Given to the load balancer controller (no IMDS at hop limit 1)."""
    entry_points: dict[str, EntryPointRecord]
    """Per entry point (dmz, internal): the edge's target group and load-balancer security group."""
    function_role_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Team -> its function role, annotated on the team's `functions` service account."""
    knative_after: Sequence[pulumi.Resource] = ()
    """What KnativeServing waits for (the controller's Pod Identity association)."""


class ServingPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, args: ServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:serving:ServingPlatform", name, None, opts)
        s, ident, color = args.settings, args.identity, args.identity.color
        child = pulumi.ResourceOptions(parent=self)

        observability = Observability(
            naming.child_name(name, "observability"),
            ObservabilityArgs(
                tracing=s.tracing, settings=s.observability, release=args.cluster.release
            ),
            child,
        )
        istio = IstioMesh(
            naming.child_name(name, "istio"),
            IstioArgs(
                tracing_sample_percent=s.tracing.sample_rate * 100, release=args.cluster.release
            ),
            child,
        )
        gateways = list(istio.gateways.values())
        LoadBalancerBinding(
            naming.child_name(name, "lb-binding"),
            LoadBalancerBindingArgs(
                identity=ident,
                cluster=args.cluster,
                vpc_id=args.vpc_id,
                entry_points=args.entry_points,
                gateways=dict(istio.gateways),
            ),
            child,
        )
        knative = KnativePlatform(
            naming.child_name(name, "knative"),
            KnativeArgs(
                settings=s,
                base_domain=args.base_domain,
                color=color,
                depends_on=gateways,
                serving_after=list(args.knative_after),
                release=args.cluster.release,
            ),
            child,
        )
        GatewayAuth(
            naming.child_name(name, "auth"),
            AuthArgs(
                oidc=s.oidc,
                platform_public_hosts=smoke_hosts(args.base_domain, color),
                depends_on=[istio.istiod],
            ),
            child,
        )
        LogShipping(
            naming.child_name(name, "logs"),
            LogShippingArgs(
                identity=ident,
                cluster=args.cluster,
                retention_days=s.log_retention_days,
                namespace=observability.namespace,
            ),
            child,
        )
        self.team_namespaces = {
            team.name: TeamNamespace(
                naming.child_name(name, "team", team.name),
                TenantArgs(team=team, function_role_arn=args.function_role_arns.get(team.name)),
                child,
            ).namespace
            for team in s.teams
        }
        """Team name -> namespace, for what else lands in it (Flux's team sources)."""
        self.knative_serving = knative.serving
        """The KnativeServing resource: Knative's CRDs exist once it is ready."""
        TeamAccess(
            naming.child_name(name, "team-access"),
            TeamAccessArgs(identity=ident, cluster=args.cluster, teams=s.teams),
            child,
        )
        SmokeService(
            naming.child_name(name, "smoke"), SmokeArgs(depends_on=[knative.serving]), child
        )

        self.domains = domains.env_domains(args.base_domain)
        """Knative domains per entry point: dmz -> faas.<base>, internal -> internal.faas.<base>."""
        self.smoke_urls = [f"https://{h}/" for h in smoke_hosts(args.base_domain, color)]
        self.register_outputs({"domains": self.domains, "smokeUrls": self.smoke_urls})
