"""The function pipeline templates (ci/functions/): their steps, in order, with OIDC and no key.

Both templates are parsed as YAML. The release path must run test -> build -> scan (failing on
CRITICAL) -> AWS credentials by OIDC -> push -> resolve the digest -> render the pinned
service.yaml -> commit it to the team's GitOps path. No AWS access key appears anywhere. The two
steps that need no cloud (rendering and the GitOps commit) are run here as written, against the
reference function and a local git repository standing in for the team's GitOps repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from faas.contracts import validate_cr

ROOT = Path(__file__).resolve().parents[1]
CI = ROOT / "ci" / "functions"
GITHUB = CI / "github-workflow.yml"
AZURE = CI / "azure-pipelines.yml"
RENDER = CI / "render-service.py"
EXAMPLE = ROOT / "examples" / "functions" / "hello-python"
IMAGE = (
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/faas-dev/payments/hello-python@sha256:"
    + "ab" * 32
)
# Static AWS credentials in any spelling a pipeline might use.
STATIC_KEY = re.compile(
    r"AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|aws-secret-access-key|aws-access-key-id|"
    r"AKIA[0-9A-Z]{16}|awsAccessKey|awsSecretKey",
    re.IGNORECASE,
)


def github() -> dict:
    return yaml.safe_load(GITHUB.read_text())


def azure() -> dict:
    return yaml.safe_load(AZURE.read_text())


def github_release_steps() -> list[dict]:
    return github()["jobs"]["release"]["steps"]


def azure_release_steps() -> list[dict]:
    stage = next(s for s in azure()["stages"] if s["stage"] == "Release")
    (job,) = stage["jobs"]
    return job["strategy"]["runOnce"]["deploy"]["steps"]


def _text(step: dict) -> str:
    return yaml.safe_dump(step)


# Each stage of the release path, recognised by what its step does.
STAGES = {
    "build": lambda t: "docker build" in t,
    "scan": lambda t: "trivy" in t and "--exit-code 1" in t and "--severity CRITICAL" in t,
    "credentials": lambda t: "configure-aws-credentials" in t or "AWSShellScript" in t,
    "push": lambda t: "docker push" in t,
    "digest": lambda t: "describe-images" in t and "imageDigest" in t,
    "render": lambda t: "render-service.py" in t and "--image" in t,
    "commit": lambda t: "git push" in t and "git commit" in t,
}


def stage_positions(steps: list[dict]) -> dict[str, int]:
    found = {}
    for name, matches in STAGES.items():
        hits = [i for i, step in enumerate(steps) if matches(_text(step))]
        assert hits, f"no {name} step"
        found[name] = hits[0]
    return found


@pytest.mark.parametrize(
    "steps", [github_release_steps, azure_release_steps], ids=["github", "azure"]
)
def test_release_runs_every_stage_in_order(steps):
    pos = stage_positions(steps())
    order = list(STAGES)
    for before, after in zip(order, order[1:], strict=False):
        assert pos[before] <= pos[after], (before, after, pos)
    # Credentials come after the scan: an image with critical findings never reaches AWS.
    assert pos["scan"] < pos["credentials"]


def test_github_tests_first_and_releases_only_main_through_its_environment():
    wf = github()
    jobs = wf["jobs"]
    assert wf[True] == {"pull_request": None, "push": {"branches": ["main"]}}  # YAML 1.1: on
    assert "python -m unittest" in _text(jobs["test"]["steps"][-1])
    assert jobs["release"]["needs"] == "test" and jobs["verify"]["needs"] == "test"
    assert jobs["release"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert jobs["release"]["environment"] == "dev"
    # Only the release job may mint an OIDC token; the workflow default cannot.
    assert "id-token" not in wf["permissions"]
    assert jobs["release"]["permissions"] == {"contents": "write", "id-token": "write"}
    # Pull requests build and scan too, without any cloud access.
    verify = [_text(s) for s in jobs["verify"]["steps"]]
    build = next(i for i, t in enumerate(verify) if STAGES["build"](t))
    assert STAGES["scan"](verify[build + 1])
    assert "id-token" not in str(jobs["verify"]) and "aws" not in str(jobs["verify"]).lower()


def test_github_assumes_the_publisher_role_by_oidc_only():
    (creds,) = [
        s for s in github_release_steps() if "configure-aws-credentials" in s.get("uses", "")
    ]
    assert creds["uses"].startswith("aws-actions/configure-aws-credentials@v")
    assert set(creds["with"]) == {"role-to-assume", "aws-region"}
    assert creds["with"]["role-to-assume"] == "${{ vars.FAAS_PUBLISHER_ROLE_ARN }}"
    # No stored secret at all: the GitOps commit uses the job's own token.
    assert re.findall(r"secrets\.(\w+)", GITHUB.read_text()) == []


def test_azure_tests_first_and_calls_aws_only_through_the_oidc_service_connection():
    pipeline = azure()
    stages = {s["stage"]: s for s in pipeline["stages"]}
    assert list(stages) == ["Test", "Verify", "Release"]
    assert stages["Release"]["dependsOn"] == "Test"
    assert "refs/heads/main" in stages["Release"]["condition"]
    assert stages["Release"]["jobs"][0]["environment"] == "faas-dev"
    for step in azure_release_steps():
        text = _text(step)
        if re.search(r"\baws (ecr|sts|eks)\b", text):
            assert step.get("task") == "AWSShellScript@1", text
            assert step["inputs"]["awsCredentials"] == "${{ variables.FAAS_AWS_CONNECTION }}"
    (gitops,) = pipeline["resources"]["repositories"]
    checkout = next(s for s in azure_release_steps() if s.get("checkout") == gitops["repository"])
    assert checkout["persistCredentials"] is True  # the job's own token, no stored secret


@pytest.mark.parametrize("path", [GITHUB, AZURE, RENDER], ids=lambda p: p.name)
def test_no_static_aws_key_anywhere(path):
    assert not STATIC_KEY.search(path.read_text()), path


def test_the_azure_example_pushes_to_a_repository_the_dev_plan_has():
    from tests.support.plans import plan

    url = azure()["variables"]["FAAS_REPOSITORY_URL"]
    assert url in plan("dev")["outputs"]["repository_urls"].values()


# --- the local steps, run as written ------------------------------------------------------------


def _script(step: dict) -> str:
    return step.get("run") or step.get("script")


def _step(steps: list[dict], stage: str) -> dict:
    return steps[stage_positions(steps)[stage]]


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _workspace(tmp_path: Path, fn_dir: str) -> Path:
    """The job's directory: the function's repository (with ci/render-service.py) at fn_dir."""
    fn = tmp_path / fn_dir
    shutil.copytree(EXAMPLE, fn, dirs_exist_ok=True)
    (fn / "ci").mkdir()
    shutil.copy(RENDER, fn / "ci" / "render-service.py")
    return tmp_path


LAYOUTS = {
    # GitHub checks the function out at the workspace root; Azure at $(Agent.BuildDirectory)/fn.
    "github": (github_release_steps, "."),
    "azure": (azure_release_steps, "fn"),
}


@pytest.mark.parametrize("ci", LAYOUTS)
def test_render_step_pins_the_digest_into_a_valid_service(tmp_path, ci):
    steps, fn_dir = LAYOUTS[ci]
    ws = _workspace(tmp_path, fn_dir)
    done = _bash(_script(_step(steps(), "render")), ws, {"IMAGE": IMAGE})
    assert done.returncode == 0, done.stderr
    rendered = yaml.safe_load((ws / "build" / "service.yaml").read_text())
    source = yaml.safe_load((EXAMPLE / "service.yaml").read_text())
    (container,) = rendered["spec"]["template"]["spec"]["containers"]
    assert container["image"] == IMAGE
    container["image"] = source["spec"]["template"]["spec"]["containers"][0]["image"]
    assert rendered == source  # nothing else changed
    assert validate_cr(yaml.safe_load((ws / "build" / "service.yaml").read_text())) == []


@pytest.mark.parametrize(
    "image",
    [
        "repo:latest",
        "repo@sha256:abc",
        IMAGE.split("/", 1)[1],
        IMAGE.replace("sha256:", "sha256:A"),
    ],
)
def test_render_refuses_anything_but_a_digest(tmp_path, image):
    out = tmp_path / "out.yaml"
    cmd = ["python3", str(RENDER), "--image", image, "--source", str(EXAMPLE / "service.yaml")]
    done = subprocess.run([*cmd, "--output", str(out)], capture_output=True, text=True)
    assert done.returncode == 2 and "error:" in done.stderr and not out.exists()


def _git(*args: str, cwd: Path) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@x", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def gitops(tmp_path: Path) -> tuple[Path, Path]:
    """A bare GitOps repository with a main branch, and the job's clone of it at ./gitops."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin = tmp_path / "origin.git"
    seed = tmp_path / "seed"
    _git("init", "--bare", "--initial-branch=main", str(origin), cwd=tmp_path)
    _git("clone", str(origin), str(seed), cwd=tmp_path)
    (seed / "README").write_text("team gitops\n")
    _git("add", "README", cwd=seed)
    _git("commit", "-m", "seed", cwd=seed)
    _git("push", "origin", "HEAD:main", cwd=seed)
    ws = tmp_path / "job"
    ws.mkdir()
    _git("clone", str(origin), str(ws / "gitops"), cwd=tmp_path)
    (ws / "build").mkdir()
    (ws / "build" / "service.yaml").write_text((EXAMPLE / "service.yaml").read_text())
    return ws, seed


