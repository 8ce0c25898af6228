"""One typed, validated view of a stack's config, built once, before any resource exists.

`load(stack, raw)` takes the stack name and the flat Pulumi config (`"faas:network": {...}`,
`"aws:region": "eu-west-1"`; object values may arrive JSON-encoded, as Pulumi passes them) and
returns a `ClusterStackConfig` or an `EnvironmentStackConfig`. Every problem is collected with its
key path and raised once as `ConfigError`; the program turns that into one `pulumi.RunError`, and
`scripts/plan.py` into exit code 2, so nothing is created from a half-valid config.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components import instance_types, naming, versions
from components.serving_config import ServingConfig, read_serving
from components.validate import ConfigError, Problems, Reader, parse_cidr

_CLUSTER_KEYS = {
    "environment",
    "color",
    "baseDomain",
    "parentZoneId",
    "network",
    "cluster",
    "nodeGroups",
    "edge",
    "serving",
}
_ENV_KEYS = {
    "environment",
    "baseDomain",
    "parentZoneId",
    "activeColor",
    "initialWeights",
    "stackRefPrefix",
}
_DOMAIN_RE = re.compile(r"^(?=.{4,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")
_ZONE_ID_RE = re.compile(r"^Z[A-Z0-9]{6,31}$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_AZ_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-f]$")
MAX_AZS = 6  # AZ letters a..f index the subnet slots (components/subnets.py)


@dataclass(frozen=True)
class NetworkConfig:
    cidr: str
    """VPC CIDR, a private range between /16 and /20."""
    azs: tuple[str, ...]
    """Availability zones (at least 2); each AZ's subnets are keyed on its letter, so stable."""
    nat_strategy: str
    """`perAz` (one NAT per AZ, production) or `single` (one shared NAT, cheaper non-prod)."""
    flow_log_retention_days: int


@dataclass(frozen=True)
class ClusterConfig:
    kubernetes_version: str
    service_cidr: str
    """Kubernetes service CIDR; must not overlap the VPC."""
    public_access_cidrs: tuple[str, ...]
    """Empty: public API endpoint off. Never 0.0.0.0/0."""
    admin_role_arns: tuple[str, ...]
    log_retention_days: int


@dataclass(frozen=True)
class NodeGroupConfig:
    name: str
    capacity_type: str
    """`ON_DEMAND` (system group) or `SPOT` (function groups)."""
    instance_types: tuple[str, ...]
    min_size: int
    max_size: int
    desired_size: int
    disk_size_gb: int


@dataclass(frozen=True)
class EdgeConfig:
    deletion_protection: bool
    access_log_expiry_days: int
    query_log_retention_days: int
    dmz_ingress_cidrs: tuple[str, ...]
    """Who may reach the DMZ balancer on 443 (the internet by default)."""


@dataclass(frozen=True)
class ClusterStackConfig:
    stack: str
    environment: str
    color: str
    region: str
    base_domain: str
    parent_zone_id: str
    network: NetworkConfig
    cluster: ClusterConfig
    system_nodes: NodeGroupConfig
    spot_groups: tuple[NodeGroupConfig, ...]
    edge: EdgeConfig
    serving: ServingConfig


@dataclass(frozen=True)
class EnvironmentStackConfig:
    stack: str
    environment: str
    region: str
    base_domain: str
    parent_zone_id: str
    active_color: str
    initial_weights: dict[str, int]
    """Weight per colour when the records are first created; then the cutover owns them."""
    stack_ref_prefix: str
    """`<org>/<project>` that prefixes the colour stacks in StackReferences."""

    def color_stack(self, color: str) -> str:
        return f"{self.stack_ref_prefix}/{naming.stack_name(self.environment, color)}"


StackConfig = ClusterStackConfig | EnvironmentStackConfig


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to the program as JSON strings; YAML loaders do not."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return value


