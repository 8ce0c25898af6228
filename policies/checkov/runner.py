"""Install checkov on demand into its own virtualenv, run it on a converted plan, read its results.

checkov is a heavy dependency with pins of its own, so it never goes into the platform's `.venv`:
it lives in `.venv-checkov/` at the repository root (a `.gitignore` inside keeps git and ruff out
of it), installed at the version pinned in `pyproject.toml`
(`[project.optional-dependencies] checkov`), and is run as a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policies.checkov import tables
from policies.checkov.convert import Conversion, convert_document

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-checkov"
VENV_ENV = "FAAS_CHECKOV_VENV"  # another location, e.g. a CI cache directory
FRAMEWORKS = ("terraform_plan", "kubernetes")
FORK_SCANS = Path(__file__).with_name("fork_scans.py")  # run by the checkov environment


class CheckovUnavailable(RuntimeError):
    """checkov is not installed and could not be installed (e.g. no network)."""


class CheckovFailed(RuntimeError):
    """checkov ran but gave no readable report."""


def pinned_requirement(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The `checkov==X` requirement of pyproject's `checkov` extra: the one place it is pinned.
    checkov is installed apart from the platform's environment, so the extra is never installed
    with the project; it only records the pin."""
    try:
        data = tomllib.loads(pyproject.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CheckovUnavailable(f"cannot read the checkov pin from {pyproject}: {exc}") from None
    extra = data.get("project", {}).get("optional-dependencies", {}).get("checkov") or []
    found = [r for r in extra if isinstance(r, str) and r.replace(" ", "").startswith("checkov==")]
    if not found:
        raise CheckovUnavailable(f"{pyproject} pins no checkov== in the `checkov` extra")
    return found[0].replace(" ", "")


def venv_path() -> Path:
    return Path(os.environ.get(VENV_ENV) or VENV)


def installed(venv: Path | None = None, requirement: str | None = None) -> Path | None:
    """The checkov executable when the pinned version is installed, else None."""
    venv = venv or venv_path()
    exe = venv / "bin" / "checkov"
    stamp = venv / ".installed"
    requirement = requirement or pinned_requirement()
    if exe.exists() and stamp.exists() and stamp.read_text().strip() == requirement:
        return exe
    return None


def ensure_checkov(venv: Path | None = None, requirement: str | None = None) -> Path:
    """The checkov executable, installing the pinned version into its own virtualenv if needed."""
    venv = venv or venv_path()
    requirement = requirement or pinned_requirement()
    if exe := installed(venv, requirement):
        return exe
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", requirement],
    ]
    for cmd in steps:
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CheckovUnavailable(_install_hint(venv, requirement, str(exc))) from exc
        if proc.returncode != 0:
            raise CheckovUnavailable(_install_hint(venv, requirement, proc.stderr or proc.stdout))
        (venv / ".gitignore").write_text("*\n")  # keeps git and ruff out of the environment
    (venv / ".installed").write_text(requirement + "\n")
    return venv / "bin" / "checkov"


def _install_hint(venv: Path, requirement: str, output: str) -> str:
    tail = "\n".join(output.strip().splitlines()[-5:])
    return (
        f"could not install {requirement} into {venv} (is the package index reachable?):\n"
        f"{tail}\n"
        f"install it by hand: python3 -m venv {venv} && "
        f"{venv}/bin/pip install '{requirement}' && echo {requirement} > {venv}/.installed"
    )


@dataclass(frozen=True)
class Finding:
    check_id: str
    name: str
    status: str  # passed | failed | deferred | skipped
    framework: str
    resource: str  # checkov's id: Terraform address, or Kind.namespace.name
    urn: str | None
    type: str | None  # the Pulumi type
    evaluated_keys: tuple[str, ...] = ()
    guideline: str | None = None
    reason: str | None = None  # why skipped or deferred


@dataclass
class CheckovResult:
    version: str
    findings: list[Finding]
    conversion: Conversion
    seconds: float = 0.0
    skip_uses: dict[int, int] = field(default_factory=dict)
    """Index in the skip list -> number of failures it explained (filled by `apply_skips`)."""

    def not_scanned(self) -> list[dict[str, Any]]:
        counts: dict[str, int] = {}
        for type_ in self.conversion.types.values():
            if type_ in self.conversion.unmapped:
                counts[type_] = counts.get(type_, 0) + 1
        return [
            {"type": t, "count": n, "reason": tables.not_scanned_reason(t)}
            for t, n in sorted(counts.items())
        ]

    def count(self, status: str) -> int:
        return sum(1 for f in self.findings if f.status == status)


def _matches(evaluated: str, unknown: str) -> bool:
    """True when one path is a prefix of the other (`*` in checkov's keys matches any part)."""
    a, b = evaluated.strip("/").split("/"), unknown.split("/")
    return all(x == y or x == "*" or x == "[*]" for x, y in zip(a, b, strict=False))


def _deferral(keys: tuple[str, ...], unknown: set[str]) -> str | None:
    if not unknown:
        return None
    hit = sorted({u for u in unknown for k in keys if _matches(k, u)})
    if hit:
        return "unknown at preview: " + ", ".join(hit)
    if not keys:
        # checkov did not say what it read, so it may have read an unknown value
        return "unknown at preview (the check does not name what it read): " + ", ".join(
            sorted(unknown)
        )
    return None


def _urn_for(resource: str, conversion: Conversion) -> str | None:
    """The URN behind a checkov resource id.

    checkov's Kubernetes graph checks name the pods of a workload `Pod.<ns>.<name>.<labels>`
    (e.g. CKV2_K8S_6); they belong to the object with that namespace and name.
    """
    if resource in conversion.urns:
        return conversion.urns[resource]
    parts = resource.split(".", 3)
    if len(parts) < 3:
        return None
    found = [u for k, u in conversion.urns.items() if k.split(".", 2)[1:] == parts[1:3]]
    return found[0] if found else None


