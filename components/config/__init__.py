"""Stack config: one typed, validated view of a stack, built once, before any resource exists.

`load(stack, raw, sibling, colours)` is the one entry. It takes the stack name and the flat Pulumi
config (`"faas:network": {...}`, `"aws:region": "eu-west-1"`; object values may arrive
JSON-encoded, as Pulumi passes them) and returns a `ClusterStackConfig` or an
`EnvironmentStackConfig`. Each section has its own module (network, cluster, nodegroups, edge,
serving, environment; delivery and registry for the teams' images) beside the reader
that collects every problem with its key path; `load` raises them once as `ConfigError`, which the
program turns into one `pulumi.RunError` and the commands into exit code 2, so nothing is created
from a half-valid config. Stack files on disk are read by `stackfile`, never by the program.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from components import naming, versions
from components.config import aws
from components.config import capacity as capacity_section
from components.config import cluster as cluster_section
from components.config import edge as edge_section
from components.config import environment as environment_section
from components.config import gitops as gitops_section
from components.config import network as network_section
from components.config import nodegroups as nodegroups_section
from components.config import release as release_section
from components.config.capacity import CapacityConfig
from components.config.cluster import ClusterConfig
from components.config.edge import EdgeConfig
from components.config.environment import EnvironmentStackConfig
from components.config.network import NetworkConfig
from components.config.nodegroups import NodeGroupConfig
from components.config.reader import ConfigError, Problems, Reader, parse_cidr, shown
from components.config.registry import read_registry
from components.config.serving import ServingConfig, TeamConfig, read_serving
from components.constants import ROUTE53_ZONE_ID_RE

__all__ = [
    "CapacityConfig",
    "ClusterConfig",
    "ClusterStackConfig",
    "ConfigError",
    "EdgeConfig",
    "EnvironmentStackConfig",
    "NetworkConfig",
    "NodeGroupConfig",
    "ServingConfig",
    "StackConfig",
    "TeamConfig",
    "load",
]

_COMMON_KEYS = {"environment", "baseDomain", "parentZoneId"}
_CLUSTER_KEYS = _COMMON_KEYS | {
    "color",
    "release",
    "network",
    "cluster",
    "nodeGroups",
    "edge",
    "serving",
    "capacity",
}
_ENV_KEYS = _COMMON_KEYS | environment_section.KEYS
_DOMAIN_RE = re.compile(r"^(?=.{4,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")


@dataclass(frozen=True)
class ClusterStackConfig:
    stack: str
    environment: str
    color: str
    region: str
    base_domain: str
    parent_zone_id: str
    release: versions.Release
    """The catalogue entry `faas:release` names: Kubernetes, add-ons, charts, Knative."""
    network: NetworkConfig
    cluster: ClusterConfig
    system_nodes: NodeGroupConfig
    spot_groups: tuple[NodeGroupConfig, ...]
    edge: EdgeConfig
    serving: ServingConfig
    capacity: CapacityConfig
    """`faas:capacity`: the Karpenter NodePool of function nodes."""


StackConfig = ClusterStackConfig | EnvironmentStackConfig


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to the program as JSON strings; YAML loaders do not. A key
    with nothing under it (its children commented out) arrives as "null": not set."""
    if value == "null":
        return None
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return value


