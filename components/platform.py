"""Composition: which components a stack builds, how they connect, and what the stack exports.

The program validates the whole config first (nothing is registered when any field is wrong), then
builds either an environment stack (`<env>`) or a cluster stack (`<env>-<color>`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import config as runtime_config

from components import naming
from components.addons import AddonArgs, Addons
from components.cluster import Cluster, ClusterArgs, kubernetes_provider
from components.common import Identity
from components.config import ClusterStackConfig, ConfigError, EnvironmentStackConfig, load
from components.edge import Edge, EdgeArgs
from components.environment import EnvironmentArgs, EnvironmentDns
from components.network import Network, NetworkArgs
from components.nodegroups import NodeGroups, NodeGroupsArgs
from components.serving import ServingArgs, ServingPlatform

# Where stack files live (`stackConfigDir` in Pulumi.yaml); FAAS_STACKS_DIR points the offline
# plan at another folder (tests, fixtures of deliberately broken stacks).
STACKS_DIR = Path(
    os.environ.get("FAAS_STACKS_DIR") or Path(__file__).resolve().parent.parent / "stacks"
)


def read_stack_file(stack: str, stacks_dir: Path = STACKS_DIR) -> dict[str, Any] | None:
    path = stacks_dir / f"Pulumi.{stack}.yaml"
    if not path.exists():
        return None
    return (yaml.safe_load(path.read_text()) or {}).get("config") or {}


def sibling_config(stack: str, stacks_dir: Path = STACKS_DIR) -> dict[str, Any] | None:
    """The other colour's stack file, so blue and green can be checked against each other."""
    env, color = naming.parse_stack_name(stack)
    if color is None:
        return None
    other = next(c for c in naming.COLORS if c != color)
    return read_stack_file(naming.stack_name(env, other), stacks_dir)


def current_config() -> dict[str, Any]:
    """All of the stack's config, however the engine handed it over (env var or runtime map)."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def main() -> None:
    stack = pulumi.get_stack()
    try:
        cfg = load(stack, current_config(), sibling_config(stack))
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
    cluster_name = naming.cluster_name(cfg.environment, cfg.color)
    network = Network(
        ident.name("network"),
        NetworkArgs(identity=ident, settings=cfg.network, cluster_name=cluster_name),
    )
    cluster = Cluster(
        ident.name("cluster"),
        ClusterArgs(
            identity=ident,
            settings=cfg.cluster,
            region=cfg.region,
            cluster_name=cluster_name,
            subnet_ids=network.private_subnet_ids,
        ),
    )
    nodes = NodeGroups(
        ident.name("nodes"),
        NodeGroupsArgs(
            identity=ident,
            cluster_name=cluster.name,
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
            cluster_name=cluster.name,
            kubernetes_version=cfg.cluster.kubernetes_version,
            oidc_provider_arn=cluster.oidc_provider.arn,
            oidc_issuer=cluster.oidc_issuer,
            addons=["coredns", "aws-ebs-csi-driver"],
            after=list(nodes.groups),
        ),
    )
    edge = Edge(
        ident.name("edge"),
        EdgeArgs(
            config=cfg,
            vpc_id=network.vpc_id,
            vpc_cidr=network.vpc_cidr,
            public_subnet_ids=network.public_subnet_ids,
            private_subnet_ids=network.private_subnet_ids,
        ),
    )
    provider = kubernetes_provider(
        ident, cluster, after=[*nodes.groups, *node_addons.addons.values()]
    )
    ServingPlatform(
        ident.name("serving"),
        ServingArgs(
            settings=cfg.serving,
            environment=cfg.environment,
            color=cfg.color,
            base_domain=cfg.base_domain,
            region=cfg.region,
            cluster_name=cluster.name,
            vpc_id=network.vpc_id,
            oidc_provider_arn=cluster.oidc_provider.arn,
            oidc_issuer=cluster.oidc_issuer,
            dmz_target_group_arn=edge.dmz_target_group_arn,
            internal_target_group_arn=edge.internal_target_group_arn,
            lb_security_group_ids=edge.lb_security_group_ids,
            node_security_group_id=cluster.security_group_id,
        ),
        opts=pulumi.ResourceOptions(providers={"kubernetes": provider}),
    )
    return {
        **edge.stack_outputs(),
        "cluster_name": cluster.name,
        "region": cfg.region,
        "color": cfg.color,
        "vpc_id": network.vpc_id,
        "node_group_names": [g.node_group_name for g in nodes.groups],
        "oidc_provider_arn": cluster.oidc_provider.arn,
        "kubeconfig": cluster.kubeconfig,
    }


def build_environment_stack(cfg: EnvironmentStackConfig) -> dict[str, Any]:
    dns = EnvironmentDns(
        naming.resource_name(cfg.environment, None, "dns"), EnvironmentArgs(config=cfg)
    )
    return {**dns.stack_outputs(), "environment": cfg.environment}
