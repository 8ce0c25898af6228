"""Each reference function's service.yaml and Dockerfile (examples/functions/*/) keep the contract.

service.yaml: a `serving.knative.dev/v1` Service that is internal (no DMZ label), fits Pod Security
`restricted`, probes /healthz and sets requests and limits; it is checked against the upstream CRD
schema of the pinned Knative when that schema is at hand. Dockerfile: a base image pinned to a full
version, a numeric non-root USER (the one service.yaml runs as), port 8080, exec-form CMD.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from components import naming
from components.serving.podsecurity import restricted_violations
from faas.contracts import validate_cr

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "examples" / "functions"
FUNCTION_DIRS = sorted(
    d for d in FUNCTIONS.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))
)


def _ksvc(fn_dir: Path) -> dict:
    docs = list(yaml.safe_load_all((fn_dir / "service.yaml").read_text()))
    assert len(docs) == 1, "one Knative Service per file"
    return docs[0]


def _container(ksvc: dict) -> dict:
    containers = ksvc["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "the function is the only container (Knative adds queue-proxy)"
    return containers[0]


@pytest.mark.parametrize("fn_dir", FUNCTION_DIRS, ids=lambda d: d.name)
def test_service_is_an_internal_knative_v1_service(fn_dir: Path):
    ksvc = _ksvc(fn_dir)
    assert (ksvc["apiVersion"], ksvc["kind"]) == ("serving.knative.dev/v1", "Service")
    assert ksvc["metadata"]["name"] == fn_dir.name
    # Internal by default; the DMZ label is shown commented out in the file.
    assert naming.EXPOSURE_LABEL not in (ksvc["metadata"].get("labels") or {})
    assert f"#   {naming.EXPOSURE_LABEL}: dmz" in (fn_dir / "service.yaml").read_text()


@pytest.mark.parametrize("fn_dir", FUNCTION_DIRS, ids=lambda d: d.name)
def test_service_container_meets_pod_security_restricted(fn_dir: Path):
    spec = _ksvc(fn_dir)["spec"]["template"]["spec"]
    sc = _container({"spec": {"template": {"spec": spec}}})["securityContext"]
    assert sc["runAsNonRoot"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"] and not sc["capabilities"].get("add")
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert sc.get("runAsUser", 65532) != 0
    # The platform's own checker of the standard (host namespaces, volumes, ports, ...).
    assert restricted_violations(spec) == []


@pytest.mark.parametrize("fn_dir", FUNCTION_DIRS, ids=lambda d: d.name)
def test_service_probes_healthz_and_bounds_resources(fn_dir: Path):
    c = _container(_ksvc(fn_dir))
    for probe in ("readinessProbe", "livenessProbe"):
        # No port: Knative probes the port it routes to (the one containerPort).
        assert c[probe]["httpGet"] == {"path": "/healthz"}, probe
    assert c["ports"] == [{"containerPort": 8080}]
    for kind in ("requests", "limits"):
        assert set(c["resources"][kind]) == {"cpu", "memory"}, kind


def _dockerfile(fn_dir: Path) -> list[tuple[str, str]]:
    """(instruction, arguments) per logical line, continuations joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (fn_dir / "Dockerfile").read_text())
    lines = [ln.strip() for ln in text.splitlines()]
    return [
        (ln.split(None, 1)[0].upper(), ln.split(None, 1)[1] if " " in ln else "")
        for ln in lines
        if ln and not ln.startswith("#")
    ]


def _pinned(image: str) -> bool:
    """A digest, or a tag that starts with a full major.minor.patch version."""
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and re.match(r"\d+\.\d+\.\d+(-|$)", tag) is not None


def test_pinned_recognises_floating_tags():
    assert _pinned("python:3.12.12-slim-bookworm") and _pinned("node:22.20.0")
    assert _pinned("gcr.io/distroless/nodejs22-debian12@sha256:" + "0" * 64)
    for floating in ("python", "python:latest", "python:3.12-slim", "node:22", "reg:5000/node"):
        assert not _pinned(floating), floating


@pytest.mark.parametrize("fn_dir", FUNCTION_DIRS, ids=lambda d: d.name)
def test_dockerfile_pins_its_base_and_runs_as_numeric_non_root(fn_dir: Path):
    instructions = _dockerfile(fn_dir)
    bases = [args.split()[0] for op, args in instructions if op == "FROM"]
    assert bases and all(_pinned(b) for b in bases), bases
    users = [args for op, args in instructions if op == "USER"]
    assert users, "no USER: the image would run as root"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) != 0, f"USER {users[-1]} is not a numeric non-root uid"
    assert not gid or (gid.isdigit() and int(gid) != 0), f"USER {users[-1]}: group"
    run_as = _container(_ksvc(fn_dir))["securityContext"].get("runAsUser")
    assert run_as in (None, int(uid)), "service.yaml runs as another user than the image"
    assert "8080" in [p for op, args in instructions if op == "EXPOSE" for p in args.split()]
    cmds = [args for op, args in instructions if op in ("CMD", "ENTRYPOINT")]
    # Exec form: the runtime is PID 1 and gets SIGTERM itself, not a shell that ignores it.
    assert cmds and isinstance(json.loads(cmds[-1]), list), cmds


# Against the upstream schema: the CRD's OpenAPI schema of the pinned Knative Serving, the same
# file the platform's contracts come from. Kubernetes prunes or (kubectl's strict field
# validation) rejects unknown fields; this reports them, plus type mismatches.


@pytest.mark.parametrize("fn_dir", FUNCTION_DIRS, ids=lambda d: d.name)
def test_service_matches_the_knative_service_crd_schema(fn_dir: Path):
    """Strictly, against the Service CRD of the pinned Knative (contracts/crds)."""
    assert validate_cr(_ksvc(fn_dir)) == []


def test_schema_check_catches_typos_and_wrong_types():
    broken = copy.deepcopy(_ksvc(FUNCTION_DIRS[0]))
    container = _container(broken)
    container["readinesProbe"] = container.pop("readinessProbe")
    container["ports"][0]["containerPort"] = "8080"
    found = " ".join(validate_cr(broken))
    assert "'readinesProbe' was unexpected" in found, found
    assert "containerPort: '8080' is not of type 'integer'" in found, found
