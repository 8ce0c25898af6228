"""S3 rules (checkov CKV2_AWS_6, CKV_AWS_53..56, CKV_AWS_19/145; Security Hub S3.5)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from policies.framework import (
    Hit,
    Resource,
    deferred_hit,
    get,
    items,
    json_doc,
    links,
    of_type,
    stack_rule,
)
from policies.rules.iam import as_list, statements

BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"

BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


def _per_bucket(
    resources: Sequence[Resource], helper_type: str, good: Callable[[Resource], bool], what: str
) -> Iterator[Hit]:
    """Each bucket needs a compliant helper resource of `helper_type` pointing at it."""
    covered: set[str] = set()
    undecided: set[str] = set()
    for helper in of_type(resources, helper_type):
        try:
            buckets = {b.urn for b in links(helper, "bucket", resources, BUCKET)}
        except UnknownValueError as error:
            # Cannot tell which bucket it covers: no bucket may be flagged as uncovered yet.
            undecided |= {b.urn for b in of_type(resources, BUCKET)}
            yield deferred_hit(error, helper.urn)
            continue
        try:
            ok = good(helper)
        except UnknownValueError as error:
            # Its buckets are neither covered nor uncovered yet: defer, do not flag them.
            undecided |= buckets
            yield deferred_hit(error, helper.urn)
            continue
        if ok:
            covered |= buckets
        else:
            yield Hit(f"{helper.name} is not {what}", helper.urn)
    kind = helper_type.rsplit(":", 1)[-1]
    for bucket in of_type(resources, BUCKET):
        if bucket.urn not in covered | undecided:
            yield Hit(f"bucket {bucket.name} has no {what} {kind}", bucket.urn)


@stack_rule(
    "s3-public-access-block",
    description="Every bucket has a public access block with all four flags on.",
    source="checkov CKV2_AWS_6, CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56",
    severity="critical",
    level="mandatory",
    fix="Add BucketPublicAccessBlock(bucket=b.id) with the four block/ignore/restrict flags true.",
)
def public_access_block(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    def good(pab: Resource) -> bool:
        return all(get(pab.props, flag) is True for flag in BLOCK_FLAGS)

    yield from _per_bucket(resources, PUBLIC_ACCESS_BLOCK, good, "fully blocking")


@stack_rule(
    "s3-encryption",
    description="Every bucket encrypts objects at rest by default.",
    source="checkov CKV_AWS_19, CKV_AWS_145",
    severity="high",
    level="mandatory",
    fix="Add BucketServerSideEncryptionConfiguration(bucket=b.id) with AES256 or aws:kms.",
)
def encryption(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    def good(sse: Resource) -> bool:
        algorithms = [
            get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
            for rule in items(sse.props, "rules")
        ]
        return bool(algorithms) and all(a in SSE_ALGORITHMS for a in algorithms)

    yield from _per_bucket(resources, ENCRYPTION, good, "encrypting")


def denies_insecure_transport(policy: Resource) -> bool:
    for stmt in statements(json_doc(get(policy.props, "policy"))):
        condition = stmt.get("Condition") or {}
        secure = (condition.get("Bool") or {}).get("aws:SecureTransport")
        if stmt.get("Effect") == "Deny" and "false" in [str(v).lower() for v in as_list(secure)]:
            return True
    return False


@stack_rule(
    "s3-tls-only",
    description="Every bucket policy denies requests that do not use TLS.",
    source="AWS Security Hub S3.5 (aws:SecureTransport); platform invariant",
    severity="high",
    level="mandatory",
    fix="Add BucketPolicy with a Deny on s3:* when Bool aws:SecureTransport is 'false'.",
)
def tls_only(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    yield from _per_bucket(resources, BUCKET_POLICY, denies_insecure_transport, "TLS-enforcing")


RULES = [public_access_block, encryption, tls_only]
