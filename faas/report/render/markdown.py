"""The Markdown review of a pull request's plans: per stack, what changes against the base branch's
plan (by input path), the cost delta, the policy findings and the release (skew for an
environment). CI posts it as the job summary and as one pull-request comment that each run
updates (found by `MARKER`); Azure DevOps publishes it as a build summary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..build import Report
from ..cost import stack_cost, usd
from ..diff import Change, show
from ..skew import skew_lines

MARKER = "<!-- faas-plan-review -->"
MAX_CHANGE_LINES = 40


@dataclass(frozen=True)
class StackReview:
    report: Report  # the head plan, with its policy result and its diff against the base
    base: Mapping[str, Any] | None  # the base branch's plan document; None: no base plan


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return "`" + text.replace("`", "'") + "`"


def changes_headline(item: StackReview) -> str:
    diff = item.report.diff
    if item.base is None or diff is None:
        counted = sum(1 for r in item.report.resources if r.counted)
        return f"{counted} resources to create (no base plan)"
    if diff.empty:
        return "no changes"
    parts = [
        f"{n} to {verb}"
        for n, verb in (
            (len(diff.added), "add"),
            (len(diff.removed), "remove"),
            (len(diff.changed), "change"),
        )
        if n
    ]
    return ", ".join(parts)


def cost_cell(item: StackReview) -> str:
    head = item.report.cost.total
    if item.base is None:
        return f"{usd(head)}"
    delta = head - stack_cost(item.base).total
    sign = "+" if delta >= 0 else "-"
    return f"{usd(head)} ({sign}{usd(abs(delta))})"


def _release(doc: Mapping[str, Any] | None) -> str:
    return str(((doc or {}).get("outputs") or {}).get("release") or "")


def release_cell(item: StackReview) -> str:
    doc = item.report.doc
    skew = skew_lines(doc)
    if skew:
        colours = (doc.get("outputs") or {}).get("colour_releases") or {}
        names = ", ".join(f"{c} {r.get('release')}" for c, r in sorted(colours.items()))
        diffs = (doc.get("outputs") or {}).get("release_skew") or []
        return f"{names}; " + (f"skew in {len(diffs)} piece(s)" if diffs else "no skew")
    head, base = _release(doc), _release(item.base)
    if not head:
        return ""
    return head if base in ("", head) else f"{head} (base {base})"


def _change_lines(change: Change) -> str:
    return f"  - {_code(change.path)}: {show(change.old)} → {show(change.new)}"


def stack_section(item: StackReview) -> list[str]:
    rep, diff = item.report, item.report.diff
    lines = [f"### `{rep.stack}`: {changes_headline(item)}", ""]
    if item.base is not None and diff is not None and not diff.empty:
        lines += ["Against the base branch's plan, by input path:", ""]
        body: list[str] = []
        for r in sorted(diff.added, key=lambda r: r.urn):
            body.append(f"- `+` {_code(r.type)} **{r.name}**")
        for r in sorted(diff.removed, key=lambda r: r.urn):
            body.append(f"- `-` {_code(r.type)} **{r.name}**")
        for c in sorted(diff.changed, key=lambda c: c.urn):
            body.append(f"- `~` {_code(c.type)} **{c.name}**")
            body += [_change_lines(ch) for ch in c.changes]
        if len(body) > MAX_CHANGE_LINES:
            rest = len(body) - MAX_CHANGE_LINES
            body = [*body[:MAX_CHANGE_LINES], f"- … {rest} more lines: see the plan artifact"]
        lines += [*body, ""]
    lines.append(f"Cost: {cost_cell(item)} per month (us-east-1 list prices)")
    lines.append(f"Policy: {rep.policy.headline}")
    for f in sorted(
        rep.policy.findings, key=lambda f: (f.get("level") != "mandatory", str(f.get("rule")))
    ):
        level = "deferred" if f.get("deferred") else str(f.get("level"))
        lines.append(
            f"- **{level}** {_code(str(f.get('rule')))} {f.get('resource', '(stack)')}: "
            f"{f.get('message', '')}"
        )
    skew = skew_lines(rep.doc)
    if skew:
        lines.append(f"Release skew: {skew[0].removeprefix('releases: ')}")
        lines += [f"- {line.strip()}" for line in skew[1:]]
    elif release_cell(item):
        lines.append(f"Release: {release_cell(item)}")
    return [*lines, ""]


def render_review(items: Sequence[StackReview]) -> str:
    """The whole review: a table of every stack, then a section per stack."""
    changed = sum(1 for i in items if changes_headline(i) != "no changes")
    lines = [
        MARKER,
        f"## faas plan: {len(items)} stack(s), {changed} with changes",
        "",
        "| stack | changes | cost / month | policy | release |",
        "|---|---|---|---|---|",
    ]
    for i in items:
        cells = [
            f"`{i.report.stack}`",
            changes_headline(i),
            cost_cell(i),
            i.report.policy.headline,
            release_cell(i),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    for i in items:
        lines += stack_section(i)
    return "\n".join(lines).rstrip() + "\n"
