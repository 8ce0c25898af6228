"""Image registry rules (checkov CKV_AWS_32/51/136/163; lifecycle as a platform invariant)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from policies.framework import (
    Hit,
    Resource,
    coverage,
    get,
    items,
    json_doc,
    of_type,
    resource_rule,
    stack_rule,
)
from policies.rules.iam import as_list, principal_is_wildcard, statements

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
# Condition keys that bind a `Principal: *` statement to our own account or organisation.
ACCOUNT_BOUND = ("aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:SourceAccount")


@resource_rule(
    "ecr-immutable-tags",
    [REPOSITORY],
    description="Image tags are immutable: a released tag always names the same digest.",
    source="checkov CKV_AWS_51",
    severity="high",
    level="mandatory",
    fix="Set imageTagMutability='IMMUTABLE'.",
)
def immutable_tags(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    mutability = get(res.props, "imageTagMutability", default="MUTABLE")
    if mutability != "IMMUTABLE":
        yield f"imageTagMutability is {mutability}"


@resource_rule(
    "ecr-scan-on-push",
    [REPOSITORY],
    description="Every pushed image is scanned for vulnerabilities.",
    source="checkov CKV_AWS_163; CIS EKS 5.1.1",
    severity="medium",
    level="mandatory",
    fix="Set imageScanningConfiguration={scanOnPush: true}.",
)
def scan_on_push(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "imageScanningConfiguration", "scanOnPush") is not True:
        yield "scan on push is off"


@resource_rule(
    "ecr-kms-encryption",
    [REPOSITORY],
    description="Images are encrypted with a customer-managed KMS key.",
    source="checkov CKV_AWS_136",
    severity="medium",
    level="mandatory",
    fix="Set encryptionConfigurations=[{encryptionType: 'KMS', kmsKey: key.arn}].",
)
def kms_encryption(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    configs = items(res.props, "encryptionConfigurations")
    if not configs or get(configs[0], "encryptionType") != "KMS":
        yield "images are not encrypted with KMS"
    elif not get(configs[0], "kmsKey"):
        yield "KMS encryption without a customer-managed key"


def _account_bound(stmt: Mapping[str, Any]) -> bool:
    condition = stmt.get("Condition") or {}
    return any(
        key in ACCOUNT_BOUND for block in condition.values() if isinstance(block, Mapping)
        for key in block
    )  # fmt: skip


@resource_rule(
    "ecr-policy-not-public",
    [REPOSITORY_POLICY],
    description="Repository policies allow Principal '*' only bound to our account or org.",
    source="checkov CKV_AWS_32",
    severity="critical",
    level="mandatory",
    fix="Name principals, or add Condition StringEquals aws:PrincipalAccount = <account>.",
)
def policy_not_public(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    raw = get(res.props, "policy")
    doc = json_doc(raw)
    if doc is None:
        yield "policy is missing or not JSON"
    for stmt in statements(doc):
        if stmt.get("Effect") != "Allow" or not principal_is_wildcard(stmt.get("Principal")):
            continue
        if not _account_bound(stmt):
            actions = ", ".join(str(a) for a in as_list(stmt.get("Action")))
            yield f"allows Principal '*' ({actions}) without binding it to the account"


@stack_rule(
    "ecr-lifecycle-policy",
    description="Every repository has a lifecycle policy, so storage stays bounded.",
    source="platform invariant (docs/delivery.md: keep what traffic may roll back to)",
    severity="low",
    level="mandatory",
    fix="Add aws:ecr/lifecyclePolicy:LifecyclePolicy(repository=repo.name, policy=...).",
)
def lifecycle_policy(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    yield from coverage(
        of_type(resources, REPOSITORY),
        of_type(resources, LIFECYCLE_POLICY),
        "repository",
        resources,
        REPOSITORY,
        lambda repo: f"repository {repo.name} has no lifecycle policy",
    )


RULES = [immutable_tags, scan_on_push, kms_encryption, policy_not_public, lifecycle_policy]
