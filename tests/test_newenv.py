"""`faas new-env`: a new environment in one step, refused whole when anything would collide."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components import config
from components.config.stackfile import DEFAULT_DIR, read_stack_file
from faas.ops.newenv import Refused, Request, create
from policies import settings
from policies.check import check_document

FAAS = str(Path(sys.executable).parent / "faas")


@pytest.fixture
def repo(tmp_path):
    """A copy of the shipped stacks and policy levels, as a fresh clone has them."""
    shutil.copytree(DEFAULT_DIR, tmp_path / "stacks")
    shutil.copytree(settings.DEFAULT_CONFIG_DIR, tmp_path / "policy")
    return tmp_path


def request(**changes) -> Request:
    base = {
        "env": "qa",
        "region": "eu-central-1",
        "base_domain": "qa.example.com",
        "cidrs": {"blue": "10.40.0.0/16", "green": "10.41.0.0/16"},
        "template": "dev",
    }
    return Request(**{**base, **changes})


def files(repo: Path) -> set[str]:
    return {str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file()}


def test_writes_three_stacks_and_the_policy_levels_that_validate(repo):
    written = create(request(), repo / "stacks", repo / "policy")
    assert sorted(p.name for p in written) == [
        "Pulumi.qa-blue.yaml",
        "Pulumi.qa-green.yaml",
        "Pulumi.qa.yaml",
        "qa.json",
    ]
    stacks = repo / "stacks"
    blue, green = read_stack_file("qa-blue", stacks), read_stack_file("qa-green", stacks)
    assert blue["faas:network"]["cidr"] == "10.40.0.0/16"
    assert blue["faas:network"]["azs"] == ["eu-central-1a", "eu-central-1b"]
    assert blue["aws:region"] == "eu-central-1" and blue["faas:color"] == "blue"
    cfg = config.load("qa-green", green, blue)
    assert cfg.environment == "qa" and cfg.base_domain == "qa.example.com"
    env = config.load("qa", read_stack_file("qa", stacks))
    assert env.active_color == "blue"
    assert (repo / "policy" / "qa.json").read_text() == (repo / "policy" / "dev.json").read_text()


def test_prod_template_starts_from_prod_sizes_and_levels(repo):
    create(request(template="prod", region="us-west-2"), repo / "stacks", repo / "policy")
    blue = read_stack_file("qa-blue", repo / "stacks")
    prod = read_stack_file("prod-blue", repo / "stacks")
    assert blue["faas:nodeGroups"] == prod["faas:nodeGroups"]
    assert blue["faas:network"]["azs"] == ["us-west-2a", "us-west-2b", "us-west-2c"]
    assert (repo / "policy" / "qa.json").read_text() == (repo / "policy" / "prod.json").read_text()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"env": "QA"}, "2-12 lowercase letters/digits"),
        ({"env": "dev"}, "already has stack files"),
        ({"base_domain": "dev.example.com"}, "already used by environment 'dev'"),
        ({"cidrs": {"blue": "10.40.0.0/16", "green": "10.40.128.0/17"}}, "overlaps --cidr-green"),
        ({"cidrs": {"blue": "10.10.0.0/16", "green": "10.41.0.0/16"}}, "overlaps dev-blue's VPC"),
        ({"cidrs": {"blue": "10.40.0.1/16", "green": "10.41.0.0/16"}}, "is not a CIDR"),
        ({"cidrs": {"blue": "172.20.0.0/16", "green": "10.41.0.0/16"}}, "serviceCidr"),
        ({"region": "moon-1"}, "--region 'moon-1' is not an AWS region"),
    ],
)
def test_refusals_name_the_problem_and_write_nothing(repo, changes, message):
    before = files(repo)
    with pytest.raises(Refused, match=message.replace("(", r"\(")):
        create(request(**changes), repo / "stacks", repo / "policy")
    assert files(repo) == before


def test_an_existing_policy_config_is_never_overwritten(repo):
    (repo / "policy" / "qa.json").write_text("{}")
    before = files(repo)
    with pytest.raises(Refused, match="already exist"):
        create(request(), repo / "stacks", repo / "policy")
    assert files(repo) == before and (repo / "policy" / "qa.json").read_text() == "{}"


def test_a_plan_without_policy_config_says_so_and_names_the_file(repo, monkeypatch):
    monkeypatch.setenv("FAAS_POLICY_DIR", str(repo / "policy"))
    doc = {"stack": "qa", "config": {"faas:environment": "qa"}, "steps": []}
    report = check_document(doc)
    assert report.note and str(repo / "policy" / "qa.json") in report.note
    assert "faas new-env" in report.note
    assert check_document({**doc, "config": {"faas:environment": "dev"}}).note is None


def test_new_environment_plans_clean_at_once(repo):
    """As a user on a fresh clone: `faas new-env qa ...`, then `faas plan qa qa-blue qa-green`."""
    env = {
        **os.environ,
        "FAAS_STACKS_DIR": str(repo / "stacks"),
        "FAAS_POLICY_DIR": str(repo / "policy"),
    }
    new = subprocess.run(
        [FAAS, "new-env", "qa", "--region", "eu-central-1", "--base-domain", "qa.example.com",
         "--cidr-blue", "10.40.0.0/16", "--cidr-green", "10.41.0.0/16"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert new.returncode == 0, new.stderr
    assert "faas plan qa qa-blue qa-green" in new.stdout
    plan = subprocess.run(
        [FAAS, "plan", "qa", "qa-blue", "qa-green", "--out", "-"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "MANDATORY" not in plan.stdout and "note:" not in plan.stdout
    assert yaml.safe_load((repo / "stacks" / "Pulumi.qa.yaml").read_text())["config"]