@pytest.mark.parametrize("ci", LAYOUTS)
def test_commit_step_writes_the_team_path_once_and_survives_a_concurrent_push(gitops, ci):
    ws, seed = gitops
    script = _script(_step(LAYOUTS[ci][0](), "commit"))
    env = {
        "FUNCTION": "hello-python",
        "IMAGE": IMAGE,
        "FAAS_SOURCE_PATH": "dev",
        "FAAS_SOURCE_REVISION": "main",
        "HOME": str(ws),
    }
    # Another release lands on the GitOps branch after the job cloned it.
    (seed / "other.yaml").write_text("x: 1\n")
    _git("add", "other.yaml", cwd=seed)
    _git("commit", "-m", "another function", cwd=seed)
    _git("push", "origin", "HEAD:main", cwd=seed)

    done = _bash(script, ws, env)
    assert done.returncode == 0, done.stderr
    _git("pull", "origin", "main", cwd=seed)
    assert (seed / "dev" / "hello-python" / "service.yaml").read_text() == (
        ws / "build" / "service.yaml"
    ).read_text()
    assert (seed / "other.yaml").exists()
    log = _git("log", "--format=%s", cwd=seed).splitlines()
    assert log[0] == f"hello-python: {IMAGE}"

    again = _bash(script, ws, env)  # the same image again: nothing to commit
    assert again.returncode == 0 and "already runs" in again.stdout
    _git("pull", "origin", "main", cwd=seed)
    assert _git("log", "--format=%s", cwd=seed).splitlines() == log