def read_results(reports: Any, conversion: Conversion) -> list[Finding]:
    """Findings from checkov's `-o json` output (one report, or a list with one per framework)."""
    reports = reports if isinstance(reports, list) else [reports]
    findings: list[Finding] = []
    for report in reports:
        framework = str(report.get("check_type", "?"))
        results = report.get("results") or {}
        for key, status in (
            ("passed_checks", "passed"),
            ("failed_checks", "failed"),
            ("skipped_checks", "skipped"),
        ):
            for item in results.get(key) or []:
                resource = str(item.get("resource", ""))
                keys = tuple((item.get("check_result") or {}).get("evaluated_keys") or ())
                reason = None
                if status != "skipped":
                    reason = _deferral(keys, conversion.unknown.get(resource, set()))
                    status_now = "deferred" if reason else status
                else:
                    status_now, reason = (
                        status,
                        (item.get("check_result") or {}).get("suppress_comment"),
                    )
                urn = _urn_for(resource, conversion)
                findings.append(
                    Finding(
                        check_id=str(item.get("check_id")),
                        name=str(item.get("check_name", "")),
                        status=status_now,
                        framework=framework,
                        resource=resource,
                        urn=urn,
                        type=conversion.types.get(urn) if urn else None,
                        evaluated_keys=keys,
                        guideline=item.get("guideline"),
                        reason=reason,
                    )
                )
    return findings


def _checkov_args(conversion: Conversion, workdir: Path) -> list[str]:
    """Write a conversion's files into `workdir`; checkov's arguments to scan them."""
    plan = workdir / "tfplan.json"
    plan.write_text(json.dumps(conversion.tf_plan, indent=1))
    files = [str(plan)]
    if conversion.manifests:
        manifests = workdir / "manifests.yaml"
        manifests.write_text(yaml.safe_dump_all(conversion.manifests, sort_keys=False))
        files.append(str(manifests))
    # no call home: nothing is uploaded without an API key; --skip-download keeps it offline
    args = ["--framework", *FRAMEWORKS, "-o", "json", "--soft-fail", "--skip-download"]
    for f in files:
        args += ["-f", f]
    return args


def _checkov_output(workdir: Path, code: int) -> tuple[Any, str]:
    """(checkov's parsed JSON report, its version) from what a scan wrote into `workdir`."""
    out = (workdir / "stdout.txt").read_text() if (workdir / "stdout.txt").exists() else ""
    try:
        parsed = json.loads(out)
    except json.JSONDecodeError as exc:
        err = (workdir / "stderr.txt").read_text() if (workdir / "stderr.txt").exists() else ""
        tail = "\n".join((err or out).strip().splitlines()[-10:])
        raise CheckovFailed(f"checkov exited {code} without a JSON report:\n{tail}") from exc
    reports = parsed if isinstance(parsed, list) else [parsed]
    version = next(
        (str(r.get("summary", {}).get("checkov_version")) for r in reports if r.get("summary")),
        "?",
    )
    return parsed, version


def run_checkov(
    exe: Path, conversions: Sequence[Conversion], workdirs: Sequence[Path], jobs: int
) -> list[tuple[Any, str, float]]:
    """checkov on each conversion (its files go into its own workdir), up to `jobs` at once, for
    one import of checkov: `fork_scans.py` forks a scan per conversion from a process that has
    loaded checkov. Returns (parsed JSON output, version, seconds) per conversion."""
    scans = [
        {"cwd": str(w), "argv": _checkov_args(c, w)}
        for c, w in zip(conversions, workdirs, strict=True)
    ]
    env = {**os.environ, "LOG_LEVEL": "ERROR"}
    cmd = [str(exe.with_name("python")), str(FORK_SCANS), str(jobs)]
    try:
        proc = subprocess.run(
            cmd, input=json.dumps(scans), capture_output=True, text=True, env=env,
            timeout=900 * len(scans),
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CheckovFailed(f"checkov did not run: {exc}") from None
    try:
        done = json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-10:])
        raise CheckovFailed(f"checkov exited {proc.returncode} before scanning:\n{tail}") from None
    return [
        (*_checkov_output(w, d["code"]), float(d["seconds"]))
        for w, d in zip(workdirs, done, strict=True)
    ]


def scan(doc: Mapping[str, Any], exe: Path | None = None) -> CheckovResult:
    """Convert a preview document, run checkov on it, and read its findings (skips not applied)."""
    return scan_all([doc], exe)[0]


def scan_all(
    docs: Sequence[Mapping[str, Any]], exe: Path | None = None, jobs: int | None = None
) -> list[CheckovResult]:
    """`scan` of several documents, in the order given, with up to `jobs` scans at once (default:
    one per core) and checkov imported once for all of them. A failure names the document's
    stack."""
    conversions = [convert_document(doc) for doc in docs]
    exe = exe or ensure_checkov()
    jobs = max(1, jobs or os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="faas-checkov-") as tmp:
        workdirs = [Path(tmp) / str(i) for i in range(len(docs))]
        for w in workdirs:
            w.mkdir()
        try:
            outputs = run_checkov(exe, conversions, workdirs, jobs)
        except CheckovFailed as exc:
            names = ", ".join(str(d.get("stack") or "preview document") for d in docs)
            raise CheckovFailed(f"{names}: {exc}") from None
    return [
        CheckovResult(version, read_results(out, conversion), conversion, seconds=seconds)
        for (out, version, seconds), conversion in zip(outputs, conversions, strict=True)
    ]
