"""prod keeps every log group a year, from config, and the policy pack refuses less."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from components.config import ConfigError, load
from components.config.stackfile import read_stack_file
from faas.plan import run_plan
from policies import check as policycheck
from policies import settings as policy_settings
from tests.support.plans import plan, states

ROOT = Path(__file__).resolve().parent.parent
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
RULE = "log-group-retention-minimum"


@pytest.mark.parametrize("stack", ["prod", "prod-blue", "prod-green"])
def test_every_prod_log_group_keeps_a_year(stack):
    groups = {
        s["inputs"]["name"]: s["inputs"]["retentionInDays"] for s in states(plan(stack), LOG_GROUP)
    }
    assert groups and set(groups.values()) == {365}, groups
    report = policycheck.check_document(plan(stack))
    assert [v for v in report.violations if v.rule == RULE] == []


def test_cluster_prod_stacks_cover_every_kind_of_log_group():
    names = sorted(s["inputs"]["name"] for s in states(plan("prod-blue"), LOG_GROUP))
    # flow logs, EKS control plane, DNS query logs, container logs (Fluent Bit)
    assert len(names) == 4, names
    assert any(n.startswith("/aws/route53/") for n in names)
    assert any(n.startswith("/aws/eks/") for n in names)
    assert "/faas/faas-prod-blue/containers" in names


def test_prod_policy_config_makes_a_year_mandatory():
    level = policy_settings.load("prod")[RULE]
    assert level == {"enforcementLevel": "mandatory", "minDays": 365}


def _stacks_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "stacks"
    shutil.copytree(ROOT / "stacks", folder)
    return folder


def _rewrite(folder: Path, stack: str, change) -> None:
    path = folder / f"Pulumi.{stack}.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc["config"])
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_the_pack_fails_a_prod_plan_with_30_day_logs(tmp_path):
    """The prod stacks as they were (query and container logs 30 days), planned in-process."""
    folder = _stacks_copy(tmp_path)

    def thirty_days(config):
        config["faas:edge"]["queryLogRetentionDays"] = 30
        config["faas:serving"]["logRetentionDays"] = 30

    _rewrite(folder, "prod-blue", thirty_days)
    _rewrite(folder, "prod", lambda config: config.update({"faas:queryLogRetentionDays": 30}))
    for stack, expected in (
        (
            "prod-blue",
            {"/aws/route53/faas-blue.prod.example.com", "/faas/faas-prod-blue/containers"},
        ),
        ("prod", {"/aws/route53/faas.prod.example.com"}),
    ):
        doc = run_plan(stack, folder)
        report = policycheck.check_document(doc)
        found = [v for v in report.violations if v.rule == RULE]
        assert all(v.level == "mandatory" and not v.deferred for v in found), found
        names = {
            s["inputs"]["name"]
            for s in states(doc, LOG_GROUP)
            if any(v.urn == s["urn"] for v in found)
        }
        assert names == expected, names
        assert not report.ok
        assert "retentionInDays 30 < 365" in found[0].message


def test_environment_query_log_retention_is_config_with_a_default():
    raw = dict(read_stack_file("dev"))
    assert load("dev", raw).query_log_retention_days == 30  # dev sets none
    assert load("prod", read_stack_file("prod")).query_log_retention_days == 365
    # the engine hands top-level values over as strings
    assert load("dev", {**raw, "faas:queryLogRetentionDays": "90"}).query_log_retention_days == 90
    for bad, problem in (
        (0, "0 is not a retention CloudWatch Logs accepts"),
        ("31", "31 is not a retention CloudWatch Logs accepts"),  # not in the API's fixed list
        ("a year", "'a year' is not a whole number"),
    ):
        with pytest.raises(ConfigError) as error:
            load("dev", {**raw, "faas:queryLogRetentionDays": bad})
        assert any(
            p.startswith(f"faas:queryLogRetentionDays: {problem}") for p in error.value.problems
        ), error.value.problems


def test_environment_zone_query_logs_use_the_configured_days():
    (group,) = states(plan("prod"), LOG_GROUP)
    assert group["inputs"]["retentionInDays"] == 365
    (group,) = states(plan("dev"), LOG_GROUP)
    assert group["inputs"]["retentionInDays"] == 30
    assert json.dumps(plan("dev")["config"]).count("queryLogRetentionDays") == 0
