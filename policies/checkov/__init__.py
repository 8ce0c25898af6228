"""checkov on a Pulumi plan: convert a preview document, run checkov, merge with the pack.

    convert(doc) -> (tf_plan, manifests, unmapped)   the checkov inputs, and what is not scanned
    ensure_checkov() -> Path                           checkov in its own env, installed on demand
    scan(doc) -> CheckovResult                         checkov's findings on one preview document
    load_skips() / apply_skips(result, skips)          the reasoned skip list (skips.yaml)
    merged_report(doc, pack_report, result, skips)     pack + checkov by resource (a dict, JSON)
    format_merged(report) -> str                       the text rendering

`python -m policies.checkov PREVIEW.json [--json OUT]` runs all of it (docs/checkov.md).
"""

from policies.checkov.convert import convert, convert_document
from policies.checkov.report import format_merged, merged_report
from policies.checkov.runner import (
    CheckovFailed,
    CheckovResult,
    CheckovUnavailable,
    Finding,
    ensure_checkov,
    pinned_requirement,
    scan,
)
from policies.checkov.skips import Skip, SkipListError, apply_skips, load_skips, stale

__all__ = [
    "CheckovFailed",
    "CheckovResult",
    "CheckovUnavailable",
    "Finding",
    "Skip",
    "SkipListError",
    "apply_skips",
    "convert",
    "convert_document",
    "ensure_checkov",
    "format_merged",
    "load_skips",
    "merged_report",
    "pinned_requirement",
    "scan",
    "stale",
]
