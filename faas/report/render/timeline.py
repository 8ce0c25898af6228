"""The critical path as a timeline: one row per resource on the longest chain of a cold `pulumi
up`, a bar from when it can start to when it is done, on a minutes axis.

Sized for reading where pictures are shrunk to a column (a README is shown at most 880 px wide
on GitHub): the drawing is WIDTH px wide, so it is never scaled down there, and no text is
smaller than MIN_FONT px (tests/test_report_browser.py measures both).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from ..graph import CriticalPath
from ..timings import fmt_duration

WIDTH = 860
MIN_FONT = 12
ROW = 26
LABEL_W = 300  # names and types, left of the bars
TOP = 64
CRIT = "#d93025"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _ticks(total: float) -> list[float]:
    """Axis ticks every 1, 2, 5 or 10 minutes, at most about eight of them."""
    minutes = max(total / 60.0, 1.0)
    step = next((s for s in (1, 2, 5, 10, 15, 30, 60) if minutes / s <= 8), 120)
    return [m * 60.0 for m in range(0, int(minutes // step) * step + step + 1, step)]


def _duration(start: float, finish: float, y: float, seconds: float) -> str:
    """The step's duration right of its bar, or left of it where the bar ends near the edge."""
    if finish + 56 <= WIDTH:
        at, anchor = finish + 4, "start"
    else:
        at, anchor = start - 4, "end"
    return (
        f'<text x="{at:.1f}" y="{y + 16}" text-anchor="{anchor}" class="m">'
        f"{fmt_duration(seconds)}</text>"
    )


def render_timeline(path: CriticalPath, title: str, prefix: str = "") -> str:
    ticks = _ticks(path.total)
    span = max(ticks[-1], 1.0)
    bars_w = WIDTH - LABEL_W - 20
    height = TOP + ROW * len(path.steps) + 40

    def x(seconds: float) -> float:
        return LABEL_W + bars_w * seconds / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif">',
        f"<style>text{{font-size:{MIN_FONT}px;fill:#202124}} .h{{font-size:16px;"
        "font-weight:bold}} .m{fill:#5f6368}</style>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="22" class="h">{escape(title)}</text>',
        f'<text x="10" y="42" class="m">{fmt_duration(path.total)} for a cold pulumi up '
        f"(serial sum {fmt_duration(path.serial_sum)}); each bar waits for the one above"
        "</text>",
    ]
    for t in ticks:
        out.append(
            f'<line x1="{x(t):.1f}" y1="{TOP - 6}" x2="{x(t):.1f}" y2="{height - 30}" '
            'stroke="#e8eaed"/>'
            f'<text x="{x(t):.1f}" y="{height - 14}" text-anchor="middle" class="m">'
            f"{int(t // 60)} min</text>"
        )
    for i, step in enumerate(path.steps):
        y = TOP + i * ROW
        name = step.name[len(prefix) :] if prefix and step.name.startswith(prefix) else step.name
        kind = step.type.split(":")[-1]
        w = max(x(step.finish) - x(step.start), 2.0)
        out.append(
            f"<g><title>{escape(step.urn)}\n{fmt_duration(step.seconds)} ({escape(step.source)})"
            f"</title>"
            f'<text x="10" y="{y + 16}">{escape(_clip(name, 28))}</text>'
            f'<text x="{LABEL_W - 8}" y="{y + 16}" text-anchor="end" class="m">'
            f"{escape(_clip(kind, 14))}</text>"
            f'<rect x="{x(step.start):.1f}" y="{y + 4}" width="{w:.1f}" height="{ROW - 8}" '
            f'rx="3" fill="{CRIT}"/>'
            + _duration(x(step.start), x(step.finish), y, step.seconds)
            + "</g>"
        )
    out.append("</svg>")
    return "\n".join(out)
