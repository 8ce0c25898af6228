"""Every bounded config field at its edges, and the default of every optional key.

Each case changes one key of the shipped `dev-blue` (or `dev`) stack file and loads it: the value
on the boundary is accepted, the one just past it is refused with the key path; a key left out
takes its documented default. `make mutation` holds these against off-by-one and dropped-check
mutants of components/config/ (docs/testing.md).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from components import config
from components.config import ConfigError
from components.config.reader import MAX_PROBLEM, MAX_SHOWN, Problems, Reader, shown
from components.config.stackfile import MAX_DEPTH, StackFileError, parse_stack_text, read_stack_file

DROP = object()  # the key is removed


def edited(stack: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The shipped stack file with `changes` applied: `faas:section.key.sub` -> value (or DROP);
    a list index is a path element (`faas:nodeGroups.spot.0.minSize`)."""
    raw = copy.deepcopy(read_stack_file(stack))
    assert raw is not None
    for path, value in changes.items():
        top, *rest = path.split(".")
        node: Any = raw
        keys: list[Any] = [top, *(int(k) if k.isdigit() else k for k in rest)]
        for key in keys[:-1]:
            node = node[key]
        if value is DROP:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    return raw


def load(changes: dict[str, Any], stack: str = "dev-blue") -> Any:
    return config.load(stack, edited(stack, changes))


def refusals(changes: dict[str, Any], stack: str = "dev-blue") -> list[str]:
    with pytest.raises(ConfigError) as err:
        load(changes, stack)
    return err.value.problems


SPOT = "faas:nodeGroups.spot.0"


def sizes(lo: int, hi: int, desired: int) -> dict[str, int]:
    """The spot group's three sizes, set explicitly (not relying on the shipped ones)."""
    return {f"{SPOT}.minSize": lo, f"{SPOT}.maxSize": hi, f"{SPOT}.desiredSize": desired}


SYSTEM = "faas:nodeGroups.system"
SPOT_GROUP = {
    "name": "functions",
    "instanceTypes": ["m5.large", "m6i.large", "m6a.large"],
    "minSize": 1,
    "maxSize": 3,
    "desiredSize": 1,
}

