"""The environment stack's own keys: which colour serves first, its weights, where colours live."""

from __future__ import annotations

import re
from dataclasses import dataclass

from components import naming
from components.config.reader import Problems, Reader, shown
from components.config.registry import RegistryConfig
from components.constants import DNSSEC_MODES

KEYS = {"activeColor", "initialWeights", "stackRefPrefix", "queryLogRetentionDays", "dnssec"}
# `<organization>/<project>`: Pulumi's names are letters, digits, `-`, `_` and `.`
# (https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences: `<org>/<project>/<stack>`).
_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class EnvironmentStackConfig:
    stack: str
    environment: str
    region: str
    base_domain: str
    parent_zone_id: str
    active_color: str
    """The colour that takes traffic when the weighted records are first created."""
    initial_weights: dict[str, int]
    """Weight per colour when the records are first created; then the cutover owns them."""
    stack_ref_prefix: str
    """`<org>/<project>` that prefixes the colour stacks in StackReferences."""
    query_log_retention_days: int = 30
    """Days to keep the environment zone's DNS query logs (prod: a year)."""
    dnssec: str = "chain"
    """DNSSEC of the environment zone: `chain` (signed, DS in the parent), `sign`, `off`."""
    registry: RegistryConfig = RegistryConfig()
    """Teams and functions that get image repositories, read from both colours' stack files."""

    def color_stack(self, color: str) -> str:
        return f"{self.stack_ref_prefix}/{naming.stack_name(self.environment, color)}"


def _days(top: Reader, key: str, default: int) -> int:
    """CloudWatch Logs retention days at the top level (one of the values the API accepts). The
    engine hands top-level config values to the program as strings ("365"), a stack file read as
    YAML gives 365: both are accepted."""
    value = top.get(key, default)
    if isinstance(value, str) and value.strip().isdigit():
        return Reader({key: int(value)}, top.path, top.problems, {key}, top.sep).retention_days(
            key, default
        )
    return top.retention_days(key, default)


def read_environment(top: Reader, problems: Problems, common: dict) -> EnvironmentStackConfig:
    """`common`: stack, environment, region, base_domain, parent_zone_id (read by `load`)."""
    active = top.str("activeColor")
    if active and active not in naming.COLORS:
        problems.add(
            "faas:activeColor", f"{shown(active)} is not one of {', '.join(naming.COLORS)}"
        )
    default = {c: (100 if c == active else 0) for c in naming.COLORS}
    w = Reader(top.get("initialWeights", default), "faas:initialWeights", problems, naming.COLORS)
    weights = {c: w.int(c, default[c], lo=0, hi=255) for c in naming.COLORS}
    if all(v == 0 for v in weights.values()):
        problems.add(
            "faas:initialWeights",
            "all weights are 0: Route 53 would then split traffic "
            "equally between the colours; give the active colour a weight above 0",
        )
    elif active in naming.COLORS and weights[active] == 0:
        problems.add("faas:initialWeights", f"the active colour {active!r} has weight 0")
    prefix = top.str("stackRefPrefix", f"organization/{naming.PROJECT}")
    if not _PREFIX_RE.match(prefix):
        problems.add(
            "faas:stackRefPrefix",
            f"{shown(prefix)} is not <organization>/<project> (letters, digits, -, _ and .)",
        )
    return EnvironmentStackConfig(
        **common,
        active_color=active,
        initial_weights=weights,
        stack_ref_prefix=prefix,
        query_log_retention_days=_days(top, "queryLogRetentionDays", 30),
        dnssec=top.str("dnssec", "chain", choices=DNSSEC_MODES),
    )
