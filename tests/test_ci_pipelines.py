"""Both CI pipelines parse and run the required steps for every stack file in stacks/.

Matrix jobs are expanded (GitHub `${{ matrix.x }}`, Azure `$(x)`) so each assertion is about a
concrete command line for a concrete stack.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.naming import parse_stack_name

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / "ci" / "github" / "workflow.yml"
AZURE = ROOT / "ci" / "azure" / "azure-pipelines.yml"
STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml")
    for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)


@dataclass(frozen=True)
class Command:
    job: str
    approval_env: str | None  # GitHub environment / Azure DevOps environment of the job
    tokens: tuple[str, ...]


def _lines(script: str, row: dict[str, str], pattern: str) -> Iterator[list[str]]:
    text = re.sub(pattern, lambda m: str(row.get(m.group(1), m.group(0))), script)
    for line in text.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            yield shlex.split(line, comments=True)


def github_commands() -> list[Command]:
    data = yaml.safe_load(GITHUB.read_text())
    out = []
    for name, job in data["jobs"].items():
        rows = ((job.get("strategy") or {}).get("matrix") or {}).get("include") or [{}]
        for row in rows:
            for step in job.get("steps", []):
                for tokens in _lines(step.get("run", ""), row, r"\$\{\{\s*matrix\.(\w+)\s*\}\}"):
                    out.append(Command(name, job.get("environment"), tuple(tokens)))
    return out


def azure_commands() -> list[Command]:
    data = yaml.safe_load(AZURE.read_text())
    out = []
    for stage in data["stages"]:
        for job in stage["jobs"]:
            name = job.get("job") or job.get("deployment")
            strategy = job.get("strategy") or {}
            rows = list((strategy.get("matrix") or {}).values()) or [{}]
            steps = job.get("steps") or strategy.get("runOnce", {}).get("deploy", {}).get(
                "steps", []
            )
            env = job.get("environment") if "deployment" in job else None
            for row in rows:
                for step in steps:
                    for tokens in _lines(step.get("script", ""), row, r"\$\((\w+)\)"):
                        out.append(Command(name, env, tuple(tokens)))
    return out


PIPELINES = {"github": github_commands, "azure": azure_commands}


def has(tokens: tuple[str, ...], *needed: str) -> bool:
    return all(t in tokens for t in needed)


def follows(tokens: tuple[str, ...], flag: str, value: str) -> bool:
    return any(a == flag and b == value for a, b in zip(tokens, tokens[1:], strict=False))


def test_stack_files_exist() -> None:
    assert STACKS, "no stacks/Pulumi.<stack>.yaml"


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_pipeline_runs_make_test(pipeline: str) -> None:
    assert any(c.tokens[:2] == ("make", "test") for c in PIPELINES[pipeline]())


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_pipeline_covers_exactly_the_stack_files(pipeline: str) -> None:
    planned = {
        c.tokens[c.tokens.index("scripts/plan.py") + 1]
        for c in PIPELINES[pipeline]()
        if "scripts/plan.py" in c.tokens
    }
    assert planned == set(STACKS)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pipeline", PIPELINES)
def test_pipeline_steps_per_stack(pipeline: str, stack: str) -> None:
    env, _ = parse_stack_name(stack)
    config = f"policies/config/{env}.json"
    assert (ROOT / config).exists(), f"{config} is referenced but not shipped"
    commands = PIPELINES[pipeline]()

    plan = [c for c in commands if has(c.tokens, "scripts/plan.py", stack, "--json")]
    assert plan, f"{pipeline}: no offline plan of {stack}"
    plan_file = plan[0].tokens[plan[0].tokens.index("--json") + 1]
    assert any(
        has(c.tokens, "scripts/check_policies.py", plan_file) and follows(c.tokens, "--env", env)
        for c in commands
    ), f"{pipeline}: no policy check of {stack}"
    assert any(
        has(c.tokens, "scripts/check_policies.py", plan_file, "--checkov")
        and follows(c.tokens, "--env", env)
        for c in commands
    ), f"{pipeline}: no checkov scan of {stack}"

    assert any(
        has(c.tokens, "pulumi", "preview")
        and follows(c.tokens, "--stack", stack)
        and follows(c.tokens, "--policy-pack", "policies")
        and follows(c.tokens, "--policy-pack-config", config)
        for c in commands
    ), f"{pipeline}: no CrossGuard preview of {stack}"

    ups = [
        c for c in commands if has(c.tokens, "pulumi", "up") and follows(c.tokens, "--stack", stack)
    ]
    assert ups, f"{pipeline}: no pulumi up of {stack}"
    for up in ups:
        assert up.approval_env and env in up.approval_env, (
            f"{pipeline}: {stack} up without approval"
        )
        assert follows(up.tokens, "--policy-pack", "policies")


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_deploy_order_environment_colours_environment(pipeline: str) -> None:
    """Deploy order (docs/edge.md): `<env>` -> `<env>-blue` and `<env>-green` -> `<env>` again."""
    ups = [c for c in PIPELINES[pipeline]() if has(c.tokens, "pulumi", "up")]
    for env in sorted({parse_stack_name(s)[0] for s in STACKS}):
        order = [
            c.tokens[c.tokens.index("--stack") + 1]
            for c in ups
            if parse_stack_name(c.tokens[c.tokens.index("--stack") + 1])[0] == env
        ]
        colours = [s for s in STACKS if parse_stack_name(s)[0] == env and s != env]
        assert order[0] == env and order[-1] == env, order
        assert sorted(order[1:-1]) == sorted(colours), order


def _yaml_has_no_tabs(path: Path) -> Any:
    return "\t" not in path.read_text()


def test_both_files_parse() -> None:
    for path in (GITHUB, AZURE):
        assert isinstance(yaml.safe_load(path.read_text()), dict)
        assert _yaml_has_no_tabs(path)


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
