"""The function author's guide (README, "Ship a function") runs top to bottom as written.

The guide's shell blocks are run in a scratch directory, in one shell, in order. Lines marked
`# cloud` need an AWS account or a cluster and are not run (they are checked to be cloud commands);
lines marked `# docker` need a Docker engine, so the build context they would send is checked
instead (every COPY source exists). What the guide produces must hold up: the new repository has
the function, its tests pass, the pipeline finds its helper where the guide put it, and the
rendered service.yaml is a valid Knative Service pinned to a digest in a repository of the dev
plan.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from faas.contracts import validate_cr
from tests.support.plans import plan

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CLOUD_COMMANDS = ("git remote", "git push", "aws ", "kubectl ", "docker push", "DIGEST=$(aws ")
DIGEST = "sha256:" + "3f1c" * 16


def block(marker: str) -> list[str]:
    text = README.read_text()
    found = re.search(
        rf"<!-- {marker}:begin -->\n```sh\n(.*?)```\n<!-- {marker}:end -->", text, re.S
    )
    assert found, f"README has no {marker} block"
    return [line for line in found.group(1).splitlines() if line.strip()]


def as_script(lines: list[str]) -> str:
    """The lines to run: cloud lines become no-ops, docker builds record their context."""
    out = []
    for line in lines:
        if re.search(r"#\s*cloud\b", line):
            assert line.lstrip().startswith(CLOUD_COMMANDS), line
            out.append(":")
        elif re.search(r"#\s*docker\b", line):
            assert line.lstrip().startswith("docker build"), line
            out.append('pwd >> "$GUIDE_LOG"')
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def run(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    base = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(cwd),
        "GIT_AUTHOR_NAME": "author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
    }
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def authored(tmp_path_factory) -> Path:
    """The scratch directory after the guide's first block ran."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path_factory.mktemp("guide")
    done = run(as_script(block("guide")), work, PLATFORM=str(ROOT))
    assert done.returncode == 0, done.stdout + done.stderr
    return work / "hello-python"


def test_the_guide_makes_a_function_repository_with_passing_tests(authored):
    for name in ("app.py", "test_app.py", "Dockerfile", "service.yaml", "ci/render-service.py"):
        assert (authored / name).is_file(), name
    workflow = authored / ".github" / "workflows" / "function.yml"
    assert workflow.read_text() == (ROOT / "ci" / "functions" / "github-workflow.yml").read_text()
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=authored, capture_output=True, text=True, check=True
    )
    assert log.stdout.splitlines() == ["hello-python"]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=authored, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [t for t in tracked if "__pycache__" in t or t.startswith("build/")], tracked
    # The pipeline, as copied, finds what it runs: the helper where the guide put it.
    steps = yaml.safe_load(workflow.read_text())["jobs"]["release"]["steps"]
    helpers = {
        m for s in steps for m in re.findall(r"python3 (\S+\.py)", s.get("run", "")) if "run" in s
    }
    assert helpers and all((authored / h).is_file() for h in helpers), helpers


def test_the_manual_release_renders_a_valid_service_pinned_to_a_planned_repository(
    authored, tmp_path
):
    log = tmp_path / "builds"
    done = run(as_script(block("guide-manual")), authored, DIGEST=DIGEST, GUIDE_LOG=str(log))
    assert done.returncode == 0, done.stdout + done.stderr
    rendered = yaml.safe_load((authored / "build" / "service.yaml").read_text())
    assert validate_cr(rendered) == []
    (container,) = rendered["spec"]["template"]["spec"]["containers"]
    repository, _, digest = container["image"].partition("@")
    assert digest == DIGEST
    assert repository in plan("dev")["outputs"]["repository_urls"].values()
    # Internal by default, as the guide promises.
    assert "labels" not in rendered["metadata"]
    # The docker build ran where the Dockerfile is, and everything it copies is there.
    contexts = [Path(p) for p in log.read_text().split()]
    assert contexts == [authored]
    for line in (authored / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY"):
            for source in line.split()[1:-1]:
                assert (authored / source).exists(), source


def test_cloud_and_docker_lines_are_only_those_the_guide_cannot_run_here():
    for marker in ("guide", "guide-manual"):
        for line in block(marker):
            local = not re.search(r"#\s*(cloud|docker)\b", line)
            if local:
                assert not line.lstrip().startswith(("aws ", "kubectl ", "docker ")), line
