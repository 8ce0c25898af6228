"""What a real `pulumi preview` would not know yet, marked as such in the offline document.

The offline planner runs the program under mocks that invent ids, ARNs, DNS names and the like,
so that the program's `apply`s run and every resource is registered. A real preview of a create
knows none of those: it writes the sentinel `04da6b54-80e4-46f7-96ec-b56ff0331ba9` for each
(docs/plan-format.md). So the document shows, as unknown:

* a resource's outputs the mocks invented (every output key not copied from its inputs), and its
  id (empty, as a preview shows a resource not created yet);
* any input or stack output string that carries an invented string, whole or embedded (a policy
  JSON built from an ARN is unknown as a whole in a preview: an `apply` over an unknown is
  unknown);
* an input equal to the id of a resource it depends on, where that id repeats one of the
  resource's own inputs (a bucket's id is its name; `bucket.id` is unknown in a preview even
  though the name is known). Only through the dependency: the same name elsewhere stays known.

What stays known: inputs from config and constants, names the program chose, and what the
environment stack reads from its colours' stacks (deployed stacks' outputs are known). Invented
numbers and booleans that flow into other inputs (rare: a launch template's version) cannot be
traced by value and stay as the mocks made them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi's wire sentinel for an unknown value
# Shorter invented strings ("1", "ACTIVE", a zone letter) would match by accident inside known text;
# every id and ARN the mocks make is longer.
MIN_TRACKED = 8
# Outputs that only mirror inputs under another name in a preview too.
MIRRORED = frozenset({"tagsAll"})


def invented_keys(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    """Output keys whose values the mocks made up rather than copied from the inputs."""
    return sorted(
        k for k, v in outputs.items() if k not in MIRRORED and (k not in inputs or inputs[k] != v)
    )


def strings(*values: Any) -> set[str]:
    """The string leaves of `values` long enough to trace."""
    found: set[str] = set()
    stack = list(values)
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if len(v) >= MIN_TRACKED and v != UNKNOWN:
                found.add(v)
        elif isinstance(v, Mapping):
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
    return found


class Marker:
    """Replaces every string carrying an invented value with the sentinel."""

    def __init__(self, invented: Iterable[str]) -> None:
        values = sorted(set(invented), key=len, reverse=True)
        self.exact = set(values)
        self.pattern = re.compile("|".join(map(re.escape, values))) if values else None
        self._seen: dict[str, bool] = {}

    def _carries(self, text: str) -> bool:
        if text in self.exact:
            return True
        if self.pattern is None or len(text) < MIN_TRACKED:
            return False
        hit = self._seen.get(text)
        if hit is None:
            hit = self._seen[text] = self.pattern.search(text) is not None
        return hit

    def mark(self, value: Any) -> Any:
        if isinstance(value, str):
            return UNKNOWN if self._carries(value) else value
        if isinstance(value, Mapping):
            return {k: self.mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mark(v) for v in value]
        return value

    def inputs(
        self,
        inputs: Mapping[str, Any],
        dependencies: Mapping[str, Iterable[str]],
        named_ids: Mapping[str, str],
    ) -> dict[str, Any]:
        out = {}
        for key, value in inputs.items():
            ids = {named_ids[u] for u in dependencies.get(key, ()) if u in named_ids}
            out[key] = self.mark(_replace(value, ids) if ids else value)
        return out

    def outputs(self, outputs: Mapping[str, Any], computed: Iterable[str]) -> dict[str, Any]:
        unknown = set(computed)
        return {k: UNKNOWN if k in unknown else self.mark(v) for k, v in outputs.items()}


def _replace(value: Any, ids: set[str]) -> Any:
    """`value` with every string equal to one of `ids` unknown."""
    if isinstance(value, str):
        return UNKNOWN if value in ids else value
    if isinstance(value, Mapping):
        return {k: _replace(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, ids) for v in value]
    return value