# (id, changes, the refusal's start, or None when accepted)
EDGES: list[tuple[str, dict[str, Any], str | None]] = [
    # network: RFC 1918, /16../20 (the subnet layout), 2..6 zones of the region
    ("vpc-/16", {"faas:network.cidr": "10.10.0.0/16"}, None),
    ("vpc-/20", {"faas:network.cidr": "10.10.0.0/20"}, None),
    (
        "vpc-/21",
        {"faas:network.cidr": "10.10.0.0/21"},
        "faas:network.cidr: 10.10.0.0/21 must be between /16 and /20",
    ),
    (
        "vpc-/15",
        {"faas:network.cidr": "10.10.0.0/15"},
        "faas:network.cidr: 10.10.0.0/15 must be between /16 and /20",
    ),
    ("vpc-172.16/12-edge", {"faas:network.cidr": "172.31.0.0/16"}, None),
    (
        "vpc-172.32",
        {"faas:network.cidr": "172.32.0.0/16"},
        "faas:network.cidr: 172.32.0.0/16 is not a private",
    ),
    ("vpc-192.168", {"faas:network.cidr": "192.168.0.0/16"}, None),
    (
        "vpc-public",
        {"faas:network.cidr": "11.0.0.0/16"},
        "faas:network.cidr: 11.0.0.0/16 is not a private",
    ),
    (
        "vpc-host-bits",
        {"faas:network.cidr": "10.10.0.1/16"},
        "faas:network.cidr: 10.10.0.1/16 is not a CIDR",
    ),
    ("azs-2", {"faas:network.azs": ["eu-west-1a", "eu-west-1c"]}, None),
    (
        "azs-1",
        {"faas:network.azs": ["eu-west-1a"]},
        "faas:network.azs: ['eu-west-1a'] has fewer than 2",
    ),
    ("azs-empty", {"faas:network.azs": []}, "faas:network.azs: [] has fewer than 2"),
    (
        "azs-twice",
        {"faas:network.azs": ["eu-west-1a", "eu-west-1a"]},
        "faas:network.azs: 'eu-west-1a' is listed twice",
    ),
    (
        "azs-other-region",
        {"faas:network.azs": ["eu-west-1a", "us-east-1a"]},
        "faas:network.azs[1]: 'us-east-1a' is not in region eu-west-1",
    ),
    (
        "azs-6",
        {"aws:region": "us-east-1", "faas:network.azs": [f"us-east-1{z}" for z in "abcdef"]},
        None,
    ),
    (
        "azs-7",
        {"faas:network.azs": ["eu-west-1a", "eu-west-1b", "eu-west-1c"] * 2 + ["eu-west-1a"]},
        "faas:network.azs: 7 zones; at most 6",
    ),
    (
        "nat-unknown",
        {"faas:network.natStrategy": "perAZ"},
        "faas:network.natStrategy: 'perAZ' is not one of perAz, single",
    ),
    (
        "flow-log-days-not-accepted",
        {"faas:network.flowLogRetentionDays": 31},
        "faas:network.flowLogRetentionDays: 31 is not a retention",
    ),
    # cluster: service range in RFC 1918, /12../24, not overlapping the VPC
    ("service-/12", {"faas:cluster.serviceCidr": "172.16.0.0/12"}, None),
    (
        "service-/11",
        {"faas:cluster.serviceCidr": "172.0.0.0/11"},
        "faas:cluster.serviceCidr: 172.0.0.0/11 is not inside",
    ),
    ("service-/24", {"faas:cluster.serviceCidr": "192.168.7.0/24"}, None),
    (
        "service-/25",
        {"faas:cluster.serviceCidr": "192.168.7.0/25"},
        "faas:cluster.serviceCidr: 192.168.7.0/25 must be between /12 and /24",
    ),
    (
        "service-overlaps-vpc",
        {"faas:cluster.serviceCidr": "10.10.128.0/24"},
        "faas:cluster.serviceCidr: 10.10.128.0/24 overlaps the VPC 10.10.0.0/16",
    ),
    ("public-/1", {"faas:cluster.publicAccessCidrs": ["0.0.0.0/1"]}, None),
    (
        "public-world",
        {"faas:cluster.publicAccessCidrs": ["0.0.0.0/0"]},
        "faas:cluster.publicAccessCidrs[0]: 0.0.0.0/0 opens the API endpoint",
    ),
    (
        "admin-not-a-role",
        {"faas:cluster.adminRoleArns": ["arn:aws:iam::123456789012:user/x"]},
        "faas:cluster.adminRoleArns[0]:",
    ),
    (
        "kubernetes-version-moved",
        {"faas:cluster.kubernetesVersion": "1.33"},
        "faas:cluster.kubernetesVersion: the Kubernetes version comes from",
    ),
    # node groups: sizes 0/1..1000, min <= desired <= max, disks 20..1000 GiB, 3 spot types
    ("min-0", {f"{SPOT}.minSize": 0}, None),
    ("min--1", {f"{SPOT}.minSize": -1}, "faas:nodeGroups.spot[0].minSize: -1 is outside 0..1000"),
    ("max-1", {f"{SPOT}.minSize": 1, f"{SPOT}.maxSize": 1, f"{SPOT}.desiredSize": 1}, None),
    (
        "max-0",
        {f"{SPOT}.minSize": 0, f"{SPOT}.maxSize": 0, f"{SPOT}.desiredSize": 0},
        "faas:nodeGroups.spot[0].maxSize: 0 is outside 1..1000",
    ),
    ("max-1000", sizes(1, 1000, 1), None),
    (
        "max-1001",
        sizes(1, 1001, 1),
        "faas:nodeGroups.spot[0].maxSize: 1001 is outside 1..1000",
    ),
    (
        "desired-1001",
        sizes(1, 10, 1001),
        "faas:nodeGroups.spot[0].desiredSize: 1001 is outside 0..1000",
    ),
    ("min-equals-max", sizes(10, 10, 10), None),
    (
        "min-above-max",
        sizes(11, 10, 11),
        "faas:nodeGroups.spot[0].minSize: 11 is greater than maxSize 10",
    ),
    ("desired-at-min", sizes(1, 10, 1), None),
    ("desired-at-max", sizes(1, 10, 10), None),
    (
        "desired-below-min",
        sizes(1, 10, 0),
        "faas:nodeGroups.spot[0].desiredSize: 0 is outside [minSize, maxSize] = [1, 10]",
    ),
    (
        "desired-above-max",
        sizes(1, 10, 11),
        "faas:nodeGroups.spot[0].desiredSize: 11 is outside [minSize, maxSize] = [1, 10]",
    ),
    ("disk-20", {f"{SYSTEM}.diskSizeGb": 20}, None),
    (
        "disk-19",
        {f"{SYSTEM}.diskSizeGb": 19},
        "faas:nodeGroups.system.diskSizeGb: 19 is outside 20..1000",
    ),
    ("disk-1000", {f"{SYSTEM}.diskSizeGb": 1000}, None),
    (
        "disk-1001",
        {f"{SYSTEM}.diskSizeGb": 1001},
        "faas:nodeGroups.system.diskSizeGb: 1001 is outside 20..1000",
    ),
    (
        "disk-not-a-number",
        {f"{SYSTEM}.diskSizeGb": True},
        "faas:nodeGroups.system.diskSizeGb: True is not a whole number",
    ),
    ("spot-3-types", {f"{SPOT}.instanceTypes": ["m5.large", "m6i.large", "m6a.large"]}, None),
    (
        "spot-2-types",
        {f"{SPOT}.instanceTypes": ["m5.large", "m6i.large"]},
        "faas:nodeGroups.spot[0].instanceTypes: ['m5.large', 'm6i.large']: a spot group needs",
    ),
    ("spot-name-21", {f"{SPOT}.name": "f" * 21}, None),
    (
        "spot-name-22",
        {f"{SPOT}.name": "f" * 22},
        "faas:nodeGroups.spot[0].name: 'ffffffffffffffffffffff' must be a short lowercase",
    ),
    (
        "spot-named-system",
        {f"{SPOT}.name": "system"},
        "faas:nodeGroups.spot: node group name 'system' is used twice",
    ),
    (
        "spot-none",
        {"faas:nodeGroups.spot": []},
        "faas:nodeGroups.spot: at least one spot node group is required",
    ),
    (
        "system-types-empty",
        {f"{SYSTEM}.instanceTypes": []},
        "faas:nodeGroups.system.instanceTypes: is empty",
    ),
    # edge: access-log expiry 1..3650 days, internal ranges private and listed once
    ("expiry-1", {"faas:edge.accessLogExpiryDays": 1}, None),
    (
        "expiry-0",
        {"faas:edge.accessLogExpiryDays": 0},
        "faas:edge.accessLogExpiryDays: 0 is outside 1..3650",
    ),
    ("expiry-3650", {"faas:edge.accessLogExpiryDays": 3650}, None),
    (
        "expiry-3651",
        {"faas:edge.accessLogExpiryDays": 3651},
        "faas:edge.accessLogExpiryDays: 3651 is outside 1..3650",
    ),
    ("internal-rfc6598", {"faas:edge.internalIngressCidrs": ["100.64.0.0/10"]}, None),
    (
        "internal-public",
        {"faas:edge.internalIngressCidrs": ["100.128.0.0/10"]},
        "faas:edge.internalIngressCidrs[0]: 100.128.0.0/10 is not inside a private range",
    ),
    (
        "internal-twice",
        {"faas:edge.internalIngressCidrs": ["10.30.0.0/16", "10.30.0.0/16"]},
        "faas:edge.internalIngressCidrs: 10.30.0.0/16 is listed twice",
    ),
    (
        "dmz-not-a-cidr",
        {"faas:edge.dmzIngressCidrs": ["office"]},
        "faas:edge.dmzIngressCidrs[0]: office is not a CIDR",
    ),
    ("dnssec-unknown", {"faas:edge.dnssec": "on"}, "faas:edge.dnssec: 'on' is not one of"),
    # serving: bounded numbers and ordered pairs
    ("concurrency-0", {"faas:serving.containerConcurrency": 0}, None),
    ("concurrency-1000", {"faas:serving.containerConcurrency": 1000}, None),
    (
        "concurrency-1001",
        {"faas:serving.containerConcurrency": 1001},
        "faas:serving.containerConcurrency: 1001 is outside 0..1000",
    ),
    (
        "concurrency--1",
        {"faas:serving.containerConcurrency": -1},
        "faas:serving.containerConcurrency: -1 is outside 0..1000",
    ),
    ("sample-0", {"faas:serving.tracing.sampleRate": 0}, None),
    ("sample-1", {"faas:serving.tracing.sampleRate": 1}, None),
    (
        "sample-above-1",
        {"faas:serving.tracing.sampleRate": 1.01},
        "faas:serving.tracing.sampleRate: 1.01 is not a number in 0..1",
    ),
    (
        "sample-below-0",
        {"faas:serving.tracing.sampleRate": -0.01},
        "faas:serving.tracing.sampleRate: -0.01 is not a number in 0..1",
    ),
    (
        "sample-bool",
        {"faas:serving.tracing.sampleRate": True},
        "faas:serving.tracing.sampleRate: True is not a number in 0..1",
    ),
    (
        "gc-min-equals-max",
        {"faas:serving.revisionGc": {"minNonActive": 5, "maxNonActive": 5}},
        None,
    ),
    (
        "gc-min-above-max",
        {"faas:serving.revisionGc": {"minNonActive": 6, "maxNonActive": 5}},
        "faas:serving.revisionGc.minNonActive: 6 is greater than maxNonActive 5",
    ),
    (
        "gc-retain-not-duration",
        {"faas:serving.revisionGc": {"retainSinceLastActive": "2d"}},
        "faas:serving.revisionGc.retainSinceLastActive: '2d' is not a duration",
    ),
    (
        "grace-not-duration",
        {"faas:serving.scaleToZeroGrace": "30"},
        "faas:serving.scaleToZeroGrace: '30' is not a duration",
    ),
    ("pods-at-max-scale", {"faas:serving.teams.0.pods": 10}, None),
    (
        "pods-below-max-scale",
        {"faas:serving.teams.0.pods": 9},
        "faas:serving.teams[0].pods: 9 is below maxScale 10",
    ),
    (
        "pods-0",
        {"faas:serving.teams.0.pods": 0},
        "faas:serving.teams[0].pods: 0 is outside 1..10000",
    ),
    (
        "pods-10000",
        {
            "faas:serving.teams.0.pods": 10000,
            "faas:serving.teams.0.cpu": "100000",
            "faas:serving.teams.0.memory": "1000000Gi",
        },
        None,
    ),
    (
        "pods-10001",
        {"faas:serving.teams.0.pods": 10001},
        "faas:serving.teams[0].pods: 10001 is outside 1..10000",
    ),
    (
        "team-reserved",
        {"faas:serving.teams.0.name": "istio-system"},
        "faas:serving.teams[0].name: 'istio-system' is reserved",
    ),
    (
        "team-twice",
        {"faas:serving.teams.1.name": "payments"},
        "faas:serving.teams: team 'payments' is listed twice",
    ),
    (
        "cpu-not-quantity",
        {"faas:serving.teams.0.cpu": "8 cores"},
        "faas:serving.teams[0].cpu: '8 cores' is not a Kubernetes quantity",
    ),
    (
        "public-path-relative",
        {"faas:serving.oidc.publicPaths": ["healthz"]},
        "faas:serving.oidc.publicPaths[0]: 'healthz' must start with /",
    ),
    (
        "issuer-http",
        {"faas:serving.oidc.issuer": "http://login.example.com/"},
        "faas:serving.oidc.issuer: 'http://login.example.com/' must be an https:// URL",
    ),
    (
        "otlp-not-url",
        {"faas:serving.tracing.otlpEndpoint": "otlp:4317"},
        "faas:serving.tracing.otlpEndpoint: 'otlp:4317' is not an http(s):// URL",
    ),
    # top level
    (
        "color-disagrees",
        {"faas:color": "green"},
        "faas:color: 'green' disagrees with stack name 'dev-blue'",
    ),
    (
        "environment-disagrees",
        {"faas:environment": "prod"},
        "faas:environment: 'prod' disagrees with stack name",
    ),
    ("region-unknown", {"aws:region": "eu-west-9"}, "aws:region: 'eu-west-9' is not an AWS region"),
    (
        "zone-id",
        {"faas:parentZoneId": "z0dev"},
        "faas:parentZoneId: 'z0dev' is not a Route 53 zone id",
    ),
    (
        "environment-invalid",
        {"faas:environment": "Dev!"},
        "faas:environment: 'Dev!' must be 2-12 lowercase",
    ),
    ("region-blank", {"aws:region": "  "}, "aws:region: is required (e.g. eu-west-1)"),
    (
        "base-domain-upper",
        {"faas:baseDomain": "Dev.Example.com"},
        "faas:baseDomain: 'Dev.Example.com' is not a lowercase DNS name",
    ),
    ("region-not-string", {"aws:region": 5}, "aws:region: 5 is not a string"),
    (
        "azs-not-list",
        {"faas:network.azs": "eu-west-1a"},
        "faas:network.azs: 'eu-west-1a' is not a list",
    ),
    (
        "team-role-not-arn",
        {"faas:serving.teams.0.iamRoleArn": "team"},
        "faas:serving.teams[0].iamRoleArn: 'team' is not an IAM role ARN",
    ),
    (
        "pods-over-quota",
        {"faas:serving.teams.0.pods": 5000},
        "faas:serving.teams[0].pods: 5000 promises more pods than cpu",
    ),
    (
        "spot-names-twice",
        {"faas:nodeGroups.spot": [SPOT_GROUP, SPOT_GROUP]},
        "faas:nodeGroups.spot: node group name 'functions' is used twice",
    ),
    (
        "region-typo",
        {"aws:region": DROP, "aws:regoin": "eu-west-1"},
        "aws:region: is required (e.g. eu-west-1) ('aws:regoin' looks like a typo of it)",
    ),
]


