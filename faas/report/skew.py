"""Release skew of an environment: which release each colour runs and where their versions differ.

Read from an environment plan document's outputs (`colour_releases`, `release_skew`, exported by
components/platform.py from the colour stacks' `release` and `release_versions`), so the same
lines show in `faas plan`, in the Markdown review and wherever a plan document goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def releases(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Colour -> {release, kubernetes, knative, addons, charts}; empty for a cluster stack."""
    return dict((doc.get("outputs") or {}).get("colour_releases") or {})


def skew_lines(doc: Mapping[str, Any]) -> list[str]:
    """`blue 2026-11 (Kubernetes 1.34), green 2026-12 (Kubernetes 1.35)` and one line per
    differing piece; empty when the document is not an environment plan."""
    by_color = releases(doc)
    if not by_color:
        return []
    head = ", ".join(
        f"{c} {r.get('release')} (Kubernetes {r.get('kubernetes')})"
        for c, r in sorted(by_color.items())
    )
    diffs = (doc.get("outputs") or {}).get("release_skew") or []
    if not diffs:
        return [f"releases: {head}; no skew"]
    lines = [f"releases: {head}; skew in {len(diffs)} piece(s):"]
    for d in diffs:
        values = ", ".join(f"{c} {d.get(c)}" for c in sorted(by_color))
        lines.append(f"  {d['piece']}: {values}")
    return lines
