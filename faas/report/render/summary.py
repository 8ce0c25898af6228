"""The short text summary printed per stack by `make plan`."""

from __future__ import annotations

from collections import Counter

from .. import prices
from ..build import Report
from ..cost import usd
from ..graph import format_path
from ..timings import fmt_duration


def kinds(report: Report) -> Counter[str]:
    """Resources by kind (short type); components and providers are steps, not resources
    (policies/document.py `is_counted_resource`, the one definition every count uses)."""
    return Counter(r.short_type for r in report.resources if r.counted)


def format_summary(report: Report, top: int = 8) -> str:
    cost, path = report.cost, report.critical_path
    counted = kinds(report)
    components = sum(1 for r in report.resources if r.is_component)
    common = ", ".join(f"{k} {n}" for k, n in counted.most_common(top))
    rest = len(counted) - min(top, len(counted))
    more = f", +{rest} more kinds" if rest else ""
    lines = [
        f"{report.stack} ({cost.region}): {sum(counted.values())} resources in "
        f"{components} components",
        f"  by kind: {common}{more}",
        f"  policy: {report.policy.headline}",
        f"  cost: {usd(cost.total)}/month ({prices.REFERENCE_REGION} list prices); "
        f"spot saves {usd(cost.spot_savings)} against all on-demand",
    ]
    for line in cost.elastic:
        lines.append(
            f"  function capacity ({line.name}): expected {usd(line.monthly_usd)}/month "
            f"(in the total), up to {usd(line.ceiling_usd or 0)}/month at its limits"
        )
    if cost.not_priced:
        names = ", ".join(sorted({line.type for line in cost.not_priced}))
        lines.append(f"  not priced ({len(cost.not_priced)}): {names}")
    lines.append(
        f"  critical path: {fmt_duration(path.total)} (serial sum {fmt_duration(path.serial_sum)})"
        f": {format_path(path, limit=8)}"
    )
    return "\n".join(lines)