def load(
    stack: str, raw: Mapping[str, Any], sibling: Mapping[str, Any] | None = None
) -> StackConfig:
    """Validate `raw` (flat `ns:key` config) for `stack`; raise `ConfigError` listing every problem.

    `sibling` is the other colour's flat config when known: blue and green must not use
    overlapping VPC ranges, so they can later be peered or share a transit gateway.
    """
    problems = Problems()
    faas = {k.split(":", 1)[1]: _decode(v) for k, v in raw.items() if k.startswith("faas:")}
    env_name, color = naming.parse_stack_name(stack)
    keys = _CLUSTER_KEYS if color else _ENV_KEYS
    top = Reader(faas, "faas", problems, keys, sep=":")

    region = raw.get("aws:region")
    if not isinstance(region, str) or not re.match(r"^[a-z]{2}(-gov)?-[a-z]+-\d$", region):
        problems.add("aws:region", f"{region!r} is not an AWS region (e.g. eu-west-1)")
        region = ""
    environment = top.str("environment")
    if environment and not naming.valid_environment(environment):
        problems.add("faas:environment", f"{environment!r} must be 2-12 lowercase letters/digits")
    if environment and environment != env_name:
        problems.add(
            "faas:environment",
            f"{environment!r} disagrees with stack name {stack!r} (expected {env_name!r})",
        )
    base_domain = top.str("baseDomain")
    if base_domain and not _DOMAIN_RE.match(base_domain):
        problems.add("faas:baseDomain", f"{base_domain!r} is not a lowercase DNS name")
    parent_zone_id = top.str("parentZoneId")
    if parent_zone_id and not _ZONE_ID_RE.match(parent_zone_id):
        problems.add("faas:parentZoneId", f"{parent_zone_id!r} is not a Route 53 zone id (Z…)")

    if color is None:
        cfg: StackConfig = _environment(
            stack, top, problems, environment, region, base_domain, parent_zone_id
        )
    else:
        declared = top.str("color")
        if declared and declared not in naming.COLORS:
            problems.add("faas:color", f"{declared!r} is not one of {', '.join(naming.COLORS)}")
        elif declared and declared != color:
            problems.add(
                "faas:color",
                f"{declared!r} disagrees with stack name {stack!r} (expected {color!r})",
            )
        cfg = _cluster(
            stack, top, problems, environment, color, region, base_domain, parent_zone_id, sibling
        )
    if problems:
        raise ConfigError(stack, problems.items)
    return cfg


def _environment(stack, top: Reader, problems, environment, region, base_domain, parent_zone_id):
    active = top.str("activeColor")
    if active and active not in naming.COLORS:
        problems.add("faas:activeColor", f"{active!r} is not one of {', '.join(naming.COLORS)}")
    default = {c: (100 if c == active else 0) for c in naming.COLORS}
    w = Reader(top.get("initialWeights", default), "faas:initialWeights", problems, naming.COLORS)
    weights = {c: w.int(c, default[c], lo=0, hi=255) for c in naming.COLORS}
    if all(v == 0 for v in weights.values()):
        problems.add(
            "faas:initialWeights",
            "all weights are 0: Route 53 would then split traffic "
            "equally between the colours; give the active colour a weight above 0",
        )
    elif active in naming.COLORS and weights[active] == 0:
        problems.add("faas:initialWeights", f"the active colour {active!r} has weight 0")
    return EnvironmentStackConfig(
        stack=stack,
        environment=environment,
        region=region,
        base_domain=base_domain,
        parent_zone_id=parent_zone_id,
        active_color=active,
        initial_weights=weights,
        stack_ref_prefix=top.str("stackRefPrefix", f"organization/{naming.PROJECT}"),
    )


