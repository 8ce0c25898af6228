"""The config of the stack being deployed, as the Pulumi engine hands it to the program.

`pulumi up` passes the stack's config through the runtime (env var or the runtime map) and knows
nothing of the sibling colour; the sibling's stack file is read from the stacks folder so blue's
range can be checked against green's before anything is created, and an environment stack reads
both colours' files for the teams whose image repositories it owns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components.config import ConfigError, StackConfig, load
from components.config.stackfile import StackFileError, colour_configs, sibling_config


def current_config() -> dict[str, Any]:
    """All of the stack's config, however the engine handed it over (env var or runtime map)."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def from_engine(stacks_dir: Path | None = None) -> StackConfig:
    """The validated config of the current stack; raises `ConfigError` listing every problem."""
    stack = pulumi.get_stack()
    try:
        sibling = sibling_config(stack, stacks_dir)
        colours = colour_configs(stack, stacks_dir)
    except StackFileError as exc:
        # Other stacks' files are read for checks across stacks only (a colour's VPC range
        # against the other's; the teams' repositories of the environment): a broken one is named.
        raise ConfigError(stack, [f"{exc} (read for the checks across stacks)"]) from None
    return load(stack, current_config(), sibling, colours)
