"""Regressions: stack files and config values a careless operator writes. Each test is one class
of input that used to end in a traceback, the wrong exit code, or a plan AWS would refuse; each
now gets exit 2 and a message naming the file or key path (README "The faas command")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pulumi
import pytest

from components.config.stackfile import DEFAULT_DIR
from faas import exitcodes
from tests.support.contract import assert_contract, faas

REFUSED = exitcodes.REFUSED


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    """A copy of the shipped stack files to break."""
    shutil.copytree(DEFAULT_DIR, tmp_path / "stacks")
    return tmp_path / "stacks"


def plan(stacks: Path, *stack: str):
    return faas(["plan", *stack, "--stacks-dir", str(stacks), "--out", "-"])


def edit(stacks: Path, stack: str, old: str, new: str) -> None:
    path = stacks / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# --- stack files the config reader never saw ---------------------------------------------------

UNREADABLE = {
    "yaml-syntax": (b"config:\n  aws:region: [eu-west-1\n", "is not valid YAML at line"),
    "tab-indent": (b"config:\n\taws:region: eu-west-1\n", "indent with spaces, not tabs"),
    "several-documents": (b"config: {}\n---\nconfig: {}\n", "holds 2 YAML documents"),
    "yaml-tag": (b"config:\n  faas:environment: !Ref dev\n", "no YAML tags"),
    "python-tag": (b"config:\n  x: !!python/name:os.system ''\n", "no YAML tags"),
    "file-is-a-list": (b"- config\n- x\n", "is a list at the top"),
    "file-is-a-string": (b"just some words\n", "is a string at the top"),
    "config-is-a-list": (b"config:\n  - aws:region\n", "config: is a list"),
    "config-is-a-string": (b"config: eu-west-1\n", "config: is a string"),
    "non-string-key": (b"config:\n  42: x\n", "key 42 is not a string"),
    "nested-non-string-key": (b"config:\n  faas:network:\n    1: x\n", "key 1 is not a string"),
    "undecodable-bytes": (b"config:\n  faas:environment: \xff\xfe\n", "is not UTF-8 text"),
    "binary-value": (b"config:\n  faas:x: !!binary aGVsbG8=\n", "is not a config value"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_stack_file_that_is_not_a_stack_file_is_named_not_a_traceback(stacks, case):
    data, message = UNREADABLE[case]
    (stacks / "Pulumi.dev-blue.yaml").write_bytes(data)
    result = plan(stacks, "dev-blue")
    assert result.code == REFUSED and message in result.err, result.err
    assert_contract("plan", result, "Pulumi.dev-blue.yaml")


def test_a_date_under_another_namespace_is_a_string_as_pulumi_reads_it(stacks):
    """`aws:defaultTags` with a date used to crash the offline engine (a date is not JSON)."""
    for colour in ("dev-blue", "dev-green"):  # the environment alone plans in a moment
        (stacks / f"Pulumi.{colour}.yaml").unlink()
    edit(
        stacks,
        "dev",
        "  faas:activeColor: blue\n",
        "  faas:activeColor: blue\n  aws:defaultTags:\n    tags:\n      since: 2024-01-01\n",
    )
    result = plan(stacks, "dev")
    assert_contract("plan", result)
    assert result.code == exitcodes.OK, result.err


def test_a_broken_sibling_colour_file_is_named_when_planning_the_healthy_colour(stacks):
    (stacks / "Pulumi.dev-green.yaml").write_bytes(b"config:\n\tbroken: 1\n")
    result = plan(stacks, "dev-blue")
    assert result.code == REFUSED
    assert "Pulumi.dev-green.yaml" in result.err and "VPC range" in result.err
    assert_contract("plan", result, "Pulumi.dev-green.yaml")


def test_a_broken_colour_file_is_named_when_planning_the_environment_stack(stacks):
    edit(stacks, "dev-green", "natStrategy: single", "natStrategy: sometimes")
    result = plan(stacks, "dev")
    assert result.code == REFUSED, result.err
    assert "dev-green" in result.err and "faas:network.natStrategy" in result.err
    assert_contract("plan", result, "dev-green")


def test_a_section_with_every_child_commented_out_is_an_empty_section(stacks):
    """`faas:edge:` with nothing under it: YAML null, which Pulumi hands the program as "null"."""
    edit(stacks, "dev-blue", "  faas:edge:\n    deletionProtection: false\n", "  faas:edge:\n")
    text = (stacks / "Pulumi.dev-blue.yaml").read_text()
    text = text.replace("    accessLogExpiryDays: 30\n    queryLogRetentionDays: 30\n", "")
    (stacks / "Pulumi.dev-blue.yaml").write_text(text)
    result = plan(stacks, "dev-blue")
    assert result.code == exitcodes.OK, result.err  # the program got "null" and refused it


def test_the_program_reads_a_null_section_as_unset():
    from components import config
    from components.config.stackfile import read_stack_file
    from faas.plan.engine import config_for_pulumi

    raw = config_for_pulumi({**read_stack_file("dev-blue"), "faas:edge": None})
    assert raw["faas:edge"] == "null"  # what the engine passes on
    assert config.load("dev-blue", raw).edge.deletion_protection is True  # the default


def test_a_typo_in_the_top_level_config_key_names_the_typo(stacks):
    edit(stacks, "dev", "config:", "confg:")
    result = plan(stacks, "dev")
    assert result.code == REFUSED
    assert "unknown top-level key 'confg' (did you mean 'config'?)" in result.err
    assert "is required" not in result.err  # not twenty lines about keys that are there


# --- empty strings are missing values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "old", "new", "path"),
    [
        ("dev", "faas:parentZoneId: Z0DEVPARENT0001", 'faas:parentZoneId: ""', "faas:parentZoneId"),
        ("dev-blue", "cidr: 10.10.0.0/16", 'cidr: ""', "faas:network.cidr"),
        ("dev-blue", "baseDomain: dev.example.com", "baseDomain: '  '", "faas:baseDomain"),
    ],
)
def test_an_empty_string_for_a_required_key_is_missing(stacks, stack, old, new, path):
    edit(stacks, stack, old, new)
    result = plan(stacks, stack)
    assert result.code == REFUSED, result.err
    assert f"{path}: is required (it is empty)" in result.err
    assert_contract("plan", result, path)


# --- values AWS would refuse -------------------------------------------------------------------

REFUSED_BY_AWS = [
    ("dev-blue", "flowLogRetentionDays: 30", "flowLogRetentionDays: 31", "the nearest is 30"),
    ("dev-blue", "    logRetentionDays: 30\n  faas:nodeGroups", "    logRetentionDays: 1001\n"
     "  faas:nodeGroups", "1001 is not a retention CloudWatch Logs accepts"),
    ("dev-blue", "queryLogRetentionDays: 30", "queryLogRetentionDays: 0", "0 is not a retention"),
    ("dev-blue", "cidr: 10.10.0.0/16", "cidr: 127.0.0.0/16", "is not a private (RFC 1918)"),
    ("dev-blue", "cidr: 10.10.0.0/16", "cidr: 169.254.0.0/16", "is not a private (RFC 1918)"),
    ("dev-blue", "[eu-west-1a, eu-west-1b]", "[eu-west-1a, eu-west-1d]",
     "'eu-west-1d' is not an availability zone of eu-west-1"),
    ("dev-blue", "aws:region: eu-west-1", "aws:region: eu-west-9", "is not an AWS region"),
    ("dev-blue", "aws:region: eu-west-1", "aws:region: eu-wset-1", "did you mean 'eu-west-1'"),
    ("dev-blue", "instanceTypes: [m6i.large]", "instanceTypes: [m6i.huge]",
     "'m6i.huge' is not in the instance catalogue"),
    ("dev", "faas:activeColor: blue", "faas:activeColor: blue\n  faas:stackRefPrefix: no-slash",
     "faas:stackRefPrefix: 'no-slash' is not <organization>/<project>"),
    *(("dev-blue", "faas:cluster:\n", f"faas:cluster:\n    serviceCidr: {cidr}\n", message)
      for cidr, message in (("100.64.0.0/16", "not inside 10.0.0.0/8"),
                            ("172.16.0.0/26", "between /12 and /24"),
                            ("10.0.0.0/8", "between /12 and /24"))),
]  # fmt: skip


@pytest.mark.parametrize(("stack", "old", "new", "message"), REFUSED_BY_AWS)
def test_a_value_aws_would_refuse_is_refused_before_planning(stacks, stack, old, new, message):
    edit(stacks, stack, old, new)
    result = plan(stacks, stack)
    assert result.code == REFUSED and message in result.err, result.err
    assert_contract("plan", result)


def test_ap_northeast_1b_does_not_exist_for_new_resources(stacks):
    for stack in ("dev-blue", "dev-green"):
        edit(stacks, stack, "aws:region: eu-west-1", "aws:region: ap-northeast-1")
        edit(stacks, stack, "[eu-west-1a, eu-west-1b]", "[ap-northeast-1a, ap-northeast-1b]")
    result = plan(stacks, "dev-blue")
    assert "'ap-northeast-1b' is not an availability zone of ap-northeast-1" in result.err


def test_echoed_values_are_cut_short(stacks):
    edit(stacks, "dev-blue", "natStrategy: single", "natStrategy: " + "x" * 5000)
    result = plan(stacks, "dev-blue")
    assert result.code == REFUSED and "(5002 characters)" in result.err
    assert len(result.err) < 1000


# --- --stacks-dir is honoured everywhere ------------------------------------------------------


def test_the_programs_own_overlap_check_reads_the_given_stacks_dir(stacks):
    """The program (what `pulumi up` runs) checks blue's range against green's file in the folder
    it is given, not the default stacks/: here only that folder's green overlaps."""
    from components.config.stackfile import read_stack_file
    from components.platform import main
    from faas.plan.engine import run_program

    edit(stacks, "dev-green", "cidr: 10.20.0.0/16", "cidr: 10.10.0.0/16")
    with pytest.raises(pulumi.RunError, match="overlaps the other colour's VPC 10.10.0.0/16"):
        run_program("dev-blue", read_stack_file("dev-blue", stacks), lambda: main(stacks))
    result = plan(stacks, "dev-blue")
    assert result.code == REFUSED and "overlaps the other colour's VPC" in result.err
