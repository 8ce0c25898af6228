"""Primitives for reading raw config into typed values while collecting every problem at once.

A `Reader` walks one nested mapping. Each getter returns a usable value (the default when the field
is bad) and records the problem with its full key path, so one run reports *all* problems
(docs/design.md, "validate first") and the caller raises once at the end.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from components.config import aws

# Values and keys echoed in messages are cut to this many characters: a pasted certificate or a
# runaway line must not bury the other problems.
MAX_SHOWN = 60
MAX_PROBLEM = 400


def shown(value: Any, plain: bool = False, limit: int = MAX_SHOWN) -> str:
    """`value` as a message echoes it (repr, or str when `plain`), at most `limit` characters."""
    text = str(value) if plain else repr(value)
    if len(text) > limit:
        text = f"{text[: limit - 1]}… ({len(text)} characters)"
    return text


def missing(value: Any) -> bool:
    """None, an empty or a blank string: all mean "not set" (a YAML key with nothing after it, a
    value Pulumi passed as "")."""
    return value is None or (isinstance(value, str) and not value.strip())


class ConfigError(Exception):
    """Every problem found in one stack's config, each as `key.path: value problem`."""

    def __init__(self, stack: str, problems: list[str], why: str = ""):
        self.stack = stack
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        why = f" ({why})" if why else ""
        super().__init__(f"stack {stack!r}{why} has {len(problems)} config problem(s):\n{lines}")


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        text = f"{path}: {message}"
        if len(text) > MAX_PROBLEM:
            text = text[: MAX_PROBLEM - 1] + "…"
        self.items.append(text)

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
        if isinstance(raw, str) and raw.strip() in ("", "null"):
            raw = {}  # a section whose children are all commented out, as Pulumi passes it
        if not isinstance(raw, Mapping):
            problems.add(path, f"{shown(raw)} is not a mapping")
            raw = {}
        self.raw: Mapping[str, Any] = raw
        allowed = set(allowed)
        for key in raw:
            if not isinstance(key, str):
                problems.add(path, f"key {shown(key)} is not a string (quote it)")
            elif key not in allowed:
                hint = ", ".join(sorted(allowed))
                problems.add(
                    self.sub(key),
                    f"unknown key{aws.suggest(key, allowed)} (known keys: {hint})",
                )

    def sub(self, key: Any) -> str:
        return f"{self.path}{self.sep}{shown(key, plain=True)}"

    def get(self, key: str, default: Any = _MISSING) -> Any:
        """The value at `key`; None, "" and blank strings count as not set (`default` applies,
        or "is required")."""
        value = self.raw.get(key)
        if not missing(value):
            return value
        if default is _MISSING:
            empty = " (it is empty)" if isinstance(value, str) else ""
            self.problems.add(self.sub(key), f"is required{empty}")
            return None
        return default

    def str(self, key: str, default: Any = _MISSING, choices: Iterable[str] | None = None) -> str:
        value = self.get(key, default)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problems.add(self.sub(key), f"{shown(value)} is not a string")
            return "" if default is _MISSING else default
        if choices is not None and value not in choices:
            choices = tuple(choices)
            self.problems.add(
                self.sub(key),
                f"{shown(value)} is not one of {', '.join(choices)}{aws.suggest(value, choices)}",
            )
        return value

    def int(
        self, key: str, default: Any = _MISSING, lo: int | None = None, hi: int | None = None
    ) -> int:
        value = self.get(key, default)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(self.sub(key), f"{shown(value)} is not a whole number")
            return 0 if default is _MISSING else default
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.problems.add(self.sub(key), f"{value} is outside {lo}..{hi}")
        return value

    def bool(self, key: str, default: Any = _MISSING) -> bool:
        value = self.get(key, default)
        if value is None:
            return False  # required and missing: already reported
        if not isinstance(value, bool):
            self.problems.add(self.sub(key), f"{shown(value)} is not true or false")
            return bool(default) if default is not _MISSING else False
        return value

    def list(self, key: str, default: Any = _MISSING) -> list[Any]:
        value = self.get(key, default)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(self.sub(key), f"{shown(value)} is not a list")
            return []
        return value

    def str_list(self, key: str, default: Any = _MISSING) -> tuple[str, ...]:
        out = []
        for i, item in enumerate(self.list(key, default)):
            if isinstance(item, str):
                out.append(item)
            else:
                self.problems.add(f"{self.sub(key)}[{i}]", f"{shown(item)} is not a string")
        return tuple(out)

    def network(self, key: str, default: Any = _MISSING) -> ipaddress.IPv4Network | None:
        value = self.str(key, default)
        return parse_cidr(value, self.sub(key), self.problems) if value else None

    def retention_days(self, key: str, default: Any = _MISSING) -> int:
        """Days a CloudWatch Logs group keeps events: one of the values the API accepts."""
        before = len(self.problems.items)
        value = self.int(key, default)
        if len(self.problems.items) == before and (problem := aws.retention_problem(value)):
            self.problems.add(self.sub(key), problem)
        return value


def parse_cidr(value: str, path: str, problems: Problems) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        problems.add(
            path,
            f"{shown(value, plain=True)} is not a CIDR (expected a.b.c.d/n with no host bits set)",
        )
        return None
