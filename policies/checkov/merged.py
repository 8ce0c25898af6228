"""The pack and checkov on preview documents, merged: what `faas check --checkov` and
`python -m policies.checkov` both run (docs/checkov.md).

Order, so that nothing is installed or scanned for input that is refused anyway: read every
document, load the skip list, then make sure checkov is installed, then scan. Each step raises
its own error (`ValueError` for a document, `SkipListError`, `CheckovUnavailable`,
`CheckovFailed`); the commands turn all of them into exit code 2 with the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies import check
from policies.checkov.report import merged_report
from policies.checkov.runner import scan_all
from policies.checkov.skips import DEFAULT, apply_skips, load_skips, stale


def read_preview(path: str | Path) -> dict[str, Any]:
    """A `pulumi preview --json` document, or `ValueError` naming the file and what is wrong."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("steps"), list):
        raise ValueError(f"{path}: not a `pulumi preview --json` document (no steps)")
    return doc


@dataclass
class MergedRun:
    reports: list[dict[str, Any]]
    """One merged report per document (policies/checkov/report.py `merged_report`)."""
    stale_skips: list[str]
    """Skips that explained no failure in any of the documents."""

    @property
    def ok(self) -> bool:
        return all(r["ok"] for r in self.reports)

    def payload(self) -> dict[str, Any]:
        """The JSON written by `--json`: the report itself for one document, else all of them."""
        if len(self.reports) == 1:
            return self.reports[0]
        return {"reports": self.reports, "stale_skips": self.stale_skips}


def check_documents(
    docs: Sequence[Mapping[str, Any]],
    skips_path: Path = DEFAULT,
    env: str | None = None,
) -> MergedRun:
    """Pack (levels of `env`, default each document's environment) and checkov on each document."""
    skips = load_skips(skips_path)
    results = [apply_skips(r, skips) for r in scan_all(docs)]
    reports = [
        merged_report(doc, check.check_document(doc, env=env), result, skips)
        for doc, result in zip(docs, results, strict=True)
    ]
    return MergedRun(reports, [s.describe() for s in stale(skips, results)])
