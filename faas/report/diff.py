"""Compare two plan documents of one stack: what a pull request adds, removes and changes.

Resources are matched by URN (names are identity: docs/design.md). A changed resource lists the
input paths that differ, written as `pulumi preview --diff` does: `vpcConfig.publicAccessCidrs[0]`.
Renames show up as remove + add unless the program declared an alias, which a plan cannot see.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import plan_doc
from .plan_doc import UNKNOWN, Resource

_MISSING = object()


@dataclass(frozen=True)
class Change:
    path: str
    old: Any  # _MISSING when the key was added
    new: Any  # _MISSING when the key was removed


@dataclass(frozen=True)
class ChangedResource:
    urn: str
    type: str
    name: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Diff:
    added: tuple[Resource, ...]
    removed: tuple[Resource, ...]
    changed: tuple[ChangedResource, ...]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _join(prefix: str, key: str) -> str:
    # Keys that are not plain identifiers (labels like `app.kubernetes.io/name`) are quoted.
    plain = key.replace("_", "a").isalnum()
    if plain:
        return f"{prefix}.{key}" if prefix else key
    return f'{prefix}["{key}"]'


def value_changes(old: Any, new: Any, path: str = "") -> list[Change]:
    """Leaf-level differences between two input values, recursing through maps and lists."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[Change] = []
        for key in sorted(set(old) | set(new), key=str):
            out += value_changes(old.get(key, _MISSING), new.get(key, _MISSING), _join(path, key))
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            a = old[i] if i < len(old) else _MISSING
            b = new[i] if i < len(new) else _MISSING
            out += value_changes(a, b, f"{path}[{i}]")
        return out
    if old is _MISSING and new is _MISSING:
        return []
    return [] if old == new else [Change(path, old, new)]


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    before = plan_doc.by_urn(plan_doc.resources(old))
    after = plan_doc.by_urn(plan_doc.resources(new))
    added = tuple(after[u] for u in after if u not in before)
    removed = tuple(before[u] for u in before if u not in after)
    changed: list[ChangedResource] = []
    unchanged = 0
    for urn, r in after.items():
        if urn not in before:
            continue
        changes = value_changes(dict(before[urn].inputs), dict(r.inputs))
        if changes:
            changed.append(ChangedResource(urn, r.type, r.name, tuple(changes)))
        else:
            unchanged += 1
    return Diff(added, removed, tuple(changed), unchanged)


def show(value: Any) -> str:
    if value is _MISSING:
        return "(absent)"
    if value == UNKNOWN:
        return "(known after apply)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def format_diff(diff: Diff, stack: str = "") -> str:
    """Text like a preview's diff: `+` added, `-` removed, `~` changed with each changed path."""
    head = f"Plan diff for {stack}:" if stack else "Plan diff:"
    lines = [head]
    for r in sorted(diff.added, key=lambda r: r.urn):
        lines.append(f"  + {r.type}  {r.name}")
    for r in sorted(diff.removed, key=lambda r: r.urn):
        lines.append(f"  - {r.type}  {r.name}")
    for c in sorted(diff.changed, key=lambda c: c.urn):
        paths = ", ".join(ch.path for ch in c.changes)
        lines.append(f"  ~ {c.type}  {c.name}  [diff: {paths}]")
        for ch in c.changes:
            lines.append(f"      ~ {ch.path}: {show(ch.old)} => {show(ch.new)}")
    if diff.empty:
        lines.append("  no changes")
    lines.append(
        f"Resources: {len(diff.added)} to add, {len(diff.removed)} to remove, "
        f"{len(diff.changed)} to change, {diff.unchanged} unchanged"
    )
    return "\n".join(lines)
