"""CloudWatch log group rules (checkov CKV_AWS_66, CKV_AWS_338, CKV_AWS_158)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Resource, get, resource_rule

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


@resource_rule(
    "log-group-retention-set",
    [LOG_GROUP],
    description="Log groups expire their events instead of keeping (and billing) them forever.",
    source="checkov CKV_AWS_66",
    severity="medium",
    level="mandatory",
    fix="Set retentionInDays (from the environment's config).",
)
def retention_set(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if not get(res.props, "retentionInDays"):
        yield "retentionInDays is unset (never expire)"


@resource_rule(
    "log-group-retention-minimum",
    [LOG_GROUP],
    description="Log groups keep events at least `minDays` (one year for audit trails).",
    source="checkov CKV_AWS_338",
    severity="medium",
    level="mandatory",
    fix="Raise retentionInDays to at least the configured minDays.",
    config={"minDays": {"type": "integer", "minimum": 1, "default": 365}},
)
def retention_minimum(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    days = get(res.props, "retentionInDays")
    # Unset means "never expire", which satisfies a minimum (the rule above flags it).
    if days and int(days) < settings["minDays"]:
        yield f"retentionInDays {days} < {settings['minDays']}"


@resource_rule(
    "log-group-kms",
    [LOG_GROUP],
    description="Log groups are encrypted with the platform's KMS key.",
    source="checkov CKV_AWS_158",
    severity="medium",
    level="mandatory",
    fix="Set kmsKeyId to the platform key (its policy must allow logs.<region>.amazonaws.com).",
)
def log_kms(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if not get(res.props, "kmsKeyId"):
        yield "kmsKeyId is unset"


RULES = [retention_set, retention_minimum, log_kms]
