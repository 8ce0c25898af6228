"""KMS rules (checkov CKV_AWS_7, CKV_AWS_33, CKV2_AWS_64)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Resource, get, json_doc, resource_rule
from policies.rules.iam import principal_is_wildcard, statements

KEY = "aws:kms/key:Key"
SYMMETRIC = "SYMMETRIC_DEFAULT"


def rotatable(props: Any) -> bool:
    """Whether AWS can rotate the key automatically: only symmetric encryption keys whose material
    AWS KMS generates. "You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS
    keys, KMS keys with imported key material, or KMS keys in a custom key store" (KMS API
    reference, EnableKeyRotation: https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html).
    Imported material is another resource type (aws:kms/externalKey:ExternalKey). checkov's
    CKV_AWS_7 also asks HMAC keys to rotate; AWS refuses that, so this rule does not."""
    spec = get(props, "customerMasterKeySpec") or get(props, "keySpec") or SYMMETRIC
    in_custom_store = get(props, "customKeyStoreId") or get(props, "xksKeyId")
    return spec == SYMMETRIC and not in_custom_store


@resource_rule(
    "kms-key-rotation",
    [KEY],
    description="Symmetric KMS keys rotate their key material yearly (asymmetric keys, such as "
    "DNSSEC signing keys, cannot be rotated by AWS and are not asked to).",
    source="checkov CKV_AWS_7",
    severity="high",
    level="mandatory",
    fix="Set enableKeyRotation=true.",
)
def key_rotation(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if rotatable(res.props) and get(res.props, "enableKeyRotation") is not True:
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
