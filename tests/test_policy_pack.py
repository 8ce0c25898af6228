"""The CrossGuard side: wiring of `policies/__main__.py`, the SDK adapter, and the env configs.

Nothing here builds a `PolicyPack` (it would start a gRPC server and never return).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml
from pulumi_policy import (
    EnforcementLevel,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import PolicyCustomTimeouts, PolicyResource
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies import settings
from policies.pack import POLICIES
from policies.rules import ALL_RULES, RULES_BY_NAME
from tests.test_policy_rules import CASES, U

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "policies" / "__main__.py"


def opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def policy(name: str):
    return next(p for p in POLICIES if p.name == name)


def test_names_unique_and_every_rule_wired() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names))
    assert names == [r.name for r in ALL_RULES]
    assert len(names) >= 30
    for p in POLICIES:
        rule = RULES_BY_NAME[p.name]
        expected = StackValidationPolicy if rule.is_stack else ResourceValidationPolicy
        assert isinstance(p, expected)
        assert p.enforcement_level == EnforcementLevel(rule.level)
        assert p.severity is not None and p.remediation_steps == rule.fix
        assert rule.source in p.description


def test_main_only_builds_the_pack_from_the_wired_list() -> None:
    tree = ast.parse(MAIN.read_text())
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "PolicyPack"
    ]
    assert len(calls) == 1
    kwargs = {k.arg: k.value for k in calls[0].keywords}
    assert isinstance(kwargs["policies"], ast.Name) and kwargs["policies"].id == "POLICIES"
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert any(
        n.module == "policies.pack" and "POLICIES" in [a.name for a in n.names] for n in imports
    )
    # No rule logic in the entry point: no function or class definitions.
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]


def test_pulumi_policy_yaml_uses_the_repo_virtualenv() -> None:
    data = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert data["runtime"]["name"] == "python"
    venv = (ROOT / "policies" / data["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == (ROOT / ".venv").resolve()


def run_resource_policy(name: str, props: dict, config: dict | None = None) -> list[str]:
    rule = RULES_BY_NAME[name]
    rtype = CASES[name].type or rule.types[0]
    reported: list[str] = []
    args = ResourceValidationArgs(
        rtype,
        unknown_checking_proxy(props),
        f"urn:pulumi:s::p::{rtype}::r",
        "r",
        opts(),
        None,
        config,
    )
    policy(name).validate(args, lambda message, urn=None: reported.append(message))
    return reported


def test_resource_policy_reports_violation_with_fix() -> None:
    messages = run_resource_policy("kms-key-rotation", CASES["kms-key-rotation"].bad)
    assert messages == [
        f"key rotation is not enabled. Fix: {RULES_BY_NAME['kms-key-rotation'].fix}"
    ]
    assert run_resource_policy("kms-key-rotation", CASES["kms-key-rotation"].good) == []


def test_resource_policy_ignores_other_types() -> None:
    reported: list[str] = []
    args = ResourceValidationArgs("aws:s3/bucket:Bucket", {}, "urn:x", "x", opts(), None)
    policy("kms-key-rotation").validate(args, lambda m, urn=None: reported.append(m))
    assert reported == []


def test_unknown_is_handed_to_the_sdk_as_advisory() -> None:
    """The SDK turns an escaping UnknownValueError into an advisory diagnostic; we rely on it."""
    props = {
        "vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]},
        "version": U,
    }
    with pytest.raises(UnknownValueError) as error:
        run_resource_policy("eks-supported-version", props)
    assert "version" in error.value.message and "update" in error.value.message
    # Violations found before an unknown are still reported at the rule's level.
    disks = [
        {"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}},
        {"deviceName": "/dev/xvdb", "ebs": {"encrypted": U}},
    ]
    with pytest.raises(UnknownValueError):
        run_resource_policy("launch-template-ebs-encrypted", {"blockDeviceMappings": disks})
    reported: list[str] = []
    rtype = "aws:ec2/launchTemplate:LaunchTemplate"
    args = ResourceValidationArgs(
        rtype, unknown_checking_proxy({"blockDeviceMappings": disks}), "urn:lt", "lt", opts(), None
    )
    with pytest.raises(UnknownValueError):
        policy("launch-template-ebs-encrypted").validate(
            args, lambda m, urn=None: reported.append(m)
        )
    assert len(reported) == 1 and "/dev/xvda" in reported[0]


def test_policy_config_properties_reach_the_rule() -> None:
    props = {"retentionInDays": 30}
    assert run_resource_policy("log-group-retention-minimum", props)
    assert run_resource_policy("log-group-retention-minimum", props, {"minDays": 7}) == []


def test_stack_policy_uses_property_dependencies() -> None:
    vpc = PolicyResource(
        "aws:ec2/vpc:Vpc", unknown_checking_proxy({}), "urn:vpc", "vpc", opts(), None, None, [], {}
    )
    log = PolicyResource(
        "aws:ec2/flowLog:FlowLog",
        unknown_checking_proxy({"vpcId": U, "trafficType": "ALL"}),
        "urn:log",
        "log",
        opts(),
        None,
        None,
        [vpc],
        {"vpcId": [vpc]},
    )
    reported: list[tuple[str, str | None]] = []
    report = lambda m, urn=None: reported.append((m, urn))  # noqa: E731
    policy("vpc-flow-logs").validate(StackValidationArgs([vpc, log]), report)
    assert reported == []
    policy("vpc-flow-logs").validate(StackValidationArgs([vpc]), report)
    assert [urn for _, urn in reported] == ["urn:vpc"]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_shipped_config_lists_every_rule_with_valid_settings(env: str) -> None:
    config = json.loads(settings.config_path(env).read_text())
    assert set(config) == set(RULES_BY_NAME), "each config file records the level of every rule"
    for name, entry in config.items():
        rule = RULES_BY_NAME[name]
        level, values = settings.resolve(rule, config)
        assert level in ("advisory", "mandatory")
        if isinstance(entry, dict):
            assert set(entry) - {"enforcementLevel"} <= set(rule.config), name


def test_env_levels_differ_where_documented() -> None:
    dev, prod = settings.load("dev"), settings.load("prod")
    rule = RULES_BY_NAME["lb-deletion-protection"]
    assert settings.resolve(rule, dev)[0] == "advisory"
    assert settings.resolve(rule, prod)[0] == "mandatory"
    assert settings.shipped_environments() == ["dev", "prod"]


def test_unknown_level_in_config_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown enforcement level"):
        settings.resolve(RULES_BY_NAME["kms-key-rotation"], {"kms-key-rotation": "strict"})
