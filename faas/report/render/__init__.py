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
from .svg import render_svg

__all__ = [
    "format_summary",
    "render_html",
    "render_svg",
    "report_html",
    "report_svg",
    "write_outputs",
]


def report_svg(report: Report) -> str:
    """The stack's picture: components as boxes, resources as cards, the critical path in red."""
    return render_svg(
        report.graph, report.critical_path, f"{report.stack} \u2014 plan", report.stack
    )


def report_html(report: Report) -> str:
    """The stack's self-contained review page, picture included."""
    return render_html(report, report_svg(report))


def write_outputs(report: Report, out_dir: str | Path, stack: str | None = None) -> dict[str, Path]:
    """Write `<stack>.json` (the plan document, unchanged), `<stack>.svg` and `<stack>.html`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = stack or report.stack
    paths = {ext: out / f"{name}.{ext}" for ext in ("json", "svg", "html")}
    picture = report_svg(report)
    paths["json"].write_text(json.dumps(report.doc, indent=2, sort_keys=False) + "\n", "utf-8")
    paths["svg"].write_text(picture, "utf-8")
    paths["html"].write_text(render_html(report, picture), "utf-8")
    return paths
