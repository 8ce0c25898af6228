"""A self-contained HTML page per stack, in the order a reviewer reads it: the summary, what
changed, the policy findings, the cost, the critical path (table and timeline), the resource
tree, and last the picture of the whole plan, fitted to the page width, collapsible, with zoom
buttons (and Ctrl+wheel) and drag-to-pan.

No external CSS, fonts or scripts: the page is a CI artifact people open from a zip or a PR link,
often without network access to anything else. The few lines of script only zoom and pan; the
page reads the same without them.
"""

from __future__ import annotations

import re
from html import escape

from .. import prices
from ..build import Report
from ..cost import rate, usd
from ..diff import format_diff
from ..timings import fmt_duration
from .summary import format_summary

_CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#202124}
h1{margin-bottom:4px} h2{margin-top:32px;border-bottom:1px solid #dadce0}
table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #dadce0;padding:3px 8px}
th{background:#f1f3f4;text-align:left} td.num{text-align:right;white-space:nowrap}
.pic{overflow:auto;border:1px solid #dadce0;max-height:85vh;cursor:grab}
.pic svg{display:block;width:100%;height:auto} .muted{color:#5f6368}
.zoom button{font-size:13px;margin-right:4px} summary{cursor:pointer}
summary h2{display:inline;border:0}
.fail{color:#d93025;font-weight:bold} .pass{color:#188038;font-weight:bold}
ul.tree{font-size:13px;line-height:1.5} code{font-size:12px}
pre{white-space:pre-wrap;overflow-wrap:anywhere}
"""


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    out = ["<table><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr>"]
    for row in rows:
        cells = (
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        out += ["<tr>", *cells, "</tr>"]
    out.append("</table>")
    return "".join(out)


def _policy(report: Report) -> str:
    p = report.policy
    if not p.ran:
        return '<p class="muted">Policy check: <b>not run</b>.</p>'
    css = "pass" if p.passed else "fail"
    parts = [f'<p>Result: <span class="{css}">{escape(p.headline)}</span></p>']
    if p.summary:
        parts.append(f"<p>{escape(p.summary)}</p>")
    now = [f for f in p.findings if not f.get("deferred")]
    later = [f for f in p.findings if f.get("deferred")]
    if now:
        rows = [
            [
                escape(str(f.get("rule", ""))),
                escape(str(f.get("level", ""))),
                f"<code>{escape(str(f.get('resource') or ''))}</code>",
                escape(str(f.get("message", ""))),
            ]
            for f in now
        ]
        parts.append(_table(["rule", "level", "resource", "message"], rows))
    if later:
        by_rule: dict[str, list[str]] = {}
        for f in later:
            by_rule.setdefault(str(f.get("rule", "")), []).append(str(f.get("resource") or ""))
        rows = [
            [escape(rule), str(len(names)), escape(", ".join(names))]
            for rule, names in sorted(by_rule.items())
        ]
        parts.append(
            f"<details><summary>{len(later)} deferred: values a real preview does not know yet "
            "(the rules run on them at <code>pulumi up</code>)</summary>"
            + _table(["rule", "checks", "resources"], rows, {1})
            + "</details>"
        )
    return "".join(parts)


def _cost(report: Report) -> str:
    c = report.cost
    order = {"priced": 0, "not priced": 1, "free": 2}
    lines = sorted(c.lines, key=lambda ln: (order[ln.status], -ln.monthly_usd, ln.name))
    rows = [
        [
            escape(ln.name),
            f"<code>{escape(ln.type)}</code>",
            escape(ln.status),
            usd(ln.monthly_usd) if ln.status == "priced" else "\u2014",
            escape(ln.basis),
        ]
        for ln in lines
        if ln.status != "free"
    ]
    rows.append(["<b>total</b>", "", "", f"<b>{usd(c.total)}</b>", ""])
    free = [ln for ln in lines if ln.status == "free"]
    free_rows = [
        [escape(ln.name), f"<code>{escape(ln.type)}</code>", escape(ln.basis)] for ln in free
    ]
    price_rows = [
        [
            escape(name),
            rate(p.usd) if p.usd < 1 else usd(p.usd),
            escape(p.unit),
            escape(p.as_of),
            "yes" if p.verified else "no",
            escape(p.source),
        ]
        for name, p in prices.table()
    ]
    return "".join(
        [
            f"<p>Monthly estimate: <b>{usd(c.total)}</b>; all on-demand {usd(c.all_on_demand)}; "
            f"spot saves {usd(c.spot_savings)}. Prices are {prices.REFERENCE_REGION} list prices "
            f"(table of {prices.TABLE_DATE}); this stack runs in <b>{escape(c.region)}</b> and "
            "the figures are not adjusted for it. Usage charges (NAT per GB, load balancer "
            "capacity units, DNS queries, egress) are not estimated.</p>",
            _table(["resource", "type", "status", "$/month", "how"], rows, {3}),
            f"<details><summary>{len(free)} free resources</summary>",
            _table(["resource", "type", "why free"], free_rows),
            "</details><details><summary>price table and sources</summary>",
            _table(["item", "price", "unit", "as of", "verified", "source"], price_rows, {1}),
            "</details>",
        ]
    )


def _critical(report: Report) -> str:
    p = report.critical_path
    rows = [
        [
            escape(s.name),
            f"<code>{escape(s.type)}</code>",
            fmt_duration(s.start),
            fmt_duration(s.seconds),
            fmt_duration(s.finish),
            escape(s.source),
        ]
        for s in p.steps
    ]
    untimed = ", ".join(p.untimed_types) or "none"
    return (
        f"<p>A cold <code>pulumi up</code> with unbounded parallelism takes about "
        f"<b>{fmt_duration(p.total)}</b>; a tool creating one resource at a time would take "
        f"{fmt_duration(p.serial_sum)}. Types without a timing (counted at 10 s): "
        f"{escape(untimed)}.</p>"
        + _table(["resource", "type", "starts", "takes", "done", "source"], rows, {2, 3, 4})
    )


def _tree(report: Report) -> str:
    by_urn = {r.urn: r for r in report.resources}
    kids: dict[str | None, list[str]] = {}
    for r in report.resources:
        kids.setdefault(r.parent if r.parent in by_urn else None, []).append(r.urn)
    monthly = {ln.urn: ln.monthly_usd for ln in report.cost.lines}

    def branch(parent: str | None) -> str:
        items = []
        for urn in kids.get(parent, []):
            r = by_urn[urn]
            money = f" \u2014 {usd(monthly[urn])}/month" if monthly.get(urn) else ""
            items.append(
                f"<li><b>{escape(r.name)}</b> <code>{escape(r.type)}</code>{money}"
                f"{branch(urn)}</li>"
            )
        return f'<ul class="tree">{"".join(items)}</ul>' if items else ""

    return branch(None)


_ZOOM = """
(function(){var box=document.getElementById('pic'),svg=box&&box.querySelector('svg');
if(!svg)return;var z=1,drag=null;
function set(v){z=Math.min(8,Math.max(1,v));svg.style.width=(100*z)+'%';
document.getElementById('zoomlevel').textContent=Math.round(z*100)+'%';}
document.getElementById('zin').onclick=function(){set(z*1.5);};
document.getElementById('zout').onclick=function(){set(z/1.5);};
document.getElementById('zfit').onclick=function(){set(1);};
box.addEventListener('wheel',function(e){if(!e.ctrlKey)return;e.preventDefault();
set(e.deltaY<0?z*1.2:z/1.2);},{passive:false});
box.addEventListener('mousedown',function(e){drag={x:e.clientX,y:e.clientY,
l:box.scrollLeft,t:box.scrollTop};box.style.cursor='grabbing';});
window.addEventListener('mouseup',function(){drag=null;box.style.cursor='grab';});
window.addEventListener('mousemove',function(e){if(!drag)return;
box.scrollLeft=drag.l-(e.clientX-drag.x);box.scrollTop=drag.t-(e.clientY-drag.y);});})();
"""


def _fitted(svg: str) -> str:
    """The picture scaled by the page (its viewBox keeps the proportions), not at pixel size."""
    return re.sub(r'^<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)


def render_html(report: Report, picture: str, timeline: str = "") -> str:
    """The page; `picture` is the stack's SVG (render_svg) and `timeline` its critical path
    (render_timeline), embedded so the page stands alone."""
    diff = (
        f"<h2 id='changes'>Changes against the previous plan</h2>"
        f"<pre>{escape(format_diff(report.diff))}</pre>"
        if report.diff is not None
        else ""
    )
    return "".join(
        [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>{escape(report.stack)} plan</title><style>{_CSS}</style></head><body>",
            f"<h1>{escape(report.stack)} \u2014 plan review</h1>",
            f"<pre id='summary'>{escape(format_summary(report))}</pre>",
            diff,
            f"<h2 id='policy'>Policy</h2>{_policy(report)}",
            f"<h2 id='cost'>Cost</h2>{_cost(report)}",
            f"<h2 id='critical-path'>Critical path</h2>{_critical(report)}",
            f"<div class='timeline'>{timeline}</div>" if timeline else "",
            "<details id='resources'><summary><h2>Resources</h2></summary>",
            f"{_tree(report)}</details>",
            "<details id='picture' open><summary><h2>Picture</h2></summary>",
            "<p class='muted'>Boxes are components, cards are resources, the red chain is the "
            "critical path. Hover a card for its URN and timing; zoom with the buttons or "
            "Ctrl+wheel, drag to pan.</p>",
            "<p class='zoom'><button id='zout'>\u2212</button><button id='zin'>+</button>"
            "<button id='zfit'>fit width</button><span id='zoomlevel' class='muted'>100%"
            "</span></p>",
            f"<div class='pic' id='pic'>{_fitted(picture)}</div></details>",
            f"<script>{_ZOOM}</script>",
            "</body></html>\n",
        ]
    )
