"""Regressions: preview documents and command arguments. Every malformed input to the policy
checker used to be a traceback with exit 1, which CI reads as "policy violation"; unwritable
outputs, missing `--against` files and non-finite numbers failed late or not at all. Each now
gets exit 2 before any work, with a message naming the file, JSON path or argument."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.config.stackfile import DEFAULT_DIR
from faas import exitcodes
from tests.support.contract import assert_contract, faas

REFUSED = exitcodes.REFUSED
FIXTURE = Path(__file__).parent / "fixtures" / "policy" / "insecure-preview.json"
EKS = "aws:eks/cluster:Cluster"


def _doc(inputs: object, **state: object) -> dict:
    urn = f"urn:pulumi:x::faas-platform::{EKS}::c"
    return {"steps": [{"op": "create", "urn": urn, "newState": {"type": EKS, "inputs": inputs,
                                                                   **state}}]}  # fmt: skip


def _nested(depth: int) -> str:
    return '{"steps": ' + "[" * depth + "]" * depth + "}"


MALFORMED = {
    "empty": (b"", "is empty"),
    "blank": (b"  \n", "is empty"),
    "truncated": (FIXTURE.read_bytes()[:300], "is not JSON"),
    "not-utf8": (b'{"steps": "\xff"}', "is not UTF-8"),
    "a-list": (b"[1, 2]", "the document is a list"),
    "a-string": (b'"steps"', "the document is a string"),
    "steps-an-object": (b'{"steps": {"a": 1}}', "steps is an object, not a list"),
    "step-a-number": (b'{"steps": [7]}', "steps[0] is a number, not an object"),
    "newstate-a-list": (b'{"steps": [{"urn": "u", "newState": []}]}', "newState is a list"),
    "inputs-a-number": (json.dumps(_doc(5)).encode(), "steps[0].newState.inputs is a number"),
    "type-a-number": (json.dumps(_doc({}, type=3)).encode(), "steps[0].newState.type is a number"),
    "dependencies-of-numbers": (
        json.dumps(_doc({}, dependencies=[1])).encode(),
        "steps[0].newState.dependencies[0] is a number",
    ),
    "property-dependencies-a-string": (
        json.dumps(_doc({}, propertyDependencies={"x": "urn"})).encode(),
        "steps[0].newState.propertyDependencies.x is a string",
    ),
    "no-urn": (b'{"steps": [{"newState": {"type": "t"}}]}', "steps[0] has no urn"),
    "config-a-list": (b'{"config": [], "steps": []}', "config is a list"),
    "deep-nesting": (_nested(5000).encode(), "nested deeper"),
    "deep-inputs": (
        json.dumps(_doc({"a": json.loads("[" * 80 + "]" * 80)})).encode(),
        "nested deeper than 64 levels",
    ),
    # Well-formed, but a value of a type the rules cannot read (a list where they expect one).
    "wrong-type-deep-in-inputs": (
        json.dumps(_doc({"enabledClusterLogTypes": 5})).encode(),
        "rule eks-control-plane-logging cannot read",
    ),
    "environment-not-a-name": (
        b'{"config": {"faas:environment": "../../etc"}, "steps": []}',
        "is not an environment name",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_preview_document_is_refused_not_a_verdict(tmp_path, case):
    data, message = MALFORMED[case]
    path = tmp_path / f"{case}.json"
    path.write_bytes(data)
    result = faas(["check", str(path)])
    assert result.code == REFUSED and message in result.err, result.err
    assert_contract("check", result, str(path))


def test_a_malformed_against_document_is_refused_before_planning(tmp_path):
    path = tmp_path / "old.json"
    path.write_bytes(MALFORMED["steps-an-object"][0])
    result = faas(["plan", "dev", "--against", str(path), "--out", "-"])
    assert result.code == REFUSED and "--against" in result.err and result.out == ""


# --- arguments ---------------------------------------------------------------------------------


@pytest.fixture
def env_only(tmp_path: Path) -> Path:
    """A stacks folder with only the dev environment stack: it plans in a few hundredths of a
    second (no colour stack to plan first)."""
    folder = tmp_path / "stacks"
    folder.mkdir()
    (folder / "Pulumi.dev.yaml").write_text((DEFAULT_DIR / "Pulumi.dev.yaml").read_text())
    return folder


def test_unwritable_outputs_are_refused_before_planning(tmp_path, env_only):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    for argv, named in (
        (["--json", str(a_file / "plan.json")], "--json"),  # under a file
        (["--json", str(tmp_path)], "--json"),  # a folder
        (["--json", "/proc/plan.json"], "--json"),  # a folder nobody can create files in
        (["--out", str(a_file)], "--out"),
        (["--out", "/proc/x"], "--out"),
    ):
        result = faas(["plan", "dev", "--stacks-dir", str(env_only), *argv])
        assert result.code == REFUSED and named in result.err, (argv, result.err)
        assert result.out == "", argv  # nothing planned
    result = faas(["check", str(FIXTURE), "--json", str(a_file / "x.json")])
    assert result.code == REFUSED and "--json" in result.err


def test_a_missing_or_non_json_against_is_refused(tmp_path, env_only):
    (tmp_path / "old.json").write_text("not json {")
    for path, message in ((tmp_path / "nope.json", "no such file"),
                          (tmp_path / "old.json", "is not JSON")):  # fmt: skip
        result = faas(["plan", "dev", "--stacks-dir", str(env_only), "--against", str(path),
                       "--out", "-"])  # fmt: skip
        assert result.code == REFUSED and message in result.err, result.err


def test_all_on_an_empty_folder_plans_nothing_and_says_so(tmp_path):
    result = faas(["plan", "--all", "--stacks-dir", str(tmp_path), "--out", "-"])
    assert result.code == REFUSED and "no Pulumi.<stack>.yaml files" in result.err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1"])
def test_a_budget_that_is_not_a_finite_amount_is_refused(env_only, value):
    result = faas(["plan", "dev", "--stacks-dir", str(env_only), "--out", "-", f"--budget={value}"])
    assert result.code == REFUSED and "--budget" in result.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--noncurrent-days", "-5"], "--noncurrent-days -5"),
        (["--noncurrent-days", "0"], "--noncurrent-days 0"),
        (["--region", "mars-1"], "--region 'mars-1' is not an AWS region"),
        (["--bucket", "Not_A_Bucket"], "--bucket"),
        (["--key-alias", "alias/aws/mine"], "--key-alias"),
    ],
)
def test_bootstrap_refuses_bad_arguments_before_any_aws_call(monkeypatch, argv, message):
    # No AWS credentials or endpoint at all: a refusal must come before any call.
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    result = faas(["bootstrap", "--region", "eu-west-1", *argv])
    assert result.code == REFUSED and message in result.err, result.err
    assert "credentials" not in result.err


def test_new_env_picks_zones_that_exist_in_the_new_region(tmp_path):
    import shutil

    from components.config.stackfile import read_stack_file
    from policies import settings

    shutil.copytree(DEFAULT_DIR, tmp_path / "stacks")
    shutil.copytree(settings.DEFAULT_CONFIG_DIR, tmp_path / "policy")
    result = faas(["new-env", "qa", "--region", "ap-northeast-1", "--base-domain", "qa.example.com",
                   "--cidr-blue", "10.40.0.0/16", "--cidr-green", "10.41.0.0/16", "--from", "prod",
                   "--stacks-dir", str(tmp_path / "stacks"), "--policy-dir",
                   str(tmp_path / "policy")])  # fmt: skip
    assert result.code == exitcodes.OK, result.err
    azs = read_stack_file("qa-blue", tmp_path / "stacks")["faas:network"]["azs"]
    assert azs == ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]  # Tokyo has no 1b


def test_every_command_documents_its_exit_codes_and_the_readme_shows_them():
    from faas.cli import COMMANDS

    assert set(exitcodes.BY_COMMAND) == set(COMMANDS)
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    start = readme.index(exitcodes.BEGIN) + len(exitcodes.BEGIN)
    assert readme[start : readme.index(exitcodes.END)] == "\n" + exitcodes.markdown(), (
        "README exit-code table is stale: python -m faas.exitcodes README.md"
    )
