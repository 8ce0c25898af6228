"""The reasoned skip list (`policies/checkov/skips.yaml`): which checkov failures are accepted, why.

Each entry names a check id, optionally the resources it covers (globs over checkov's resource
id: the Terraform address such as `aws_lb.faas_dev_*`, or `Kind.namespace.name` for Kubernetes
objects), and a reason. Skips are applied to checkov's results here rather than passed to
checkov's `--skip-check`, so that an entry that no longer explains any failure is seen and
reported as stale instead of silently hiding whatever fails next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from policies.checkov.runner import CheckovResult, Finding

DEFAULT = Path(__file__).with_name("skips.yaml")
_CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
_KEYS = {"check", "resource", "reason"}
MIN_REASON = 20  # characters: a reason says why, not just "accepted"


class SkipListError(ValueError):
    """The skip list is malformed; the message lists every problem."""


@dataclass(frozen=True)
class Skip:
    check: str
    resources: tuple[str, ...]  # globs; empty = every resource
    reason: str

    def matches(self, finding: Finding) -> bool:
        if finding.check_id != self.check:
            return False
        return not self.resources or any(fnmatchcase(finding.resource, p) for p in self.resources)

    def describe(self) -> str:
        where = ", ".join(self.resources) if self.resources else "every resource"
        return f"{self.check} on {where}"


def parse_skips(data: Any, source: str = "skips.yaml") -> list[Skip]:
    """Validate the skip list's data; every problem is reported at once."""
    entries = (data or {}).get("skips") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SkipListError(f"{source}: expected a mapping with a list under `skips`")
    problems: list[str] = []
    skips: list[Skip] = []
    for i, entry in enumerate(entries):
        where = f"{source}: skips[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        for key in sorted(set(entry) - _KEYS):
            problems.append(f"{where}.{key}: unknown key (allowed: {', '.join(sorted(_KEYS))})")
        check = entry.get("check")
        if not isinstance(check, str) or not _CHECK_ID.match(check):
            problems.append(f"{where}.check: {check!r} is not a checkov check id")
        reason = entry.get("reason")
        if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON:
            problems.append(
                f"{where}.reason: every skip needs a reason (at least {MIN_REASON} chars)"
            )
        resource = entry.get("resource", [])
        patterns = [resource] if isinstance(resource, str) else resource
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            problems.append(f"{where}.resource: expected a glob or a list of globs")
            patterns = []
        if isinstance(check, str) and isinstance(reason, str):
            skips.append(Skip(check, tuple(patterns), " ".join(reason.split())))
    if problems:
        raise SkipListError("\n".join(problems))
    return skips


def load_skips(path: Path = DEFAULT) -> list[Skip]:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise SkipListError(f"{path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SkipListError(f"{path}: not YAML: {exc}") from exc
    return parse_skips(data, str(path))


def apply_skips(result: CheckovResult, skips: Sequence[Skip]) -> CheckovResult:
    """Mark the failures a skip explains as skipped (with its reason); count each skip's uses."""
    uses = dict.fromkeys(range(len(skips)), 0)
    findings: list[Finding] = []
    for finding in result.findings:
        if finding.status == "failed":
            hit = next((i for i, s in enumerate(skips) if s.matches(finding)), None)
            if hit is not None:
                uses[hit] += 1
                finding = replace(finding, status="skipped", reason=skips[hit].reason)
        findings.append(finding)
    result.findings = findings
    result.skip_uses = uses
    return result


def stale(skips: Sequence[Skip], results: Iterable[CheckovResult]) -> list[Skip]:
    """Skips that explained no failure in any of the scanned stacks."""
    used: set[int] = set()
    for result in results:
        used |= {i for i, n in result.skip_uses.items() if n}
    return [s for i, s in enumerate(skips) if i not in used]
