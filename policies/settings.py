"""Per-environment policy config: the same JSON files serve CrossGuard and the offline checker.

`policies/config/<env>.json` uses Pulumi's `--policy-pack-config` format: rule name -> level string,
or -> {"enforcementLevel": level, <rule property>: value}. The shipped files list every rule, so
each file is also the written record of that environment's levels.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policies.framework import LEVELS, Rule

CONFIG_DIR = Path(__file__).resolve().parent / "config"
ALL_KEY = "all"  # Pulumi's key for "every policy"


def config_path(env: str) -> Path:
    return CONFIG_DIR / f"{env}.json"


def shipped_environments() -> list[str]:
    return sorted(p.stem for p in CONFIG_DIR.glob("*.json"))


def load(env: str | None) -> dict[str, Any]:
    """The raw config of one environment; {} (rule defaults) for None or an unshipped env."""
    if not env:
        return {}
    path = config_path(env)
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def resolve(rule: Rule, config: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(enforcement level, settings) of one rule under a config, like the CLI does."""
    level: str = rule.level
    overrides: Mapping[str, Any] = {}
    for key in (ALL_KEY, rule.name):
        entry = config.get(key)
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping):
            level = str(entry.get("enforcementLevel", level))
            if key == rule.name:
                overrides = {k: v for k, v in entry.items() if k != "enforcementLevel"}
    if level not in LEVELS:
        raise ValueError(f"{rule.name}: unknown enforcement level {level!r}")
    return level, rule.settings(overrides)