@pytest.mark.parametrize(("changes", "refusal"), [c[1:] for c in EDGES], ids=[c[0] for c in EDGES])
def test_config_edges(changes: dict[str, Any], refusal: str | None) -> None:
    if refusal is None:
        load(changes)
    else:
        found = refusals(changes)
        assert any(p.startswith(refusal) for p in found), found


def test_defaults_of_optional_keys() -> None:
    """Every optional key left out takes the default its field docstring and the README give."""
    cfg = load(
        {
            "faas:network.natStrategy": DROP,
            "faas:network.flowLogRetentionDays": DROP,
            "faas:cluster": {"adminRoleArns": ["arn:aws:iam::123456789012:role/admins"]},
            f"{SYSTEM}.diskSizeGb": DROP,
            "faas:edge": {},
            "faas:serving": {
                "oidc": {"issuer": "https://login.example.com/", "jwksUri": "https://l/j"},
                "teams": [{"name": "t", "iamRoleArn": "arn:aws:iam::123456789012:role/t"}],
                # Required since alerts must go somewhere; everything else is left out.
                "observability": {
                    "alertReceivers": [{"name": "oncall", "webhookUrl": "https://e.example/a"}]
                },
            },
        }
    )
    assert cfg.network.nat_strategy == "perAz"
    assert cfg.network.flow_log_retention_days == 90
    assert cfg.cluster.service_cidr == "172.20.0.0/16"
    assert cfg.cluster.public_access_cidrs == ()
    assert cfg.cluster.log_retention_days == 90
    assert cfg.system_nodes.disk_size_gb == 50
    assert cfg.edge.deletion_protection is True
    assert cfg.edge.access_log_expiry_days == 90
    assert cfg.edge.query_log_retention_days == 30
    assert cfg.edge.dmz_ingress_cidrs == ("0.0.0.0/0",)
    assert cfg.edge.internal_ingress_cidrs == ()
    assert cfg.edge.dnssec == "chain"
    s = cfg.serving
    assert s.scale_to_zero is True and s.container_concurrency == 0
    assert s.scale_to_zero_grace == "30s"
    assert (s.revision_min_non_active, s.revision_max_non_active) == (2, 20)
    assert s.revision_retain_since_last_active == "48h"
    assert s.log_retention_days == 30
    assert s.tracing.otlp_endpoint == "" and s.tracing.sample_rate == 0.1
    assert s.oidc.audiences == () and s.oidc.public_hosts == ()
    assert s.oidc.public_paths == ("/healthz",)
    team = s.teams[0]
    assert (team.cpu, team.memory) == ("16", "16Gi")
    assert team.pods > s.max_scale == 10  # what cpu and memory hold in default-sized pods
    assert team.functions == () and team.policies == () and team.source is None