def _cluster(
    stack, top: Reader, problems, environment, color, region, base_domain, parent_zone_id, sibling
):
    network = _network(
        Reader(
            top.get("network"),
            "faas:network",
            problems,
            {"cidr", "azs", "natStrategy", "flowLogRetentionDays"},
        ),
        region,
    )
    cluster = _cluster_settings(
        Reader(
            top.get("cluster", {}),
            "faas:cluster",
            problems,
            {
                "kubernetesVersion",
                "serviceCidr",
                "publicAccessCidrs",
                "adminRoleArns",
                "logRetentionDays",
            },
        )
    )
    vpc = parse_cidr(network.cidr, "faas:network.cidr", Problems()) if network.cidr else None
    svc = parse_cidr(cluster.service_cidr, "faas:cluster.serviceCidr", Problems())
    if vpc and svc and vpc.overlaps(svc):
        problems.add(
            "faas:cluster.serviceCidr", f"{cluster.service_cidr} overlaps the VPC {network.cidr}"
        )
    if vpc and sibling:
        other = _decode(sibling.get("faas:network")) or {}
        other_cidr = other.get("cidr") if isinstance(other, Mapping) else None
        try:
            if other_cidr and vpc.overlaps(ipaddress.IPv4Network(other_cidr)):
                problems.add(
                    "faas:network.cidr",
                    f"{network.cidr} overlaps the other colour's "
                    f"VPC {other_cidr}; give blue and green disjoint ranges",
                )
        except ValueError:
            pass  # the sibling's own validation reports its malformed CIDR
    groups = Reader(top.get("nodeGroups"), "faas:nodeGroups", problems, {"system", "spot"})
    system = _node_group(
        Reader(groups.get("system"), "faas:nodeGroups.system", problems, _GROUP_KEYS),
        "system",
        "ON_DEMAND",
    )
    spot_raw = groups.list("spot")
    if not spot_raw:
        problems.add("faas:nodeGroups.spot", "at least one spot node group is required")
    spot = tuple(
        _node_group(
            Reader(g, f"faas:nodeGroups.spot[{i}]", problems, _GROUP_KEYS | {"name"}), None, "SPOT"
        )
        for i, g in enumerate(spot_raw)
    )
    names = [g.name for g in spot]
    for dup in sorted({n for n in names if names.count(n) > 1 or n == "system"}):
        problems.add("faas:nodeGroups.spot", f"node group name {dup!r} is used twice")
    e = Reader(
        top.get("edge", {}),
        "faas:edge",
        problems,
        {"deletionProtection", "accessLogExpiryDays", "queryLogRetentionDays", "dmzIngressCidrs"},
    )
    dmz_cidrs = e.str_list("dmzIngressCidrs", ["0.0.0.0/0"])
    for i, c in enumerate(dmz_cidrs):
        parse_cidr(c, f"faas:edge.dmzIngressCidrs[{i}]", problems)
    edge = EdgeConfig(
        deletion_protection=e.bool("deletionProtection", True),
        access_log_expiry_days=e.int("accessLogExpiryDays", 90, lo=1, hi=3650),
        query_log_retention_days=e.int("queryLogRetentionDays", 30, lo=1, hi=3653),
        dmz_ingress_cidrs=dmz_cidrs,
    )
    serving = read_serving(top.get("serving", {}), "faas:serving", problems)
    return ClusterStackConfig(
        stack=stack,
        environment=environment,
        color=color,
        region=region,
        base_domain=base_domain,
        parent_zone_id=parent_zone_id,
        network=network,
        cluster=cluster,
        system_nodes=system,
        spot_groups=spot,
        edge=edge,
        serving=serving,
    )


def _network(r: Reader, region: str) -> NetworkConfig:
    cidr = r.network("cidr")
    if cidr is not None:
        if not cidr.is_private:
            r.problems.add(r.sub("cidr"), f"{cidr} is not a private (RFC 1918) range")
        if not 16 <= cidr.prefixlen <= 20:
            r.problems.add(r.sub("cidr"), f"{cidr} must be between /16 and /20 to fit the subnets")
    azs = r.str_list("azs")
    if len(azs) < 2:
        r.problems.add(r.sub("azs"), f"{list(azs)} has fewer than 2 availability zones")
    if len(azs) > MAX_AZS:
        r.problems.add(r.sub("azs"), f"{len(azs)} zones; at most {MAX_AZS} are supported")
    for i, az in enumerate(azs):
        if not _AZ_RE.match(az):
            r.problems.add(f"{r.sub('azs')}[{i}]", f"{az!r} is not an availability zone name")
        elif region and not az.startswith(region):
            r.problems.add(f"{r.sub('azs')}[{i}]", f"{az!r} is not in region {region}")
    for az in sorted({a for a in azs if azs.count(a) > 1}):
        r.problems.add(r.sub("azs"), f"{az!r} is listed twice")
    return NetworkConfig(
        cidr=str(cidr) if cidr else "",
        azs=azs,
        nat_strategy=r.str("natStrategy", "perAz", choices=("perAz", "single")),
        flow_log_retention_days=r.int("flowLogRetentionDays", 90, lo=1, hi=3653),
    )


