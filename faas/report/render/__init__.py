"""Views of a report model: the text summary, the SVG picture, the HTML page, and the files.

Each renderer takes a `faas.report.build.Report` and returns text; `write_outputs` writes the
three files of one stack. The model never imports these modules.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..build import Report
from .html import render_html
from .summary import format_summary
from .svg import common_prefix, render_svg
from .timeline import render_timeline

__all__ = [
    "format_summary",
    "render_html",
    "render_svg",
    "render_timeline",
    "report_timeline",
    "report_html",
    "report_svg",
    "write_outputs",
]


def report_svg(report: Report) -> str:
    """The stack's picture: components as boxes, resources as cards, the critical path in red."""
    return render_svg(
        report.graph, report.critical_path, f"{report.stack} \u2014 plan", report.stack
    )


def report_timeline(report: Report) -> str:
    """The critical path alone, as a timeline legible at README width."""
    return render_timeline(
        report.critical_path,
        f"{report.stack} \u2014 critical path of a cold pulumi up",
        common_prefix(report.graph, report.stack),
    )


def report_html(report: Report) -> str:
    """The stack's self-contained review page, pictures included."""
    return render_html(report, report_svg(report), report_timeline(report))


def write_outputs(report: Report, out_dir: str | Path, stack: str | None = None) -> dict[str, Path]:
    """Write `<stack>.json` (the plan document, unchanged), `<stack>.svg` (the whole plan),
    `<stack>.critical-path.svg` (the timeline) and `<stack>.html`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = stack or report.stack
    paths = {ext: out / f"{name}.{ext}" for ext in ("json", "svg", "html", "critical-path.svg")}
    picture, timeline = report_svg(report), report_timeline(report)
    paths["json"].write_text(json.dumps(report.doc, indent=2, sort_keys=False) + "\n", "utf-8")
    paths["svg"].write_text(picture, "utf-8")
    paths["critical-path.svg"].write_text(timeline, "utf-8")
    paths["html"].write_text(render_html(report, picture, timeline), "utf-8")
    return paths
