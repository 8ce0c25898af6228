"""The dependency graph of a plan and the critical path of a cold `pulumi up`.

An edge u -> v means "v cannot start before u is done". Edges come from:

* `parent`: a child is registered only once its parent's URN resolves, which for a component
  happens after the component's own dependencies are done (so children inherit that wait);
* `dependencies` and `propertyDependencies`: the URNs of the Outputs a resource's inputs were built
  from, plus `depends_on`;
* the resource's provider: a Kubernetes object waits for the provider built from the cluster's
  kubeconfig, which is how Helm releases end up behind the EKS control plane.

Depending on a component means waiting for all of its custom descendants (pulumi/pulumi#7542 made
that the rule in every SDK), so such an edge is expanded to the component's descendants.

The critical path is the longest path through the DAG with each resource weighted by its typical
creation time (timings.py), i.e. the duration of a cold `pulumi up` with unbounded parallelism.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from . import plan_doc, timings
from .plan_doc import Resource


@dataclass(frozen=True)
class Step:
    urn: str
    type: str
    name: str
    seconds: float
    start: float
    finish: float
    source: str


@dataclass(frozen=True)
class CriticalPath:
    steps: tuple[Step, ...]
    total: float
    serial_sum: float
    # Types that got timings.DEFAULT: the estimate is shakier where these sit on the path.
    untimed_types: tuple[str, ...]

    @property
    def urns(self) -> set[str]:
        return {s.urn for s in self.steps}


@dataclass
class DependencyGraph:
    graph: nx.DiGraph
    resources: dict[str, Resource]
    timing: dict[str, timings.Timing]


def build_graph(doc: Mapping[str, Any]) -> DependencyGraph:
    items = plan_doc.resources(doc)
    resources = plan_doc.by_urn(items)
    g: nx.DiGraph = nx.DiGraph()
    for r in items:
        g.add_node(r.urn)
    kids: dict[str, list[str]] = {}
    for r in items:
        if r.parent in resources:
            g.add_edge(r.parent, r.urn, kind="parent")
            kids.setdefault(r.parent, []).append(r.urn)

    def custom_descendants(urn: str) -> set[str]:
        out: set[str] = set()
        stack = list(kids.get(urn, ()))
        while stack:
            u = stack.pop()
            if resources[u].custom:
                out.add(u)
            stack.extend(kids.get(u, ()))
        return out

    expansion: dict[str, set[str]] = {}
    for r in items:
        for dep in r.all_dependencies():
            if dep not in resources:
                continue  # e.g. a default provider a hand-written plan does not list
            if not g.has_edge(dep, r.urn):
                g.add_edge(dep, r.urn, kind="dependency")
            if resources[dep].is_component:
                if dep not in expansion:
                    expansion[dep] = custom_descendants(dep)
                inner = expansion[dep]
                if r.urn in inner:
                    continue  # a child waiting on its own parent: nothing to expand
                for d in inner:
                    if not g.has_edge(d, r.urn):
                        g.add_edge(d, r.urn, kind="via-component")
    if not nx.is_directed_acyclic_graph(g):
        cycle = " -> ".join(plan_doc.urn_name(u) for u, _ in nx.find_cycle(g))
        raise ValueError(f"dependency cycle in the plan: {cycle}")
    timing = {r.urn: timings.timing(r.type, r.custom, r.inputs) for r in items}
    return DependencyGraph(g, resources, timing)


def critical_path(dg: DependencyGraph) -> CriticalPath:
    """Longest path by creation time; ties broken by URN so the result is reproducible."""
    finish: dict[str, float] = {}
    start: dict[str, float] = {}
    via: dict[str, str | None] = {}
    for v in nx.lexicographical_topological_sort(dg.graph):
        preds = sorted(dg.graph.predecessors(v))
        best = max(preds, key=lambda u: finish[u], default=None)
        start[v] = finish[best] if best is not None else 0.0
        via[v] = best
        finish[v] = start[v] + dg.timing[v].seconds
    serial = sum(t.seconds for t in dg.timing.values())
    untimed = sorted({dg.resources[u].type for u, t in dg.timing.items() if t is timings.DEFAULT})
    if not finish:
        return CriticalPath((), 0.0, 0.0, ())
    end: str | None = max(sorted(finish), key=lambda u: finish[u])
    path: list[str] = []
    while end is not None:
        path.append(end)
        end = via[end]
    steps = tuple(
        Step(
            urn=u,
            type=dg.resources[u].type,
            name=dg.resources[u].name,
            seconds=dg.timing[u].seconds,
            start=start[u],
            finish=finish[u],
            source=dg.timing[u].source,
        )
        for u in reversed(path)
        if dg.timing[u].seconds > 0  # components and the stack add nothing to read
    )
    total = max(finish.values())
    return CriticalPath(steps, total, serial, tuple(untimed))


def format_path(path: CriticalPath, limit: int | None = None) -> str:
    """`Vpc 5s -> Subnet 10s -> Cluster 10m00s -> ...`, eliding the middle beyond `limit` steps."""
    parts = [f"{s.name} ({timings.fmt_duration(s.seconds)})" for s in path.steps]
    if limit is not None and len(parts) > limit:
        head = limit // 2
        parts = parts[:head] + [f"... {len(parts) - limit} more ..."] + parts[-(limit - head) :]
    return " -> ".join(parts)