def test_environment_stack_defaults_and_weight_edges() -> None:
    cfg = load(
        {"faas:queryLogRetentionDays": DROP, "faas:dnssec": DROP, "faas:initialWeights": DROP},
        stack="dev",
    )
    assert cfg.query_log_retention_days == 30 and cfg.dnssec == "chain"
    assert cfg.stack_ref_prefix == "organization/faas-platform"
    assert cfg.initial_weights == {"blue": 100, "green": 0}  # from activeColor
    edge = load({"faas:initialWeights": {"blue": 255, "green": 0}}, stack="dev")
    assert edge.initial_weights == {"blue": 255, "green": 0}
    assert any(
        p.startswith("faas:initialWeights.blue: 256 is outside 0..255")
        for p in refusals({"faas:initialWeights": {"blue": 256, "green": 0}}, stack="dev")
    )
    assert any(
        p.startswith("faas:initialWeights: all weights are 0")
        for p in refusals({"faas:initialWeights": {"blue": 0, "green": 0}}, stack="dev")
    )
    assert any(
        "the active colour 'blue' has weight 0" in p
        for p in refusals({"faas:initialWeights": {"blue": 0, "green": 1}}, stack="dev")
    )
    assert load({"faas:queryLogRetentionDays": "365"}, stack="dev").query_log_retention_days == 365


