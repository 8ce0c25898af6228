"""One report of the pack's findings and checkov's, by resource; JSON and text renderings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from policies.check import PolicyReport
from policies.checkov.runner import CheckovResult
from policies.checkov.skips import Skip
from policies.checkov.tables import COMPONENT_REASON

_ORDER = {"failed": 0, "deferred": 1, "skipped": 2, "passed": 3}


def _checks(result: CheckovResult) -> dict[str, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {}
    for f in result.findings:
        entry = checks.setdefault(
            f.check_id,
            {"name": f.name, "passed": 0, "failed": 0, "skipped": 0, "deferred": 0},
        )
        entry[f.status] += 1
    return dict(sorted(checks.items()))


def merged_report(
    doc: Mapping[str, Any],
    pack_report: PolicyReport,
    checkov_result: CheckovResult,
    skips: Sequence[Skip] = (),
) -> dict[str, Any]:
    """Pack violations and checkov findings together, by Pulumi resource (URN).

    `ok` is false when the pack has a mandatory violation or checkov a failure no skip explains.
    Passed checks are counted per check id, not listed per resource.
    """
    pack = pack_report.to_dict()
    by_urn: dict[str, dict[str, Any]] = {}

    def entry(urn: str | None, type_: str | None) -> dict[str, Any]:
        key = urn or "(stack)"
        return by_urn.setdefault(
            key, {"urn": urn, "type": type_ or "stack", "pack": [], "checkov": []}
        )

    for v in pack_report.violations:
        entry(v.urn, v.type)["pack"].append(asdict(v))
    for f in checkov_result.findings:
        if f.status == "passed":
            continue
        item = {
            "check_id": f.check_id,
            "name": f.name,
            "status": f.status,
            "framework": f.framework,
            "resource": f.resource,
            "evaluated_keys": list(f.evaluated_keys),
            "reason": f.reason,
            "guideline": f.guideline,
        }
        entry(f.urn, f.type)["checkov"].append(item)
    for res in by_urn.values():
        res["checkov"].sort(key=lambda i: (_ORDER[i["status"]], i["check_id"]))
    unexplained = checkov_result.count("failed")
    unused = [s.describe() for i, s in enumerate(skips) if not checkov_result.skip_uses.get(i)]
    return {
        "stack": doc.get("stack"),
        "environment": pack_report.environment,
        "ok": pack_report.ok and unexplained == 0,
        "summary": {
            "pack": pack["summary"] | {"ok": pack["ok"]},
            "checkov": {
                "version": checkov_result.version,
                "passed": checkov_result.count("passed"),
                "failed": unexplained,
                "skipped": checkov_result.count("skipped"),
                "deferred": checkov_result.count("deferred"),
                "resources": len(checkov_result.conversion.urns),
                "seconds": round(checkov_result.seconds, 1),
            },
        },
        "resources": sorted(by_urn.values(), key=lambda r: (r["urn"] is not None, r["urn"] or "")),
        "checkov_checks": _checks(checkov_result),
        "not_scanned": checkov_result.not_scanned(),
        "skips_unused_here": unused,
    }


def _short(urn: str | None) -> str:
    if not urn:
        return "(stack)"
    kind, _, name = urn.rpartition("::")
    return f"{kind.rsplit('$', 1)[-1]}::{name}"


def format_merged(report: Mapping[str, Any], verbose: bool = False) -> str:
    """Text: findings by resource (failures first), what was not scanned, then a summary line.

    Skipped and deferred checkov findings are listed with their reasons only when `verbose`.
    """
    lines: list[str] = []
    for res in report["resources"]:
        pack = [v for v in res["pack"] if verbose or not v["deferred"]]
        checkov = [c for c in res["checkov"] if verbose or c["status"] == "failed"]
        if not pack and not checkov:
            continue
        lines.append(_short(res["urn"]))
        for v in pack:
            tag = "DEFERRED" if v["deferred"] else v["level"].upper()
            lines.append(f"  pack    {tag:<9} {v['rule']}: {v['message']}")
        for c in checkov:
            lines.append(f"  checkov {c['status'].upper():<9} {c['check_id']} {c['name']}")
            if c["status"] != "failed" and c["reason"]:
                lines.append(f"          {c['reason']}")
    components = [ns for ns in report["not_scanned"] if ns["reason"] == COMPONENT_REASON]
    for ns in report["not_scanned"]:
        if ns not in components:
            lines.append(f"not scanned: {ns['count']} x {ns['type']}: {ns['reason']}")
    if components:
        n = sum(ns["count"] for ns in components)
        lines.append(
            f"not scanned: {n} component resources ({len(components)} types): {COMPONENT_REASON}"
        )
    for s in report["skips_unused_here"] if verbose else ():
        lines.append(f"skip unused in this stack: {s}")
    pack, ck = report["summary"]["pack"], report["summary"]["checkov"]
    lines.append(
        f"check {report['stack'] or '?'}: pack {pack['mandatory']} mandatory, "
        f"{pack['advisory']} advisory, {pack['deferred']} deferred; "
        f"checkov {ck['version']}: {ck['failed']} failed, {ck['skipped']} skipped (reasoned), "
        f"{ck['deferred']} deferred, {ck['passed']} passed on {ck['resources']} resources: "
        f"{'PASS' if report['ok'] else 'FAIL'}"
    )
    return "\n".join(lines)