def _cluster_settings(r: Reader) -> ClusterConfig:
    version = r.str("kubernetesVersion", versions.DEFAULT_KUBERNETES_VERSION)
    if version not in versions.SUPPORTED_KUBERNETES_VERSIONS:
        r.problems.add(
            r.sub("kubernetesVersion"),
            f"{version!r} is not a supported version "
            f"({', '.join(versions.SUPPORTED_KUBERNETES_VERSIONS)})",
        )
    service = r.network("serviceCidr", "172.20.0.0/16")
    public = r.str_list("publicAccessCidrs", [])
    for i, c in enumerate(public):
        net = parse_cidr(c, f"{r.sub('publicAccessCidrs')}[{i}]", r.problems)
        if net is not None and net.prefixlen == 0:
            r.problems.add(
                f"{r.sub('publicAccessCidrs')}[{i}]",
                f"{c} opens the API endpoint to "
                "the whole internet; list your office/VPN ranges or leave it empty",
            )
    admins = r.str_list("adminRoleArns", [])
    for i, arn in enumerate(admins):
        if not _ROLE_ARN_RE.match(arn):
            r.problems.add(f"{r.sub('adminRoleArns')}[{i}]", f"{arn!r} is not an IAM role ARN")
    return ClusterConfig(
        kubernetes_version=version,
        service_cidr=str(service) if service else "",
        public_access_cidrs=public,
        admin_role_arns=admins,
        log_retention_days=r.int("logRetentionDays", 90, lo=1, hi=3653),
    )


_GROUP_KEYS = {"instanceTypes", "minSize", "maxSize", "desiredSize", "diskSizeGb"}
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,20}$")


def _node_group(r: Reader, name: str | None, capacity: str) -> NodeGroupConfig:
    if name is None:
        name = r.str("name")
        if name and not _NAME_RE.match(name):
            r.problems.add(r.sub("name"), f"{name!r} must be a short lowercase DNS label")
    types = r.str_list("instanceTypes")
    for i, t in enumerate(types):
        if not instance_types.well_formed(t):
            r.problems.add(f"{r.sub('instanceTypes')}[{i}]", f"{t!r} is not family.size")
    if capacity == "SPOT":
        if len(types) < 3:
            r.problems.add(
                r.sub("instanceTypes"),
                f"{list(types)}: a spot group needs at least "
                "3 instance types so one reclaimed pool does not empty it",
            )
        shapes = {t: instance_types.shape(t) for t in types if instance_types.well_formed(t)}
        for t, s in shapes.items():
            if s is None:
                r.problems.add(
                    r.sub("instanceTypes"),
                    f"{t!r} is not in the instance catalogue "
                    "(components/instance_types.py); add it there",
                )
        distinct = {s for s in shapes.values() if s}
        if len(distinct) > 1:
            listing = ", ".join(f"{t}={s[0]}vCPU/{s[1]}GiB" for t, s in shapes.items() if s)
            r.problems.add(
                r.sub("instanceTypes"),
                f"mixed vCPU/memory sizes ({listing}); use one shape per group",
            )
    lo, hi = r.int("minSize", lo=0, hi=1000), r.int("maxSize", lo=1, hi=1000)
    desired = r.int("desiredSize", lo=0, hi=1000)
    if lo > hi:
        r.problems.add(r.sub("minSize"), f"{lo} is greater than maxSize {hi}")
    elif not lo <= desired <= hi:
        r.problems.add(
            r.sub("desiredSize"), f"{desired} is outside [minSize, maxSize] = [{lo}, {hi}]"
        )
    return NodeGroupConfig(
        name=name,
        capacity_type=capacity,
        instance_types=types,
        min_size=lo,
        max_size=hi,
        desired_size=desired,
        disk_size_gb=r.int("diskSizeGb", 50, lo=20, hi=1000),
    )
