"""Which stack a resource belongs to: every name and tag of the program is derived from this."""

from __future__ import annotations

from dataclasses import dataclass

from components import naming


@dataclass(frozen=True)
class Identity:
    """Which stack a resource belongs to: every name and tag is derived from this."""

    environment: str
    color: str | None

    def name(self, *role: str) -> str:
        return naming.resource_name(self.environment, self.color, *role)

    def tags(self, name: str, component: str, **extra: str) -> dict[str, str]:
        return {**naming.tags(self.environment, self.color, name, component), **extra}
