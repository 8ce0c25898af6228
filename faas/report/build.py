"""One stack's report model: everything computed once from the plan document.

The renderers (`faas.report.render`: text summary, SVG, HTML, files) read this model; it never
imports them, so the model stands alone and has no import loop with its views.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import cost, graph, plan_doc
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
