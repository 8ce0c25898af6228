"""Composition root: which components a stack builds, how they connect, what the stack exports.

The program validates the whole config first (nothing is registered when any field is wrong), then
builds either an environment stack (`<env>`) or a cluster stack (`<env>-<color>`). Each component
takes its own config section, the stack's `Identity` and the records it needs (the cluster
record, the edge's entry points); nothing here reads files (docs/design.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from components import versions
from components.capacity.karpenter import Karpenter, KarpenterArgs
from components.compute.addons import AddonArgs, Addons
from components.compute.cluster import Cluster, ClusterArgs, with_kubernetes_provider
from components.compute.nodegroups import NodeGroups, NodeGroupsArgs
from components.config import ClusterStackConfig, ConfigError, EnvironmentStackConfig
from components.config.engine import from_engine
from components.delivery.access import team_access
from components.delivery.identities import (
    FunctionIdentities,
    FunctionIdentitiesArgs,
    ImageResolver,
    ImageResolverArgs,
)
from components.delivery.registry import Registry, RegistryArgs
from components.dns import EnvironmentArgs, EnvironmentDns
from components.edge import Edge, EdgeArgs
from components.gitops import FunctionSync, FunctionSyncArgs
from components.network import Network, NetworkArgs
from components.serving import ServingArgs, ServingPlatform
from components.shared.identity import Identity


def main(stacks_dir: Path | None = None) -> None:
    """`stacks_dir`: where the sibling colour's stack file is (default: the project's stacks/)."""
    try:
        cfg = from_engine(stacks_dir)
    except ConfigError as err:
        # One message listing every problem; RunError prints without a Python traceback.
        raise pulumi.RunError(str(err)) from None
    if isinstance(cfg, ClusterStackConfig):
        outputs = build_cluster_stack(cfg)
    else:
        outputs = build_environment_stack(cfg)
    for key, value in outputs.items():
        pulumi.export(key, value)


def build_cluster_stack(cfg: ClusterStackConfig) -> dict[str, Any]:
    ident = Identity(cfg.environment, cfg.color)
    network = Network(
        ident.name("network"),
        NetworkArgs(identity=ident, settings=cfg.network),
    )
    cluster = Cluster(
        ident.name("cluster"),
        ClusterArgs(
            identity=ident,
            settings=cfg.cluster,
            release=cfg.release,
            region=cfg.region,
            subnet_ids=network.private_subnet_ids,
        ),
    )
    nodes = NodeGroups(
        ident.name("nodes"),
        NodeGroupsArgs(
            identity=ident,
            cluster=cluster.record,
            subnet_ids=network.private_subnet_ids,
            system=cfg.system_nodes,
            spot=cfg.spot_groups,
            after=list(cluster.base_addons.addons.values()),
        ),
    )
    # coredns and the EBS CSI controller are Deployments: created before any node can run them,
    # the addon would sit DEGRADED and `pulumi up` would time out waiting for it.
    node_addons = Addons(
        ident.name("node-addons"),
        AddonArgs(
            identity=ident,
            cluster=cluster.record,
            addons=["coredns", "aws-ebs-csi-driver"],
            after=list(nodes.groups),
        ),
    )
    edge = Edge(
        ident.name("edge"),
        EdgeArgs(
            identity=ident,
            settings=cfg.edge,
            base_domain=cfg.base_domain,
            parent_zone_id=cfg.parent_zone_id,
            region=cfg.region,
            vpc_id=network.vpc_id,
            vpc_cidr=network.vpc_cidr,
            public_subnet_ids=network.public_subnet_ids,
            private_subnet_ids=network.private_subnet_ids,
        ),
    )
    record = with_kubernetes_provider(
        ident, cluster, after=[*nodes.groups, *node_addons.addons.values()]
    )
    # Function capacity above the static spot floor: Karpenter on the system nodes.
    Karpenter(
        ident.name("capacity"),
        KarpenterArgs(identity=ident, settings=cfg.capacity, cluster=record),
        opts=pulumi.ResourceOptions(providers={"kubernetes": record.provider}),
    )
    functions = FunctionIdentities(
        ident.name("delivery", "functions"),
        FunctionIdentitiesArgs(identity=ident, cluster=cluster.record, teams=cfg.serving.teams),
    )
    resolver = ImageResolver(
        ident.name("delivery", "resolver"),
        ImageResolverArgs(identity=ident, cluster=cluster.record),
    )
    serving = ServingPlatform(
        ident.name("serving"),
        ServingArgs(
            identity=ident,
            settings=cfg.serving,
            base_domain=cfg.base_domain,
            cluster=record,
            vpc_id=network.vpc_id,
            entry_points=edge.entry_points,
            function_role_arns=functions.role_arns,
            knative_after=[resolver.association],
        ),
        opts=pulumi.ResourceOptions(providers={"kubernetes": record.provider}),
    )
    FunctionSync(
        ident.name("gitops"),
        FunctionSyncArgs(
            teams=cfg.serving.teams,
            namespaces=serving.team_namespaces,
            release=record.release,
            after=[serving.knative_serving],
        ),
        opts=pulumi.ResourceOptions(providers={"kubernetes": record.provider}),
    )
    return {
        **edge.stack_outputs(),
        "cluster_name": record.name,
        "region": cfg.region,
        "color": cfg.color,
        # What the environment stack compares between the colours (release skew).
        "release": cfg.release.name,
        "release_versions": cfg.release.summary(),
        "vpc_id": network.vpc_id,
        "node_group_names": [g.node_group_name for g in nodes.groups],
        "oidc_provider_arn": record.oidc_provider_arn,
        "kubeconfig": record.kubeconfig,
        "function_role_arns": functions.role_arns,
        "image_resolver_role_arn": resolver.role_arn,
        "team_access": record.name.apply(
            lambda n: team_access(
                n,
                cfg.region,
                [(t.name, t.iam_role_arn) for t in cfg.serving.teams],
                cfg.cluster.public_access_cidrs,
            )
        ),
    }


def build_environment_stack(cfg: EnvironmentStackConfig) -> dict[str, Any]:
    ident = Identity(cfg.environment, None)
    dns = EnvironmentDns(ident.name("dns"), EnvironmentArgs(config=cfg))
    registry = Registry(
        ident.name("registry"),
        RegistryArgs(identity=ident, settings=cfg.registry, region=cfg.region),
    )
    releases = colour_releases(dns.references)
    return {
        **dns.stack_outputs(),
        "environment": cfg.environment,
        "registry_url": registry.registry_url,
        "repository_urls": registry.repository_urls,
        "publisher_role_arns": registry.publisher_role_arns,
        "colour_releases": releases,
        "release_skew": releases.apply(versions.skew),
    }


def colour_releases(refs: dict[str, pulumi.StackReference]) -> pulumi.Output[dict[str, Any]]:
    """Colour -> the release it runs and that release's versions, for each colour stack that
    exports them (a colour not deployed yet, or deployed before releases existed, is left out)."""
    colors = list(refs)

    def collect(outputs: list[dict[str, Any] | None]) -> dict[str, Any]:
        return {
            color: {"release": outs["release"], **dict(outs.get("release_versions") or {})}
            for color, outs in zip(colors, outputs, strict=True)
            if outs and outs.get("release")
        }

    return pulumi.Output.all(*(refs[c].outputs for c in colors)).apply(collect)
