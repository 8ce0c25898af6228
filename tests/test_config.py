"""Config validation: every problem reported with its key path, all at once."""

from __future__ import annotations

import copy

import pytest
import yaml

from components import config
from components.config import ConfigError
from components.config.stackfile import DEFAULT_DIR as STACKS_DIR
from components.config.stackfile import read_stack_file

SHIPPED = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in STACKS_DIR.glob("Pulumi.*.yaml"))


def raw(stack: str) -> dict:
    return copy.deepcopy(read_stack_file(stack))


def problems(stack: str, cfg: dict) -> list[str]:
    with pytest.raises(ConfigError) as err:
        config.load(stack, cfg)
    return err.value.problems


def test_six_stacks_are_shipped():
    assert SHIPPED == ["dev", "dev-blue", "dev-green", "prod", "prod-blue", "prod-green"]


@pytest.mark.parametrize("stack", SHIPPED)
def test_every_shipped_stack_is_valid(stack):
    cfg = config.load(stack, raw(stack))
    assert cfg.stack == stack


def test_prod_is_production_grade_and_in_another_region():
    dev, prod = config.load("dev-blue", raw("dev-blue")), config.load("prod-blue", raw("prod-blue"))
    assert prod.region != dev.region
    assert prod.network.nat_strategy == "perAz" and len(prod.network.azs) >= 3
    assert prod.edge.deletion_protection and not dev.edge.deletion_protection
    assert prod.system_nodes.desired_size > dev.system_nodes.desired_size
    assert prod.spot_groups[0].max_size > dev.spot_groups[0].max_size
    assert prod.cluster.public_access_cidrs == ()


def test_many_problems_are_reported_together_with_paths():
    cfg = raw("dev-blue")
    cfg["faas:network"]["cidr"] = "10.0.0.0/33"
    cfg["faas:network"]["azs"] = ["eu-west-1a"]
    cfg["faas:network"]["natStrateg"] = "single"
    cfg["faas:color"] = "red"
    cfg["faas:nodeGroups"]["system"]["minSize"] = 5
    cfg["faas:nodeGroups"]["spot"][0]["instanceTypes"] = ["m5.large", "c5.large"]
    cfg["faas:release"] = "1999-01"
    found = problems("dev-blue", cfg)
    expected = [
        "faas:network.cidr: 10.0.0.0/33 is not a CIDR",
        "faas:network.azs: ['eu-west-1a'] has fewer than 2 availability zones",
        "faas:network.natStrateg: unknown key",
        "faas:color: 'red' is not one of blue, green",
        "faas:nodeGroups.system.minSize: 5 is greater than maxSize 3",
        "faas:nodeGroups.spot[0].instanceTypes: ['m5.large', 'c5.large']: a spot group needs at "
        "least 3",
        "faas:nodeGroups.spot[0].instanceTypes: mixed vCPU/memory sizes",
        "faas:release: '1999-01' is not a release in components/versions.py",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in found), (text, found)
    assert len(found) == len(expected)


def test_stack_name_must_agree_with_environment_and_colour():
    cfg = raw("dev-blue")
    found = problems("prod-green", cfg)
    assert any(p.startswith("faas:environment: 'dev' disagrees with stack name") for p in found)
    assert any(p.startswith("faas:color: 'blue' disagrees with stack name") for p in found)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("faas:nodeGroups", "spot", 0, "desiredSize"), 11, "is outside [minSize, maxSize]"),
        (
            ("faas:nodeGroups", "spot", 0, "instanceTypes"),
            ["m5.large", "m6i", "m6a.large"],
            "'m6i' is not family.size",
        ),
        (("faas:cluster", "publicAccessCidrs"), ["0.0.0.0/0"], "opens the API endpoint"),
        (("faas:cluster", "serviceCidr"), "10.10.128.0/17", "overlaps the VPC"),
        (("faas:network", "cidr"), "8.8.0.0/16", "is not a private (RFC 1918) range"),
        (("faas:network", "azs"), ["eu-west-1a", "us-east-1b"], "is not in region eu-west-1"),
        (("faas:serving", "teams", 0, "name"), "Bad_Team", "is not a DNS label"),
        (("faas:serving", "oidc", "issuer"), "http://login", "must be an https:// URL"),
    ],
)
def test_single_problems(path, value, message):
    cfg = raw("dev-blue")
    node = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    found = problems("dev-blue", cfg)
    assert any(message in p for p in found), found


def test_blue_and_green_vpcs_must_not_overlap():
    blue, green = raw("dev-blue"), raw("dev-green")
    green["faas:network"]["cidr"] = "10.10.0.0/16"
    with pytest.raises(ConfigError) as err:
        config.load("dev-blue", blue, sibling=green)
    assert any("overlaps the other colour's VPC" in p for p in err.value.problems)


def test_values_arriving_as_json_strings_are_decoded():
    """Pulumi hands object config to the program as JSON strings."""
    import json

    cfg = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in raw("dev-blue").items()}
    assert config.load("dev-blue", cfg).network.cidr == "10.10.0.0/16"


@pytest.mark.parametrize(
    ("weights", "active", "message"),
    [
        ({"blue": 0, "green": 0}, "blue", "all weights are 0"),
        ({"blue": 0, "green": 100}, "blue", "the active colour 'blue' has weight 0"),
        ({"blue": 300, "green": 0}, "blue", "300 is outside 0..255"),
        ({"blue": 100, "green": 0}, "purple", "'purple' is not one of blue, green"),
    ],
)
def test_environment_weights_are_refused_when_unsafe(weights, active, message):
    cfg = raw("dev")
    cfg["faas:initialWeights"] = weights
    cfg["faas:activeColor"] = active
    found = problems("dev", cfg)
    assert any(message in p for p in found), found


def test_environment_stack_refuses_cluster_keys():
    cfg = raw("dev")
    cfg["faas:color"] = "blue"
    assert any(p.startswith("faas:color: unknown key") for p in problems("dev", cfg))


def test_yaml_stack_files_parse_as_plain_mappings():
    for stack in SHIPPED:
        doc = yaml.safe_load((STACKS_DIR / f"Pulumi.{stack}.yaml").read_text())
        assert set(doc) == {"config"}