def test_echoed_values_and_problems_are_cut_at_their_limits() -> None:
    assert shown("x" * (MAX_SHOWN - 2)) == repr("x" * (MAX_SHOWN - 2))  # exactly the limit
    cut = shown("x" * (MAX_SHOWN - 1))
    assert cut.endswith(f"({MAX_SHOWN + 1} characters)") and len(cut.split("…")[0]) == MAX_SHOWN - 1
    problems = Problems()
    problems.add("k", "m" * (MAX_PROBLEM - 3))  # "k: " + message: exactly the limit
    problems.add("k", "m" * (MAX_PROBLEM - 2))
    assert len(problems.items[0]) == MAX_PROBLEM and not problems.items[0].endswith("…")
    assert len(problems.items[1]) == MAX_PROBLEM and problems.items[1].endswith("…")


def test_config_records_are_frozen() -> None:
    """Components share one config object: none may change what another one reads."""
    import dataclasses
    import inspect

    from components.config import cluster, edge, environment, network, nodegroups, serving

    records = [
        obj
        for module in (config, cluster, edge, environment, network, nodegroups, serving)
        for _, obj in inspect.getmembers(module, dataclasses.is_dataclass)
        if inspect.isclass(obj) and obj.__module__.startswith("components.config")
    ]
    assert len(records) >= 8
    for record in records:
        assert record.__dataclass_params__.frozen, record.__name__


