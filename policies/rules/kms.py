"""KMS rules (checkov CKV_AWS_7, CKV_AWS_33, CKV2_AWS_64)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Resource, get, json_doc, resource_rule
from policies.rules.iam import principal_is_wildcard, statements

KEY = "aws:kms/key:Key"
SYMMETRIC = "SYMMETRIC_DEFAULT"


@resource_rule(
    "kms-key-rotation",
    [KEY],
    description="Symmetric KMS keys rotate their key material yearly.",
    source="checkov CKV_AWS_7",
    severity="high",
    level="mandatory",
    fix="Set enableKeyRotation=true.",
)
def key_rotation(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    spec = get(res.props, "customerMasterKeySpec") or get(res.props, "keySpec") or SYMMETRIC
    # AWS supports automatic rotation only for symmetric keys (checkov: asymmetric is UNKNOWN).
    if spec == SYMMETRIC and get(res.props, "enableKeyRotation") is not True:
        yield "key rotation is not enabled"


@resource_rule(
    "kms-no-wildcard-principal",
    [KEY],
    description="Key policies grant nothing to Principal '*' without a Condition.",
    source="checkov CKV_AWS_33",
    severity="critical",
    level="mandatory",
    fix="Name the account root, roles or services in the key policy, or add a Condition.",
)
def no_wildcard_principal(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    for stmt in statements(json_doc(get(res.props, "policy"))):
        if (
            stmt.get("Effect") == "Allow"
            and principal_is_wildcard(stmt.get("Principal"))
            and not stmt.get("Condition")
        ):
            yield "key policy allows Principal '*' without a Condition"


@resource_rule(
    "kms-key-policy-defined",
    [KEY],
    description="Every key has an explicit key policy rather than the account default.",
    source="checkov CKV2_AWS_64",
    severity="low",
    level="advisory",
    fix="Pass policy=<JSON key policy> naming the admins and the services that use the key.",
)
def key_policy_defined(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if json_doc(get(res.props, "policy")) is None:
        yield "no key policy (AWS default grants the whole account)"


RULES = [key_rotation, no_wildcard_principal, key_policy_defined]
