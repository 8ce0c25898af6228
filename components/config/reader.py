"""Primitives for reading raw config into typed values while collecting every problem at once.

A `Reader` walks one nested mapping. Each getter returns a usable value (the default when the field
is bad) and records the problem with its full key path, so one run reports *all* problems
(docs/design.md, "validate first") and the caller raises once at the end.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any


class ConfigError(Exception):
    """Every problem found in one stack's config, each as `key.path: value problem`."""

    def __init__(self, stack: str, problems: list[str]):
        self.stack = stack
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"stack {stack!r} has {len(problems)} config problem(s):\n{lines}")


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)


_MISSING = object()


class Reader:
    """Typed access to one mapping at `path`; unknown keys are problems, never silently ignored."""

    def __init__(
        self, raw: Any, path: str, problems: Problems, allowed: Iterable[str], sep: str = "."
    ):
        # `sep` is ":" for the top level, whose keys are written `faas:key` like in stack files.
        self.path = path
        self.sep = sep
        self.problems = problems
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            problems.add(path, f"{raw!r} is not a mapping")
            raw = {}
        self.raw: Mapping[str, Any] = raw
        allowed = set(allowed)
        for key in raw:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                problems.add(self.sub(key), f"unknown key (known keys: {hint})")

    def sub(self, key: str) -> str:
        return f"{self.path}{self.sep}{key}"

    def get(self, key: str, default: Any = _MISSING) -> Any:
        if key in self.raw and self.raw[key] is not None:
            return self.raw[key]
        if default is _MISSING:
            self.problems.add(self.sub(key), "is required")
            return None
        return default

    def str(self, key: str, default: Any = _MISSING, choices: Iterable[str] | None = None) -> str:
        value = self.get(key, default)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problems.add(self.sub(key), f"{value!r} is not a string")
            return "" if default is _MISSING else default
        if choices is not None and value not in choices:
            self.problems.add(self.sub(key), f"{value!r} is not one of {', '.join(choices)}")
        return value

    def int(
        self, key: str, default: Any = _MISSING, lo: int | None = None, hi: int | None = None
    ) -> int:
        value = self.get(key, default)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(self.sub(key), f"{value!r} is not a whole number")
            return 0 if default is _MISSING else default
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.problems.add(self.sub(key), f"{value} is outside {lo}..{hi}")
        return value

    def bool(self, key: str, default: Any = _MISSING) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            self.problems.add(self.sub(key), f"{value!r} is not true or false")
            return bool(default) if default is not _MISSING else False
        return value

    def list(self, key: str, default: Any = _MISSING) -> list[Any]:
        value = self.get(key, default)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(self.sub(key), f"{value!r} is not a list")
            return []
        return value

    def str_list(self, key: str, default: Any = _MISSING) -> tuple[str, ...]:
        out = []
        for i, item in enumerate(self.list(key, default)):
            if isinstance(item, str):
                out.append(item)
            else:
                self.problems.add(f"{self.sub(key)}[{i}]", f"{item!r} is not a string")
        return tuple(out)

    def network(self, key: str, default: Any = _MISSING) -> ipaddress.IPv4Network | None:
        value = self.str(key, default)
        return parse_cidr(value, self.sub(key), self.problems) if value else None


def parse_cidr(value: str, path: str, problems: Problems) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        problems.add(path, f"{value} is not a CIDR (expected a.b.c.d/n with no host bits set)")
        return None
