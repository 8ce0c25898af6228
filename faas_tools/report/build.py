"""One stack's report: everything computed once from the plan document, then written out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from . import cost, graph, html, plan_doc, svg
from .diff import Diff
from .plan_doc import Resource
from .policy_view import PolicyInput, PolicyView, view


@dataclass
class Report:
    doc: Mapping[str, Any]
    stack: str
    resources: list[Resource]
    cost: cost.StackCost
    graph: graph.DependencyGraph
    critical_path: graph.CriticalPath
    policy: PolicyView
    diff: Diff | None = None

    @cached_property
    def svg_text(self) -> str:
        title = f"{self.stack} \u2014 plan"
        return svg.render_svg(self.graph, self.critical_path, title, self.stack)

    @cached_property
    def html_text(self) -> str:
        return html.render_html(self)


def build_report(
    doc: Mapping[str, Any], policy_result: PolicyInput = None, diff: Diff | None = None
) -> Report:
    """`policy_result` is the policy checker's output (see policy_view.py) or None: "not run"."""
    dg = graph.build_graph(doc)
    return Report(
        doc=doc,
        stack=plan_doc.stack(doc),
        resources=plan_doc.resources(doc),
        cost=cost.stack_cost(doc),
        graph=dg,
        critical_path=graph.critical_path(dg),
        policy=view(policy_result),
        diff=diff,
    )


def write_outputs(report: Report, out_dir: str | Path, stack: str | None = None) -> dict[str, Path]:
    """Write `<stack>.json` (the plan document, unchanged), `<stack>.svg` and `<stack>.html`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = stack or report.stack
    paths = {ext: out / f"{name}.{ext}" for ext in ("json", "svg", "html")}
    paths["json"].write_text(json.dumps(report.doc, indent=2, sort_keys=False) + "\n", "utf-8")
    paths["svg"].write_text(report.svg_text, "utf-8")
    paths["html"].write_text(report.html_text, "utf-8")
    return paths
