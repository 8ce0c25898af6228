"""Both CI pipelines: what they run per stack on a pull request, how a merge applies, and that
no cloud key is stored anywhere in ci/.

Matrix jobs are expanded (GitHub `${{ matrix.x }}`, Azure `$(x)`) so each assertion is about a
concrete command line for a concrete stack. The shared scripts the pipelines call (ci/apply.sh,
ci/github/comment.sh) are run for real: against a scratch repository, the moto server's Route 53
and stand-ins for `pulumi` and `gh` that record their arguments.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.stackfile import read_stack_file
from components.naming import parse_stack_name, state_bucket_name, state_key_alias
from tests.support.cutover_world import build_world
from tests.support.moto_server import MotoServer, moto_fixtures
from tests.support.scratch_repo import commit, edit, make_repo

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / "ci" / "github" / "workflow.yml"
AZURE = ROOT / "ci" / "azure" / "azure-pipelines.yml"
STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml")
    for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)
ENVS = sorted({parse_stack_name(s)[0] for s in STACKS})
moto_process, moto = moto_fixtures()


@dataclass(frozen=True)
class Command:
    job: str
    approval_env: str | None  # GitHub environment / Azure DevOps environment of the job
    tokens: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()  # the step's environment
    aws: str = ""  # how the step gets AWS credentials: a role variable or a service connection


def _lines(script: str, row: dict[str, str], pattern: str) -> Iterator[list[str]]:
    text = re.sub(pattern, lambda m: str(row.get(m.group(1), m.group(0))), script)
    for line in text.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            yield shlex.split(line, comments=True)


def github() -> dict[str, Any]:
    return yaml.safe_load(GITHUB.read_text())


def azure() -> dict[str, Any]:
    return yaml.safe_load(AZURE.read_text())


def github_commands() -> list[Command]:
    out = []
    for name, job in github()["jobs"].items():
        rows = ((job.get("strategy") or {}).get("matrix") or {}).get("include") or [{}]
        role = next(
            (s["with"]["role-to-assume"] for s in job.get("steps", []) if "role-to-assume" in
             (s.get("with") or {})), "")  # fmt: skip
        for row in rows:
            for step in job.get("steps", []):
                env = tuple(sorted((step.get("env") or {}).items()))
                for tokens in _lines(step.get("run", ""), row, r"\$\{\{\s*matrix\.(\w+)\s*\}\}"):
                    out.append(Command(name, job.get("environment"), tuple(tokens), env, role))
    return out


def _azure_scripts(step: dict[str, Any]) -> tuple[str, str]:
    """(script text, AWS service connection) of a step: plain scripts and AWSShellScript."""
    if "script" in step:
        return step["script"], ""
    if step.get("task") == "AWSShellScript@1":
        i = step["inputs"]
        text = i.get("inlineScript") or f"{i['filePath']} {i.get('arguments', '')}"
        return text, i["awsCredentials"]
    return "", ""


def azure_commands() -> list[Command]:
    out = []
    for stage in azure()["stages"]:
        for job in stage["jobs"]:
            name = job.get("job") or job.get("deployment")
            strategy = job.get("strategy") or {}
            rows = list((strategy.get("matrix") or {}).values()) or [{}]
            steps = job.get("steps") or strategy.get("runOnce", {}).get("deploy", {}).get(
                "steps", []
            )
            approval = job.get("environment") if "deployment" in job else None
            for row in rows:
                for step in steps:
                    text, aws = _azure_scripts(step)
                    env = tuple(sorted((step.get("env") or {}).items()))
                    for tokens in _lines(text, row, r"\$\((\w+)\)"):
                        out.append(Command(name, approval, tuple(tokens), env, aws))
    return out


PIPELINES = {"github": github_commands, "azure": azure_commands}


def has(tokens: tuple[str, ...], *needed: str) -> bool:
    return all(t in tokens for t in needed)


def follows(tokens: tuple[str, ...], flag: str, value: str) -> bool:
    return any(a == flag and b == value for a, b in zip(tokens, tokens[1:], strict=False))


# -- what every pull request runs ------------------------------------------------------------


def test_both_files_parse() -> None:
    for path in (GITHUB, AZURE):
        assert isinstance(yaml.safe_load(path.read_text()), dict)
        assert "\t" not in path.read_text()


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_pipeline_runs_make_test(pipeline: str) -> None:
    assert any(c.tokens[:2] == ("make", "test") for c in PIPELINES[pipeline]())


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_pipeline_plans_and_checks_exactly_the_stack_files(pipeline: str) -> None:
    commands = PIPELINES[pipeline]()
    planned = {
        c.tokens[c.tokens.index("scripts/plan.py") + 1]
        for c in commands
        if "scripts/plan.py" in c.tokens
    }
    assert planned == set(STACKS)
    for stack in STACKS:
        env, _ = parse_stack_name(stack)
        plan = next(c for c in commands if has(c.tokens, "scripts/plan.py", stack, "--json"))
        plan_file = plan.tokens[plan.tokens.index("--json") + 1]
        assert any(
            has(c.tokens, "scripts/check_policies.py", plan_file)
            and follows(c.tokens, "--env", env)
            for c in commands
        ), f"{pipeline}: no policy check of {stack}"
        assert any(
            has(c.tokens, "scripts/check_policies.py", plan_file, "--checkov")
            and follows(c.tokens, "--env", env)
            for c in commands
        ), f"{pipeline}: no checkov scan of {stack}"


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pipeline", PIPELINES)
def test_every_stack_is_previewed_with_the_pack_through_federated_credentials(
    pipeline: str, stack: str
) -> None:
    env, _ = parse_stack_name(stack)
    previews = [
        c
        for c in PIPELINES[pipeline]()
        if has(c.tokens, "pulumi", "preview") and follows(c.tokens, "--stack", stack)
    ]
    assert len(previews) == 1, previews
    p = previews[0]
    assert follows(p.tokens, "--policy-pack", "policies")
    assert follows(p.tokens, "--policy-pack-config", f"policies/config/{env}.json")
    assert p.aws in ("${{ vars.AWS_PLAN_ROLE_ARN }}", "faas-aws-plan"), p.aws


def test_previews_and_the_review_run_on_pull_requests_only() -> None:
    jobs = github()["jobs"]
    for name in ("preview", "review"):
        assert jobs[name]["if"] == "github.event_name == 'pull_request'"
    stages = {s["stage"]: s for s in azure()["stages"]}
    for name in ("Preview", "Review"):
        assert "eq(variables.isPullRequest, true)" in stages[name]["condition"]


def test_github_review_goes_to_the_job_summary_and_one_comment() -> None:
    job = github()["jobs"]["review"]
    runs = [s.get("run", "") for s in job["steps"]]
    assert 'ci/review.sh "${{ github.event.pull_request.base.sha }}" build/review.md' in runs
    assert 'cat build/review.md >> "$GITHUB_STEP_SUMMARY"' in runs
    assert any(r.startswith("ci/github/comment.sh ") for r in runs)
    assert job["permissions"]["pull-requests"] == "write"


def test_azure_review_is_a_build_summary() -> None:
    (stage,) = [s for s in azure()["stages"] if s["stage"] == "Review"]
    scripts = [s.get("script", "") for s in stage["jobs"][0]["steps"]]
    assert any(s.startswith("ci/review.sh ") for s in scripts)
    assert any("##vso[task.uploadsummary]" in s and "build/review.md" in s for s in scripts)


def _make_n(*args: str) -> str:
    proc = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_make_plan_runs_checkov_only_when_asked() -> None:
    assert "policies.checkov" not in _make_n("plan")
    with_checkov = " ".join(_make_n("plan", "CHECKOV=1").replace("\\\n", " ").split())
    dev = " ".join(f"build/plan/{s}.json" for s in ("dev", "dev-blue", "dev-green"))
    assert f"-m policies.checkov {dev} --json build/plan/checkov.json" in with_checkov
    assert "-m policies.checkov --install" in _make_n("checkov")


def test_this_repositorys_ci_requires_checkov() -> None:
    """`.ci/run` installs checkov, then runs the tests with the scan tests required."""
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines.index("make checkov") < lines.index("FAAS_REQUIRE_CHECKOV=1 make test")


# -- what a merge applies --------------------------------------------------------------------


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_a_merge_applies_through_ci_apply_only(pipeline: str) -> None:
    commands = PIPELINES[pipeline]()
    assert not [c for c in commands if has(c.tokens, "pulumi", "up")], "pulumi up outside apply.sh"
    applies = [c for c in commands if c.tokens[0] == "ci/apply.sh"]
    assert sorted(c.tokens[1] for c in applies) == ENVS
    for c in applies:
        env = c.tokens[1]
        assert c.approval_env and env in c.approval_env, f"{pipeline}: {env} without approval"
        names = dict(c.env)
        assert {"BASE", "OVERRIDE"} <= set(names), names
        assert "override" in names["OVERRIDE"]  # the manual run's input, never a constant
        assert c.aws and "PLAN" not in c.aws.upper() and "plan" not in c.aws


def test_prod_is_applied_after_dev_in_the_stack_files_regions() -> None:
    jobs = github()["jobs"]
    assert "deploy-dev" in jobs["deploy-prod"]["needs"]
    for env in ENVS:
        (step,) = [
            s for s in jobs[f"deploy-{env}"]["steps"] if "role-to-assume" in s.get("with", {})
        ]
        assert step["with"]["aws-region"] == read_stack_file(env)["aws:region"]
    stages = {s["stage"]: s for s in azure()["stages"]}
    assert "Deploy_dev" in stages["Deploy_prod"]["dependsOn"]
    for env in ENVS:
        deploy = stages[f"Deploy_{env}"]["jobs"][0]["strategy"]["runOnce"]["deploy"]["steps"]
        (task,) = [s for s in deploy if s.get("task") == "AWSShellScript@1"]
        assert task["inputs"]["regionName"] == read_stack_file(env)["aws:region"]


SECRET_PATTERNS = re.compile(
    r"AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|aws-secret-access-key|aws-access-key-id|"
    r"PULUMI_CONFIG_PASSPHRASE|PULUMI_ACCESS_TOKEN|secrets\.|isSecret|issecret",
    re.IGNORECASE,
)


def test_no_secret_key_variables_anywhere_in_ci() -> None:
    files = [p for p in (ROOT / "ci").rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"workflow.yml", "azure-pipelines.yml", "apply.sh"}
    found = [
        f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
        for p in files
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if SECRET_PATTERNS.search(line)
    ]
    assert found == []
    # and AWS is reached only through federation: OIDC tokens on GitHub, service connections
    gh = github()
    assert all(
        job.get("permissions", gh["permissions"]).get("id-token") == "write"
        for job in gh["jobs"].values()
        if any("role-to-assume" in (s.get("with") or {}) for s in job.get("steps", []))
    )


# -- the scripts, run --------------------------------------------------------------------------


@pytest.fixture
def tools(tmp_path: Path) -> dict[str, str]:
    """Stand-ins for `pulumi` and `gh` that append their arguments to a log, first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for name in ("pulumi", "gh"):
        answer = f'cat "$FAKE_{name.upper()}" 2>/dev/null || true'
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n{answer}\n')
        tool.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAAS": str(Path(sys.executable).with_name("faas")),
        "PULUMI_BACKEND_URL": "s3://state-bucket",
        "LOG": str(log),
    }


