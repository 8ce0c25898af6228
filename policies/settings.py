"""Per-environment policy config: the same JSON files serve CrossGuard and the offline checker.

`policies/config/<env>.json` uses Pulumi's `--policy-pack-config` format: rule name -> level string,
or -> {"enforcementLevel": level, <rule property>: value}. The shipped files list every rule, so
each file is also the written record of that environment's levels.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policies.framework import LEVELS, Rule

# FAAS_POLICY_DIR points the commands at another folder (tests, a copy of the repository), the
# same way FAAS_STACKS_DIR does for stack files.
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent / "config"
ALL_KEY = "all"  # Pulumi's key for "every policy"


def config_dir() -> Path:
    return Path(os.environ.get("FAAS_POLICY_DIR") or DEFAULT_CONFIG_DIR)


def config_path(env: str, where: Path | None = None) -> Path:
    return (where or config_dir()) / f"{env}.json"


def shipped_environments() -> list[str]:
    return sorted(p.stem for p in config_dir().glob("*.json"))


def missing_config_note(env: str | None) -> str | None:
    """What to tell a user whose environment has no config file (None when it has one): without
    it every rule runs at its default level, which is the strictest, so a new environment copied
    from dev would fail on rules dev keeps advisory."""
    if not env or config_path(env).exists():
        return None
    return (
        f"no policy config for environment {env!r} ({config_path(env)}): every rule runs at its "
        "default level (mostly mandatory); create it with `faas new-env` or copy "
        f"{config_path('dev')}"
    )


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
