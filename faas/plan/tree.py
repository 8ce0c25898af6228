"""Text views of a plan document: the component tree and the count of resources per type."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from policies.document import is_counted_resource, step_counts


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def tree(doc: dict[str, Any]) -> str:
    """Components with their children, indented; leaf resources as `type name`."""
    children: dict[str, list[dict]] = defaultdict(list)
    urns = {s["urn"] for s in doc["steps"]}
    for s in doc["steps"]:
        st = s["newState"]
        parent = st.get("parent") if st.get("parent") in urns else ""
        children[parent].append(st)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for st in children.get(parent, []):
            kids = children.get(st["urn"], [])
            label = f"{st['type']}  {_short(st['urn'])}"
            if kids:
                label += f"  ({_count_all(st['urn'], children)} resources)"
            lines.append("  " * depth + ("+ " if kids else "- ") + label)
            walk(st["urn"], depth + 1)

    walk("", 0)
    return "\n".join(lines)


def _count_all(urn: str, children: dict[str, list[dict]]) -> int:
    """Resources (policies/document.py: not components, not providers) under `urn`."""
    return sum(
        is_counted_resource(c["type"], c.get("custom", True)) + _count_all(c["urn"], children)
        for c in children.get(urn, [])
    )


def counts(doc: dict[str, Any]) -> Counter[str]:
    return Counter(s["newState"]["type"] for s in doc["steps"])


def count_table(doc: dict[str, Any]) -> str:
    c = counts(doc)
    width = max((len(t) for t in c), default=0)
    rows = [f"  {t:<{width}}  {n:>4}" for t, n in sorted(c.items())]
    aws = sum(n for t, n in c.items() if t.startswith("aws:"))
    counted = step_counts(doc)
    rows.append(f"  {'total':<{width}}  {sum(c.values()):>4}  steps")
    rows.append(f"  {'resources':<{width}}  {counted['resources']:>4}  ({aws} aws:)")
    return "\n".join(rows)