def test_a_region_missing_names_only_a_likely_typo() -> None:
    found = refusals({"aws:region": DROP, "aws:profile": "ops"})
    assert "aws:region: is required (e.g. eu-west-1)" in found  # no hint: profile is no typo


def test_echo_limits_are_the_documented_ones() -> None:
    assert (MAX_SHOWN, MAX_PROBLEM) == (60, 400)  # README: values echoed to 60 characters


def test_reader_getters_return_a_usable_value_when_the_field_is_bad() -> None:
    problems = Problems()
    r = Reader({"s": 5, "b": "yes", "n": None}, "p", problems, {"s", "b", "n", "m"})
    assert r.str("s", "fallback") == "fallback" and r.str("s") == ""
    assert r.bool("b", True) is True and r.bool("b") is False
    assert r.bool("m") is False  # required and missing
    assert r.bool("n", True) is True  # not set: the default
    assert r.int("b", 7) == 7 and r.int("b") == 0
    assert problems.items == [
        "p.s: 5 is not a string",
        "p.s: 5 is not a string",
        "p.b: 'yes' is not true or false",
        "p.b: 'yes' is not true or false",
        "p.m: is required",
        "p.b: 'yes' is not a whole number",
        "p.b: 'yes' is not a whole number",
    ]


def nested(depth: int) -> bytes:
    """A stack file whose one config value is nested `depth` levels deep (a list in a list...)."""
    value = "[" * (depth - 1) + "v" + "]" * (depth - 1)
    return f"config:\n  faas:x: {value}\n".encode()


