"""Read a plan document (`pulumi preview --json` shape, see docs/plan-format.md) into typed records.

Every other report module works on `Resource` records instead of raw steps, so the knowledge of the
document's layout (newState vs oldState, provider references, the unknown sentinel) lives here only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies.document import GONE_OPS, is_counted_resource

# `pulumi preview --json` writes this string where a value is not known until apply.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class Resource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    inputs: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provider: str | None = None
    op: str = "create"

    @property
    def counted(self) -> bool:
        """A resource in every count the reports print (policies/document.py)."""
        return is_counted_resource(self.type, self.custom)

    @property
    def is_component(self) -> bool:
        return not self.custom and not self.type.startswith("pulumi:")

    @property
    def short_type(self) -> str:
        """`aws:eks/cluster:Cluster` -> `eks/Cluster` (components keep `module:Type`)."""
        pkg, _, rest = self.type.partition(":")
        module, _, kind = rest.rpartition(":")
        if pkg in ("aws", "kubernetes") and module:
            return f"{module.split('/')[0]}/{kind}"
        return rest or self.type

    def all_dependencies(self) -> set[str]:
        """Every URN this resource waits for: dependencies, propertyDependencies, provider."""
        deps = set(self.dependencies)
        for urns in self.property_dependencies.values():
            deps.update(urns)
        if self.provider:
            deps.add(self.provider)
        deps.discard(self.urn)
        return deps


def urn_name(urn: str) -> str:
    """The logical name is everything after the last `::` of the URN."""
    return urn.rsplit("::", 1)[-1]


def provider_urn(reference: str) -> str | None:
    """A provider reference is `<provider urn>::<provider id>`; the URN is what we link to."""
    if not reference or not reference.startswith("urn:"):
        return None
    urn, sep, _ = reference.rpartition("::")
    return urn if sep else None


def _state(step: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if step.get("op") in GONE_OPS:
        return None
    return step.get("newState") or None


def resources(doc: Mapping[str, Any]) -> list[Resource]:
    """The resources that exist after the plan is applied, in document order."""
    out: list[Resource] = []
    for step in doc.get("steps", []):
        state = _state(step)
        if state is None:
            continue
        urn = state.get("urn") or step["urn"]
        prop_deps = {
            key: tuple(value or ())
            for key, value in (state.get("propertyDependencies") or {}).items()
        }
        out.append(
            Resource(
                urn=urn,
                type=state.get("type") or urn.split("::")[-2].rsplit("$", 1)[-1],
                name=urn_name(urn),
                custom=bool(state.get("custom", True)),
                parent=state.get("parent") or None,
                inputs=state.get("inputs") or {},
                dependencies=tuple(state.get("dependencies") or ()),
                property_dependencies=prop_deps,
                provider=provider_urn(state.get("provider") or step.get("provider") or ""),
                op=step.get("op", "create"),
            )
        )
    return out


def config(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return doc.get("config") or {}


def region(doc: Mapping[str, Any]) -> str:
    return str(config(doc).get("aws:region", "unknown"))


def environment(doc: Mapping[str, Any]) -> str:
    value = config(doc).get("faas:environment")
    if value:
        return str(value)
    # Fall back to the stack name so a real preview without our config still groups sensibly.
    return str(doc.get("stack", "unknown")).split("-")[0]


def color(doc: Mapping[str, Any]) -> str | None:
    value = config(doc).get("faas:color")
    return str(value) if value else None


def stack(doc: Mapping[str, Any]) -> str:
    return str(doc.get("stack", "unknown"))


def load(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def by_urn(items: Iterable[Resource]) -> dict[str, Resource]:
    return {r.urn: r for r in items}