def calls(tools: dict[str, str]) -> list[str]:
    log = Path(tools["LOG"])
    return log.read_text().splitlines() if log.exists() else []


def apply(repo: Path, tools: dict[str, str], env: str, moto: MotoServer, **extra: str):
    run_env = {**moto.env(), **tools, "BASE": "HEAD~1", **extra}
    return subprocess.run(["bash", str(ROOT / "ci" / "apply.sh"), env], cwd=repo, env=run_env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def ups(tools: dict[str, str]) -> list[str]:
    return [c.split(" --stack ")[1].split()[0] for c in calls(tools) if c.startswith("pulumi up")]


def test_apply_of_a_change_to_dev_greens_file_applies_only_dev_green(
    moto: MotoServer, tmp_path: Path, tools: dict[str, str]
) -> None:
    build_world(active="blue")
    repo = make_repo(tmp_path / "repo")
    edit(repo, "stacks/Pulumi.dev-green.yaml", "desiredSize: 2\n", "desiredSize: 3\n")
    commit(repo, "green nodes")
    res = apply(repo, tools, "dev", moto)
    assert res.returncode == 0, res.stdout + res.stderr
    assert ups(tools) == ["dev-green"]
    assert calls(tools)[-1] == (
        "pulumi up --yes --non-interactive --stack dev-green --policy-pack policies "
        "--policy-pack-config policies/config/dev.json"
    )
    assert apply(repo, tools, "prod", moto).stdout.startswith("prod: no stack changed")


def test_apply_refuses_a_release_change_to_the_active_colour_unless_overridden(
    moto: MotoServer, tmp_path: Path, tools: dict[str, str]
) -> None:
    build_world(active="green")
    repo = make_repo(tmp_path / "repo")
    edit(repo, "stacks/Pulumi.dev-green.yaml", 'faas:release: "2026-11"', 'faas:release: "2026-12"')
    edit(repo, "stacks/Pulumi.dev-blue.yaml", "desiredSize: 2\n", "desiredSize: 3\n")
    commit(repo, "upgrade green (wrongly: it is active) and resize blue")
    refused = apply(repo, tools, "dev", moto)
    assert refused.returncode == 1
    assert "REFUSED: dev-green: release 2026-11 -> 2026-12 refused: green takes traffic" in (
        refused.stdout
    )
    assert ups(tools) == []  # not even dev-blue: every guard runs before the first up
    forced = apply(repo, tools, "dev", moto, OVERRIDE="green drained by hand, incident 7")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert ups(tools) == ["dev-blue", "dev-green"]


def test_apply_keeps_the_deploy_order_and_refreshes_the_environment(
    moto: MotoServer, tmp_path: Path, tools: dict[str, str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "components" / "serving" / "knative.py").write_text("# the program, changed\n")
    commit(repo, "program")
    res = apply(repo, tools, "dev", moto)
    assert res.returncode == 0, res.stdout + res.stderr
    assert ups(tools) == ["dev", "dev-blue", "dev-green", "dev"]
    refreshed = [c for c in calls(tools) if c.startswith("pulumi up") and "--refresh" in c]
    assert len(refreshed) == 2 and all("--stack dev " in c for c in refreshed)


def test_the_review_comment_is_posted_once_then_updated(
    tmp_path: Path, tools: dict[str, str]
) -> None:
    review = tmp_path / "review.md"
    review.write_text("<!-- faas-plan-review -->\n## faas plan\n")
    env = {**os.environ, **tools, "GITHUB_REPOSITORY": "acme/faas-platform", "GH_TOKEN": "t"}
    script = str(ROOT / "ci" / "github" / "comment.sh")
    first = subprocess.run(["bash", script, "17", str(review)], env=env, capture_output=True,
                           text=True, timeout=60)  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert (
        calls(tools)[-1]
        == f"gh api --method POST repos/acme/faas-platform/issues/17/comments -F body=@{review}"
    )
    # The listing now finds our comment (gh's --jq answered with its id): update it in place.
    answer = tmp_path / "answer"
    answer.write_text("991\n")
    env["FAKE_GH"] = str(answer)
    second = subprocess.run(["bash", script, "17", str(review)], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert second.returncode == 0 and "updated review comment 991" in second.stdout
    listing, patch = calls(tools)[-2:]
    assert 'startswith("<!-- faas-plan-review -->")' in listing
    assert (
        patch
        == f"gh api --method PATCH repos/acme/faas-platform/issues/comments/991 -F body=@{review}"
    )


def test_pipelines_and_readme_name_the_backend_and_secrets_provider_bootstrap_creates() -> None:
    """CI logs in where `faas bootstrap` put the state and encrypts with its key: the README's
    bootstrap, both pipelines' set-up notes and docs/ci.md name the same bucket and provider."""
    from faas.ops.bootstrap import login_commands

    bucket = state_bucket_name("<account>", "eu-west-1")
    login, init = login_commands(bucket, state_key_alias(), "eu-west-1")
    url = login.split("'")[1]
    provider = init.split("'")[1].split("?")[0]
    assert url == "s3://faas-platform-state-<account>-eu-west-1?region=eu-west-1&awssdk=v2"
    readme = (ROOT / "README.md").read_text()
    assert login in readme and f"--secrets-provider '{provider}?region=eu-west-1'" in readme
    for path in (GITHUB, AZURE, ROOT / "docs" / "ci.md"):
        text = path.read_text()
        assert provider in text, path
        assert re.search(r"s3://faas-platform-state-<account>-(eu-west-1|<region>)\?region=", text)
