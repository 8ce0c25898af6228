"""IAM rules (checkov CKV_AWS_60/62/63/274/275, CKV2_AWS_40/56, CKV_AWS_358 pattern for IRSA)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Resource, get, json_doc, resource_rule

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
FORBIDDEN_MANAGED = ("AdministratorAccess", "IAMFullAccess")


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(doc: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not doc:
        return []
    return [s for s in as_list(doc.get("Statement")) if isinstance(s, Mapping)]


def principal_is_wildcard(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any("*" in as_list(v) for v in principal.values())
    return False


@resource_rule(
    "iam-no-wildcard-action",
    [POLICY, ROLE_POLICY],
    description="IAM policies never allow every action ('*'), every IAM action, or NotAction.",
    source="checkov CKV_AWS_62, CKV_AWS_63, CKV2_AWS_40",
    severity="critical",
    level="mandatory",
    fix="List the exact actions the workload needs (e.g. route53:ChangeResourceRecordSets).",
)
def no_wildcard_action(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    raw = get(res.props, "policy")
    doc = json_doc(raw)
    if raw is not None and doc is None:
        yield "policy is not a JSON document"
    for stmt in statements(doc):
        if stmt.get("Effect") != "Allow":
            continue
        for action in as_list(stmt.get("Action")):
            if action in ("*", "*:*", "iam:*"):
                yield f"an Allow statement grants action {action!r}"
        if "NotAction" in stmt:
            yield "an Allow statement uses NotAction (allows everything else)"


@resource_rule(
    "iam-no-wildcard-principal",
    [ROLE],
    description="Role trust policies never let any principal ('*') assume the role.",
    source="checkov CKV_AWS_60, CKV_AWS_61",
    severity="critical",
    level="mandatory",
    fix="Trust a specific service, account or OIDC provider in assumeRolePolicy.",
)
def no_wildcard_principal(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    raw = get(res.props, "assumeRolePolicy")
    doc = json_doc(raw)
    if doc is None:
        yield "assumeRolePolicy is missing or not JSON"
    for stmt in statements(doc):
        if stmt.get("Effect") == "Allow" and principal_is_wildcard(stmt.get("Principal")):
            yield "trust policy allows Principal '*'"


@resource_rule(
    "iam-irsa-trust-pinned",
    [ROLE],
    description=(
        "Web-identity roles (IRSA, CI pipelines) trust exact subjects: StringEquals on "
        "<issuer>:sub and :aud, the audience sts.amazonaws.com for EKS issuers."
    ),
    source="checkov CKV_AWS_358 pattern (OIDC trust needs sub/aud conditions); CIS EKS 5.2.1",
    severity="high",
    level="mandatory",
    fix=(
        "Add Condition.StringEquals {'<issuer>:sub': 'system:serviceaccount:<ns>:<sa>', "
        "'<issuer>:aud': 'sts.amazonaws.com'} to the web-identity statement (a CI issuer: its "
        "exact subjects and its documented audience)."
    ),
)
def irsa_trust_pinned(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    for stmt in statements(json_doc(get(res.props, "assumeRolePolicy"))):
        if stmt.get("Effect") != "Allow" or WEB_IDENTITY not in as_list(stmt.get("Action")):
            continue
        equals = (stmt.get("Condition") or {}).get("StringEquals") or {}
        sub = [v for k, v in equals.items() if k.endswith(":sub")]
        aud = {k: v for k, v in equals.items() if k.endswith(":aud")}
        if not sub:
            yield "web-identity trust without StringEquals on <issuer>:sub"
        elif any("*" in str(v) for v in sub):
            yield "web-identity trust pins :sub with a wildcard"
        if not aud or any("*" in str(v) for v in aud.values()):
            yield "web-identity trust without StringEquals on <issuer>:aud"
        # EKS's IRSA tokens carry the audience STS expects; any other is a misconfiguration.
        for key, value in aud.items():
            if key.startswith("oidc.eks.") and value != "sts.amazonaws.com":
                yield "web-identity trust without StringEquals <issuer>:aud = sts.amazonaws.com"


@resource_rule(
    "iam-no-admin-managed-policy",
    [ATTACHMENT],
    description="No role gets AdministratorAccess or IAMFullAccess attached.",
    source="checkov CKV_AWS_274, CKV_AWS_275, CKV2_AWS_56",
    severity="critical",
    level="mandatory",
    fix="Attach a scoped customer-managed policy instead of the AWS admin policies.",
)
def no_admin_policy(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    arn = str(get(res.props, "policyArn", default=""))
    if arn.rsplit("/", 1)[-1] in FORBIDDEN_MANAGED:
        yield f"attaches {arn}"


RULES = [no_wildcard_action, no_wildcard_principal, irsa_trust_pinned, no_admin_policy]
