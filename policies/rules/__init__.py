"""Every rule of the pack, grouped by area; `ALL_RULES` is the one list both runners use."""

from __future__ import annotations

from policies.framework import Rule
from policies.rules import (
    capacity,
    compute,
    dns,
    eks,
    iam,
    kms,
    kubernetes,
    loadbalancing,
    logs,
    network,
    registry,
    s3,
    stack,
    tags,
)

ALL_RULES: tuple[Rule, ...] = tuple(
    rule
    for module in (
        eks,
        compute,
        capacity,
        loadbalancing,
        dns,
        iam,
        kms,
        network,
        registry,
        logs,
        s3,
        tags,
        kubernetes,
        stack,
    )
    for rule in module.RULES
)
RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in ALL_RULES}