def test_nesting_is_refused_just_past_the_limit() -> None:
    assert parse_stack_text(Path("s.yaml"), nested(MAX_DEPTH))["faas:x"]
    with pytest.raises(StackFileError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_stack_text(Path("s.yaml"), nested(MAX_DEPTH + 1))
    assert MAX_DEPTH == 32


def yaml_problem(text: str) -> str:
    with pytest.raises(StackFileError) as err:
        parse_stack_text(Path("s.yaml"), text.encode())
    return err.value.problem


def test_yaml_errors_say_where() -> None:
    assert yaml_problem("config:\n\tfaas:x: 1\n").startswith(
        "is not valid YAML at line 2, column 1"
    )
    # The problem (line 3), not where its context began (the sequence on line 2).
    assert "at line 3, column 9" in yaml_problem("config:\n  faas:x: [1, 2\n  faas:y: 3\n")


def test_long_yaml_problems_are_cut_at_200_characters() -> None:
    def problem(tag_length: int) -> str:
        text = yaml_problem(f"config:\n  faas:x: !{'t' * tag_length} 1\n")
        return text.split(": ", 1)[1]

    overhead = len(problem(10)) - 10
    exact, over = problem(200 - overhead), problem(201 - overhead)
    assert len(exact) == 200 and not exact.endswith("…")
    assert len(over) == 200 and over.endswith("…")


def test_engine_values_are_decoded_like_the_engine_passes_them() -> None:
    from components.config import _decode

    assert _decode("true") is True and _decode("false") is False
    assert _decode("null") is None and _decode('{"a": [1]}') == {"a": [1]}
    assert _decode("[1") == "[1" and _decode("yes") == "yes"


def test_a_key_that_is_not_a_string_is_named() -> None:
    raw = edited("dev-blue", {})
    raw[5] = "x"  # type: ignore[index]
    with pytest.raises(ConfigError) as err:
        config.load("dev-blue", raw)
    assert "config: key 5 is not a string (quote it)" in err.value.problems


def test_stack_files_that_are_not_plain_config_are_named(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").mkdir()  # a folder where the file should be
    with pytest.raises(StackFileError, match="cannot be read: Is a directory"):
        read_stack_file("dev", tmp_path)
    assert yaml_problem("config:\n  faas:x: !!int x\n").startswith("is not valid YAML: ")
    assert yaml_problem("config:\n  5: x\n") == "config: key 5 is not a string (quote it)"
