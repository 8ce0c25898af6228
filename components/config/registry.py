"""The environment stack's view of the teams: who needs image repositories, from both colours.

Blue and green pull the same images, so the environment stack owns the registry (docs/delivery.md).
Teams are configured once, in the colours' `faas:serving.teams[]`; this reads both colour stack
files (`components/config/stackfile.py`), merges their teams and reports their problems as the
environment's, so a repository exists for every function either colour may run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components import naming
from components.config.delivery import CiConfig
from components.config.reader import Problems
from components.config.serving import read_serving

# Traffic blocks rarely route to more than a handful of old revisions (stable, rollback, canary
# tags); the lifecycle keeps this many images beyond the latest revision and Knative's own
# non-active ones.
ROUTED_REVISIONS = 10
DEFAULT_MAX_NON_ACTIVE = 20  # Knative's default max-non-active-revisions (config-gc)


def images_to_keep(max_non_active: int) -> int:
    """Images a function repository keeps: the latest revision's, the `max_non_active` older
    ones Knative keeps (it deletes the rest unless routed), and ROUTED_REVISIONS more."""
    return 1 + max_non_active + ROUTED_REVISIONS


@dataclass(frozen=True)
class TeamRegistry:
    team: str
    functions: tuple[str, ...]
    """Union of the function names both colours list for the team, sorted."""
    ci: CiConfig | None
    """The pipeline identity that may push; both colours must agree on it."""


@dataclass(frozen=True)
class RegistryConfig:
    teams: tuple[TeamRegistry, ...] = ()
    keep_images: int = images_to_keep(DEFAULT_MAX_NON_ACTIVE)
    """Newest images each function repository keeps, from the colours' highest
    `revisionGc.maxNonActive` (`images_to_keep`)."""


def _decode(value: Any) -> Any:
    """Stack files are YAML; the engine may hand structured config over as JSON strings."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def read_registry(
    environment: str,
    region: str,
    colours: Mapping[str, Mapping[str, Any] | None],
    problems: Problems,
) -> RegistryConfig:
    """`colours`: each colour's flat stack config (None: no stack file, the colour is skipped)."""
    merged: dict[str, dict[str, Any]] = {}
    max_non_active = 0
    for color in naming.COLORS:
        raw = colours.get(color)
        if raw is None:
            continue
        stack = naming.stack_name(environment, color)
        colour_region = raw.get("aws:region")
        if region and colour_region and colour_region != region:
            problems.add(
                f"{stack} aws:region",
                f"{colour_region!r} differs from the environment's {region!r}: the registry and "
                "the colours that pull from it live in one region",
            )
        found = Problems()
        serving = read_serving(
            _decode(raw.get("faas:serving")) or {}, f"{stack} faas:serving", found
        )
        problems.items.extend(found.items)
        max_non_active = max(max_non_active, serving.revision_max_non_active)
        for team in serving.teams:
            entry = merged.setdefault(team.name, {"functions": set(), "ci": {}})
            entry["functions"].update(team.functions)
            entry["ci"][stack] = team.ci
    teams = []
    for name in sorted(merged):
        cis = merged[name]["ci"]
        if len(set(cis.values())) > 1:
            problems.add(
                f"faas:serving.teams[{name}].ci",
                f"differs between {' and '.join(sorted(cis))}: the environment stack owns the "
                "team's pipeline role, so both colours must name the same issuer and subjects",
            )
        teams.append(
            TeamRegistry(
                team=name,
                functions=tuple(sorted(merged[name]["functions"])),
                ci=next(iter(cis.values())),
            )
        )
    _check_unique_names(environment, teams, problems)
    keep = images_to_keep(max_non_active or DEFAULT_MAX_NON_ACTIVE)
    return RegistryConfig(teams=tuple(teams), keep_images=keep)


def _check_unique_names(environment: str, teams: list[TeamRegistry], problems: Problems) -> None:
    """`payments` + `a-b` and `payments-a` + `b` would get the same logical name."""
    seen: dict[str, str] = {}
    for t in teams:
        for fn in t.functions:
            logical = naming.resource_name(environment, None, "repo", t.team, fn)
            other = seen.setdefault(logical, f"{t.team}/{fn}")
            if other != f"{t.team}/{fn}":
                problems.add(
                    "faas:serving.teams",
                    f"functions {other} and {t.team}/{fn} would share the name {logical}; "
                    "rename one",
                )
