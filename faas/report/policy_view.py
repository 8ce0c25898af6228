"""The policy results as the report shows them; the policy engine itself lives in policies/.

The report takes whatever the checker returns in one of these shapes and never runs rules itself:

* `None`: the policy check was not run (shown as "not run", never as "passed");
* a list of findings `{rule, level, resource, message}` (optionally `deferred: true` for checks
  that wait on values known only at apply time);
* a mapping `{"violations" or "results" or "findings": [...], "summary": str | mapping}`.

The plan passes when no finding at level `mandatory` is present (CrossGuard's blocking level);
deferred findings never block, matching how CrossGuard reports them during preview.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PolicyInput = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


@dataclass(frozen=True)
class PolicyView:
    ran: bool
    findings: tuple[Mapping[str, Any], ...]
    summary: str

    @property
    def blocking(self) -> list[Mapping[str, Any]]:
        return [f for f in self.findings if f.get("level") == "mandatory" and not f.get("deferred")]

    @property
    def passed(self) -> bool:
        return self.ran and not self.blocking

    @property
    def headline(self) -> str:
        if not self.ran:
            return "not run"
        counts = Counter(
            "deferred" if f.get("deferred") else str(f.get("level", "?")) for f in self.findings
        )
        detail = ", ".join(f"{n} {level}" for level, n in sorted(counts.items())) or "no findings"
        verdict = "pass" if self.passed else "FAIL"
        return f"{verdict} ({detail})"


def _summary_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def view(result: PolicyInput) -> PolicyView:
    if result is None:
        return PolicyView(False, (), "not run")
    if isinstance(result, Mapping):
        items = next((result[k] for k in ("violations", "results", "findings") if k in result), [])
        summary = _summary_text(result.get("summary"))
    else:
        items, summary = result, ""
    findings = tuple(dict(f) for f in items)
    return PolicyView(True, findings, summary)
