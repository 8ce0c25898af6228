"""The cutover timeline: what happened, when, with what weights; written as JSON and as an SVG
picture of the weights over time that a reviewer can open in a browser (plain string building, no
plotting dependency)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from components.naming import COLORS

from .records import Weights


@dataclass
class StepRecord:
    name: str  # "step 1", "rollback"
    percent: int | None  # target share of this step (None for rollback)
    weights: Weights
    started_s: float  # seconds since the cutover started
    change_id: str = ""
    insync_wait_s: float = 0.0
    soak_s: float = 0.0
    duration_s: float = 0.0
    probes: list[dict[str, object]] = field(default_factory=list)
    route53_calls: int = 0
    ok: bool = True


@dataclass
class Timeline:
    zone: str
    env: str
    target: str
    source: str
    operator: str
    started_at: str = ""
    status: str = (
        "started"  # completed | already-active | rolled-back | refused | dry-run | rollback-failed
    )
    exit_code: int = 0
    message: str = ""
    # What went wrong after the weights were final (outcome record, unlock, report file): the
    # exit code stays the traffic's outcome, these say what else needs a look.
    warnings: list[str] = field(default_factory=list)
    soak_s: float = 0.0
    plan: list[int] = field(default_factory=list)
    start_weights: Weights = field(default_factory=dict)
    rollback_weights: Weights = field(default_factory=dict)
    final_weights: Weights = field(default_factory=dict)
    preflight: list[dict[str, object]] = field(default_factory=list)
    # What the function parity preflight compared, refused and allowed (parity.py)
    parity: dict[str, Any] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)
    # (seconds since start, colour -> percent of traffic of the first record set)
    samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    route53_calls: dict[str, int] = field(default_factory=dict)  # phase -> calls (attempts)
    retries: int = 0
    total_s: float = 0.0
    insync_wait_s: float = 0.0
    soak_total_s: float = 0.0
    retry_wait_s: float = 0.0
    rate_limit_wait_s: float = 0.0

    def sample(self, t: float, weights: Weights) -> None:
        if not weights:
            return
        first = weights[sorted(weights)[0]]
        total = sum(first.values()) or 1
        self.samples.append((round(t, 3), {c: round(100.0 * first[c] / total, 1) for c in COLORS}))

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["samples"] = [{"t_s": t, "percent": p} for t, p in self.samples]
        d["other_s"] = round(
            self.total_s
            - self.insync_wait_s
            - self.soak_total_s
            - self.retry_wait_s
            - self.rate_limit_wait_s,
            3,
        )
        return d


_STROKE = {"blue": "#1f6fd1", "green": "#1a9b4b"}


def to_svg(tl: Timeline, width: int = 720, height: int = 320) -> str:
    """Step lines of each colour's share of traffic over time, with step and rollback marks."""
    left, right, top, bottom = 60, 20, 40, 50
    pw, ph = width - left - right, height - top - bottom
    samples = tl.samples or [(0.0, {c: 0.0 for c in COLORS})]
    end = max(tl.total_s, samples[-1][0], 1e-9)

    def x(t: float) -> float:
        return left + pw * (t / end)

    def y(p: float) -> float:
        return top + ph * (1 - p / 100.0)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="20" font-size="14">{escape(tl.zone)}: {escape(tl.source)} → '
        f"{escape(tl.target)} — {escape(tl.status)} in {tl.total_s:.1f} s</text>",
    ]
    for p in (0, 25, 50, 75, 100):
        out.append(
            f'<line x1="{left}" y1="{y(p):.1f}" x2="{left + pw}" y2="{y(p):.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{left - 8}" y="{y(p) + 4:.1f}" text-anchor="end">{p}%</text>')
    for i in range(5):
        t = end * i / 4
        out.append(f'<text x="{x(t):.1f}" y="{top + ph + 18}" text-anchor="middle">{t:.1f}s</text>')
    out.append(
        f'<text x="{left + pw / 2}" y="{height - 8}" text-anchor="middle">time since start</text>'
    )
    for st in tl.steps:
        color = "#c0392b" if st.name == "rollback" else "#888"
        out.append(
            f'<line x1="{x(st.started_s):.1f}" y1="{top}" x2="{x(st.started_s):.1f}" '
            f'y2="{top + ph}" stroke="{color}" stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{x(st.started_s) + 3:.1f}" y="{top + 12}" fill="{color}">'
            f"{escape(st.name)}</text>"
        )
    for c in COLORS:
        pts: list[str] = []
        prev: float | None = None
        for t, pct in samples:
            if prev is not None:
                pts.append(f"{x(t):.1f},{y(prev):.1f}")  # hold the old weight until the change
            pts.append(f"{x(t):.1f},{y(pct[c]):.1f}")
            prev = pct[c]
        pts.append(f"{x(end):.1f},{y(prev or 0.0):.1f}")
        out.append(
            f'<polyline fill="none" stroke="{_STROKE[c]}" stroke-width="2.5" '
            f'points="{" ".join(pts)}"/>'
        )
    for i, c in enumerate(COLORS):
        lx = left + pw - 120 + i * 60
        out.append(f'<rect x="{lx}" y="{top - 22}" width="12" height="4" fill="{_STROKE[c]}"/>')
        out.append(f'<text x="{lx + 16}" y="{top - 17}">{c}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def svg_path(json_path: Path) -> Path:
    return json_path.with_suffix(".svg")


def write_report(path: str | Path, tl: Timeline) -> tuple[Path, Path]:
    """Write FILE (JSON) and FILE with suffix .svg; returns both paths."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    s = svg_path(p)
    if s == p:  # `--report out.svg` would otherwise overwrite the JSON with the picture
        p = p.with_suffix(".json")
    p.write_text(json.dumps(tl.as_dict(), indent=2, sort_keys=False) + "\n")
    s.write_text(to_svg(tl))
    return p, s
