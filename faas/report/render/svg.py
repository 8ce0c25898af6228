"""An SVG picture of a plan: components as nested boxes, resources as nodes, critical path in red.

Layout, computed here because Graphviz's `dot` binary may not exist on a fresh machine:

* x: a resource's column is the number of resources on the longest dependency chain before it,
  so every drawn edge points right and a column is a "wave" of a cold `pulumi up`;
* y: each component owns a horizontal band holding its own resources (stacked when several share a
  column) followed by the bands of its child components, so a component's box contains exactly its
  descendants, nested boxes inset by a fixed padding.

The drawing is plain SVG text (no script), so it opens in any browser and embeds in the HTML page.
Each node carries a <title> with its URN and type (hover text, and what the tests look for).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from ..graph import CriticalPath, DependencyGraph
from ..plan_doc import Resource
from ..timings import fmt_duration

NODE_W, NODE_H = 170, 34
COL_W, ROW_H = 210, 44
PAD, HEADER, MARGIN, TOP = 14, 22, 16, 56
FILL = {"aws": "#fff4e5", "kubernetes": "#e8f0fe", "pulumi": "#f1f3f4"}
CRIT = "#d93025"


@dataclass(frozen=True)
class _Box:
    urn: str
    x: float
    y: float
    w: float
    h: float


def _columns(dg: DependencyGraph) -> dict[str, int]:
    """Longest chain of resources before each node; components pass their column through."""
    col: dict[str, int] = {}
    for v in nx.topological_sort(dg.graph):
        col[v] = max(
            (col[u] + (1 if dg.resources[u].custom else 0) for u in dg.graph.predecessors(v)),
            default=0,
        )
    used = sorted({c for u, c in col.items() if dg.resources[u].custom})
    dense = {c: i for i, c in enumerate(used)}
    return {u: dense.get(c, 0) for u, c in col.items()}


def common_prefix(dg: DependencyGraph, stack: str) -> str:
    """The `faas-dev-blue-` every physical name starts with: omitted on the cards to save room."""
    found: Counter[str] = Counter()
    for r in dg.resources.values():
        at = r.name.find(f"{stack}-")
        if at >= 0:
            found[r.name[: at + len(stack) + 1]] += 1
    if not found:
        return ""
    prefix, count = found.most_common(1)[0]
    return prefix if count * 2 >= len(dg.resources) else ""


def _clip(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


class _Layout:
    def __init__(self, dg: DependencyGraph) -> None:
        self.dg = dg
        self.col = _columns(dg)
        self.kids: dict[str | None, list[Resource]] = {}
        for r in dg.resources.values():
            parent = r.parent if r.parent in dg.resources else None
            self.kids.setdefault(parent, []).append(r)
        self.depth = self._depth(None, 0)
        self.first_col: dict[str, int] = {}
        for top in self.kids.get(None, []):
            self._first_col(top)
        ncols = max(self.col.values(), default=0) + 1
        self.width = 2 * MARGIN + 2 * self.depth * PAD + ncols * COL_W
        self.nodes: dict[str, _Box] = {}
        self.clusters: list[tuple[_Box, int]] = []
        y = TOP
        for top in self._ordered(None):
            y = self._place(top, 0, y) + PAD
        self.height = y + MARGIN

    def _first_col(self, r: Resource) -> int:
        """Leftmost column in a component's subtree: bands are stacked in the order they start."""
        cols = [self._first_col(c) for c in self.kids.get(r.urn, [])]
        if r.custom:
            cols.append(self.col[r.urn])
        self.first_col[r.urn] = min(cols, default=10**6)
        return self.first_col[r.urn]

    def _ordered(self, parent: str | None) -> list[Resource]:
        # Resources first (by column, then name), then child components in the order they start.
        items = self.kids.get(parent, [])
        return sorted(items, key=lambda r: (not r.custom, self.first_col[r.urn], r.name))

    def _depth(self, parent: str | None, level: int) -> int:
        inner = [r for r in self.kids.get(parent, []) if not r.custom]
        return max((self._depth(r.urn, level + 1) for r in inner), default=level)

    def _place(self, r: Resource, level: int, y: float) -> float:
        """Place one resource or one component's band at `y`; return the band's bottom."""
        left = MARGIN + self.depth * PAD
        if r.custom:
            self.nodes[r.urn] = _Box(r.urn, left + self.col[r.urn] * COL_W, y, NODE_W, NODE_H)
            return y + NODE_H
        top, cursor = y, y + HEADER
        rows: dict[int, int] = {}
        children = self._ordered(r.urn)
        for child in (c for c in children if c.custom):
            row = rows.get(self.col[child.urn], 0)
            rows[self.col[child.urn]] = row + 1
            self._place(child, level + 1, cursor + row * ROW_H)
        cursor += max(rows.values(), default=0) * ROW_H
        for child in (c for c in children if not c.custom):
            cursor = self._place(child, level + 1, cursor) + PAD
        bottom = max(cursor, top + HEADER + PAD)
        inset = MARGIN + level * PAD
        self.clusters.append((_Box(r.urn, inset, top, self.width - 2 * inset, bottom - top), level))
        return bottom