def load(
    stack: str,
    raw: Mapping[str, Any],
    sibling: Mapping[str, Any] | None = None,
    colours: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> StackConfig:
    """Validate `raw` (flat `ns:key` config) for `stack`; raise `ConfigError` listing every problem.

    `sibling` is the other colour's flat config when known: blue and green must not use
    overlapping VPC ranges, so they can later be peered or share a transit gateway. `colours`
    (environment stacks) are both colours' flat configs: their teams get the image repositories.
    """
    problems = Problems()
    _check_keys(raw, problems)
    faas = {
        k.split(":", 1)[1]: _decode(v)
        for k, v in raw.items()
        if isinstance(k, str) and k.startswith("faas:")
    }
    env_name, color = naming.parse_stack_name(stack)
    top = Reader(faas, "faas", problems, _CLUSTER_KEYS if color else _ENV_KEYS, sep=":")

    region = _region(raw, problems)
    environment = top.str("environment")
    if environment and not naming.valid_environment(environment):
        problems.add(
            "faas:environment", f"{shown(environment)} must be 2-12 lowercase letters/digits"
        )
    if environment and environment != env_name:
        problems.add(
            "faas:environment",
            f"{shown(environment)} disagrees with stack name {shown(stack)} "
            f"(expected {shown(env_name)})",
        )
    base_domain = top.str("baseDomain")
    if base_domain and not _DOMAIN_RE.match(base_domain):
        problems.add("faas:baseDomain", f"{shown(base_domain)} is not a lowercase DNS name")
    parent_zone_id = top.str("parentZoneId")
    if parent_zone_id and not ROUTE53_ZONE_ID_RE.match(parent_zone_id):
        problems.add("faas:parentZoneId", f"{shown(parent_zone_id)} is not a Route 53 zone id (Z…)")
    common = {
        "stack": stack,
        "environment": environment,
        "region": region,
        "base_domain": base_domain,
        "parent_zone_id": parent_zone_id,
    }
    if color is None:
        cfg: StackConfig = environment_section.read_environment(top, problems, common)
        registry = read_registry(environment, region, colours or {}, problems)
        cfg = replace(cfg, registry=registry)
    else:
        _check_color(top, problems, stack, color)
        cfg = _cluster_stack(top, problems, common, color, sibling)
    if problems:
        raise ConfigError(stack, problems.items)
    return cfg


def _check_keys(raw: Mapping[Any, Any], problems: Problems) -> None:
    """Every key is `<namespace>:<name>` (how Pulumi writes config keys)."""
    for key in raw:
        if not isinstance(key, str):
            problems.add("config", f"key {shown(key)} is not a string (quote it)")
        elif ":" not in key:
            hint = aws.suggest(f"faas:{key}", _CLUSTER_KEYS_FULL) or aws.suggest(
                f"aws:{key}", {"aws:region"}
            )
            problems.add(
                f"config.{shown(key, plain=True)}",
                f"is not a <namespace>:<name> config key{hint}",
            )


_CLUSTER_KEYS_FULL = {f"faas:{k}" for k in _CLUSTER_KEYS | _ENV_KEYS}


def _region(raw: Mapping[Any, Any], problems: Problems) -> str:
    region = _decode(raw.get("aws:region"))
    if region is None or (isinstance(region, str) and not region.strip()):
        aws_keys = {k for k in raw if isinstance(k, str) and k.startswith("aws:")}
        close = [k for k in aws_keys if aws.suggest(k, {"aws:region"})]
        hint = f" ({shown(close[0])} looks like a typo of it)" if close else ""
        problems.add("aws:region", f"is required (e.g. eu-west-1){hint}")
        return ""
    if not isinstance(region, str):
        problems.add("aws:region", f"{shown(region)} is not a string")
        return ""
    if problem := aws.region_problem(region):
        problems.add("aws:region", f"{shown(region)} {problem}")
        return ""
    return region


def _check_color(top: Reader, problems: Problems, stack: str, color: str) -> None:
    declared = top.str("color")
    if declared and declared not in naming.COLORS:
        problems.add("faas:color", f"{shown(declared)} is not one of {', '.join(naming.COLORS)}")
    elif declared and declared != color:
        problems.add(
            "faas:color",
            f"{shown(declared)} disagrees with stack name {shown(stack)} (expected {color!r})",
        )


def _section(top: Reader, problems: Problems, key: str, keys: set[str], default: Any = None):
    args = () if default is None else (default,)
    return Reader(top.get(key, *args), f"faas:{key}", problems, keys)


def _cluster_stack(
    top: Reader, problems: Problems, common: dict, color: str, sibling: Mapping[str, Any] | None
) -> ClusterStackConfig:
    release = release_section.read_release(top, problems)
    network = network_section.read_network(
        _section(top, problems, "network", network_section.KEYS), common["region"]
    )
    cluster = cluster_section.read_cluster(
        _section(top, problems, "cluster", cluster_section.KEYS, {})
    )
    _check_ranges(problems, network, cluster, sibling)
    system, spot = nodegroups_section.read_node_groups(
        _section(top, problems, "nodeGroups", {"system", "spot"})
    )
    edge = edge_section.read_edge(_section(top, problems, "edge", edge_section.KEYS, {}))
    serving = read_serving(top.get("serving", {}), "faas:serving", problems)
    capacity = capacity_section.read_capacity(
        _section(top, problems, "capacity", capacity_section.KEYS, {})
    )
    gitops_section.check_same_sources(serving.teams, sibling, problems, "faas:serving.teams")
    return ClusterStackConfig(
        **common,
        color=color,
        release=release,
        network=network,
        cluster=cluster,
        system_nodes=system,
        spot_groups=spot,
        edge=edge,
        serving=serving,
        capacity=capacity,
    )


def _check_ranges(
    problems: Problems,
    network: NetworkConfig,
    cluster: ClusterConfig,
    sibling: Mapping[str, Any] | None,
) -> None:
    """The service range must not overlap the VPC, nor blue's VPC green's."""
    vpc = parse_cidr(network.cidr, "faas:network.cidr", Problems()) if network.cidr else None
    svc = parse_cidr(cluster.service_cidr, "faas:cluster.serviceCidr", Problems())
    if vpc and svc and vpc.overlaps(svc):
        problems.add(
            "faas:cluster.serviceCidr", f"{cluster.service_cidr} overlaps the VPC {network.cidr}"
        )
    if not (vpc and sibling):
        return
    other = _decode(sibling.get("faas:network")) or {}
    other_cidr = other.get("cidr") if isinstance(other, Mapping) else None
    if not isinstance(other_cidr, str):
        return  # the sibling's own validation reports it
    try:
        if other_cidr and vpc.overlaps(ipaddress.IPv4Network(other_cidr)):
            problems.add(
                "faas:network.cidr",
                f"{network.cidr} overlaps the other colour's "
                f"VPC {other_cidr}; give blue and green disjoint ranges",
            )
    except ValueError:
        pass  # the sibling's own validation reports its malformed CIDR