def _node(
    r: Resource, box: _Box, dg: DependencyGraph, critical: bool, ident: int, prefix: str
) -> str:
    t = dg.timing[r.urn]
    fill = FILL.get(r.type.split(":")[0], "#ffffff")
    stroke = f'stroke="{CRIT}" stroke-width="3"' if critical else 'stroke="#5f6368"'
    title = f"{r.urn}\ntype: {r.type}\ntypical creation: {fmt_duration(t.seconds)} ({t.source})"
    return (
        f'<g id="r{ident}" class="node{" critical" if critical else ""}" '
        f"data-urn={quoteattr(r.urn)}><title>{escape(title)}</title>"
        f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="5" '
        f'fill="{fill}" {stroke}/>'
        f'<text x="{box.x + 8}" y="{box.y + 14}" class="n">'
        f"{escape(_clip(_label(r.name, prefix)))}</text>"
        f'<text x="{box.x + 8}" y="{box.y + 27}" class="t">'
        f"{escape(_clip(r.short_type, 30))}</text></g>"
    )


def _label(name: str, prefix: str) -> str:
    return name[len(prefix) :] if prefix and name.startswith(prefix) and name != prefix else name


def _edge(a: _Box, b: _Box, critical: bool) -> str:
    x1, y1 = a.x + a.w, a.y + a.h / 2
    x2, y2 = b.x, b.y + b.h / 2
    bend = max((x2 - x1) / 2, 20)
    style = f'stroke="{CRIT}" stroke-width="3"' if critical else 'stroke="#9aa0a6" stroke-width="1"'
    arrow = "arrowc" if critical else "arrow"
    return (
        f'<path d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} '
        f'{x2:.0f},{y2:.0f}" fill="none" {style} marker-end="url(#{arrow})"/>'
    )


def render_svg(dg: DependencyGraph, path: CriticalPath, title: str, stack: str = "") -> str:
    lay = _Layout(dg)
    counted = sum(1 for urn in lay.nodes if dg.resources[urn].counted)
    prefix = common_prefix(dg, stack) if stack else ""
    omitted = f"; names shown without their common prefix {prefix!r}" if prefix else ""
    on_path = [s.urn for s in path.steps]
    crit_nodes = set(on_path)
    crit_edges = set(zip(on_path, on_path[1:], strict=False))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" '
        f'height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
        'font-family="Helvetica, Arial, sans-serif">',
        "<style>.n{font-size:12px;font-weight:bold}.t{font-size:10px;fill:#5f6368}"
        ".c{font-size:12px;fill:#3c4043}</style>",
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#9aa0a6"/></marker>'
        '<marker id="arrowc" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" '
        f'markerHeight="5" orient="auto"><path d="M0,0L10,5L0,10z" fill="{CRIT}"/></marker>'
        "</defs>",
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        f'<text x="{MARGIN}" y="24" font-size="18" font-weight="bold">{escape(title)}</text>'
        f'<text x="{MARGIN}" y="44" class="c">critical path (red): '
        f"{fmt_duration(path.total)} of a cold pulumi up; serial sum "
        f"{fmt_duration(path.serial_sum)}; {counted} resources in "
        f"{len(lay.clusters)} components{escape(omitted)}</text>",
    ]
    for box, level in sorted(lay.clusters, key=lambda c: c[1]):
        r = dg.resources[box.urn]
        shade = "#fafafa" if level % 2 == 0 else "#f3f6f9"
        out.append(
            f'<g class="cluster" data-urn={quoteattr(r.urn)}><title>{escape(r.urn)}</title>'
            f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="8" '
            f'fill="{shade}" stroke="#bdc1c6" stroke-dasharray="4 3"/>'
            f'<text x="{box.x + 8}" y="{box.y + 15}" class="c">'
            f"{escape(_label(r.name, prefix))} \u2014 {escape(r.short_type)}</text></g>"
        )
    for u, v, kind in dg.graph.edges(data="kind"):
        if kind == "parent" or u not in lay.nodes or v not in lay.nodes or (u, v) in crit_edges:
            continue
        out.append(_edge(lay.nodes[u], lay.nodes[v], False))
    for ident, (urn, box) in enumerate(sorted(lay.nodes.items())):
        out.append(_node(dg.resources[urn], box, dg, urn in crit_nodes, ident, prefix))
    # Critical edges last so they are drawn above everything they cross.
    out.extend(_edge(lay.nodes[u], lay.nodes[v], True) for u, v in sorted(crit_edges))
    out.append("</svg>")
    return "\n".join(out)
