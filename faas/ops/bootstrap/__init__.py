"""State-backend bootstrap: what `pulumi login s3://...` and `--secrets-provider
awskms://...` need, created idempotently.

Each resource is read first and written only when it differs from the desired state, so a second
run reports every item `unchanged` and makes no write calls. Protections: KMS key with rotation and
an alias; S3 bucket with versioning (state history, undo of a bad `pulumi up`), default SSE-KMS with
that key and an S3 bucket key (fewer KMS requests), every public access block flag on, a policy that
denies any request not made over TLS, and a lifecycle rule that expires noncurrent state versions.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from components.constants import deny_insecure_transport
from components.naming import PROJECT

NONCURRENT_DAYS = 90
LIFECYCLE_RULE_ID = "expire-noncurrent-state"


class BootstrapError(Exception):
    pass


@dataclass(frozen=True)
class Item:
    resource: str
    status: str  # created | updated | unchanged | would create | would update
    detail: str = ""


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class Bootstrap:
    def __init__(self, s3: Any, kms: Any, region: str, *, dry_run: bool = False) -> None:
        self.s3, self.kms, self.region, self.dry_run = s3, kms, region, dry_run
        self.items: list[Item] = []

    def _record(
        self, resource: str, exists: bool, same: bool, apply: Any, detail: str = ""
    ) -> None:
        """Write via `apply()` unless already as desired; record what happened."""
        if exists and same:
            self.items.append(Item(resource, "unchanged", detail))
            return
        verb = "updated" if exists else "created"
        if self.dry_run:
            self.items.append(Item(resource, f"would {verb[:-1]}", detail))
            return
        apply()
        self.items.append(Item(resource, verb, detail))

    # -- KMS -------------------------------------------------------------------------------
    def key(self, alias: str) -> str:
        """The key ARN behind `alias`, created with rotation if missing."""
        key_id = None
        for page in self.kms.get_paginator("list_aliases").paginate():
            for a in page["Aliases"]:
                if a["AliasName"] == alias and a.get("TargetKeyId"):
                    key_id = a["TargetKeyId"]
        if key_id is None:
            if self.dry_run:
                self.items.append(Item(f"kms key {alias}", "would create", "rotation on"))
                return f"(new key for {alias})"
            meta = self.kms.create_key(
                Description=f"{PROJECT} Pulumi state and secrets",
                KeyUsage="ENCRYPT_DECRYPT",
                Tags=[{"TagKey": "Project", "TagValue": PROJECT}],
            )["KeyMetadata"]
            self.kms.enable_key_rotation(KeyId=meta["KeyId"])
            self.kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
            self.items.append(Item(f"kms key {alias}", "created", meta["Arn"]))
            return str(meta["Arn"])
        meta = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]
        if meta.get("KeyState") != "Enabled":
            raise BootstrapError(f"KMS key {meta['Arn']} behind {alias} is {meta.get('KeyState')}")
        self.items.append(Item(f"kms key {alias}", "unchanged", meta["Arn"]))
        rotating = self.kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
        self._record(
            f"kms key rotation {alias}",
            True,
            bool(rotating),
            lambda: self.kms.enable_key_rotation(KeyId=key_id),
        )
        return str(meta["Arn"])

    # -- S3 --------------------------------------------------------------------------------
    def bucket(self, name: str, key_arn: str, noncurrent_days: int) -> None:
        try:
            self.s3.head_bucket(Bucket=name)
            exists = True
        except ClientError as exc:
            if _code(exc) in ("403", "Forbidden"):
                raise BootstrapError(f"bucket {name} exists but is not ours (403)") from exc
            if _code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise
            exists = False

        def create() -> None:
            kw: dict[str, Any] = {"Bucket": name}
            if self.region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
                kw["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            self.s3.create_bucket(**kw)

        self._record(f"s3 bucket {name}", exists, True, create)
        if self.dry_run and not exists:
            for what in ("versioning", "encryption", "public access block", "policy", "lifecycle"):
                self.items.append(Item(f"s3 {what} {name}", "would create"))
            return
        self._versioning(name)
        self._encryption(name, key_arn)
        self._public_access(name)
        self._policy(name)
        self._lifecycle(name, noncurrent_days)

    def _versioning(self, name: str) -> None:
        status = self.s3.get_bucket_versioning(Bucket=name).get("Status")
        self._record(
            f"s3 versioning {name}",
            status is not None,
            status == "Enabled",
            lambda: self.s3.put_bucket_versioning(
                Bucket=name, VersioningConfiguration={"Status": "Enabled"}
            ),
        )

    def _encryption(self, name: str, key_arn: str) -> None:
        want = {
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": key_arn,
            },
            "BucketKeyEnabled": True,
        }
        try:
            rules = self.s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"][
                "Rules"
            ]
            exists = True
        except ClientError as exc:
            if _code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
                raise
            rules, exists = [], False
        same = len(rules) == 1 and {k: rules[0].get(k) for k in want} == want
        self._record(
            f"s3 encryption {name}",
            exists,
            same,
            lambda: self.s3.put_bucket_encryption(
                Bucket=name, ServerSideEncryptionConfiguration={"Rules": [want]}
            ),
            "SSE-KMS",
        )

    def _public_access(self, name: str) -> None:
        want = {
            k: True
            for k in (
                "BlockPublicAcls",
                "IgnorePublicAcls",
                "BlockPublicPolicy",
                "RestrictPublicBuckets",
            )
        }
        try:
            have = self.s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
            exists = True
        except ClientError as exc:
            if _code(exc) != "NoSuchPublicAccessBlockConfiguration":
                raise
            have, exists = {}, False
        self._record(
            f"s3 public access block {name}",
            exists,
            all(have.get(k) is True for k in want),
            lambda: self.s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=want
            ),
        )

    def _policy(self, name: str) -> None:
        want = tls_only_policy(name)
        try:
            have = json.loads(self.s3.get_bucket_policy(Bucket=name)["Policy"])
            exists = True
        except ClientError as exc:
            if _code(exc) != "NoSuchBucketPolicy":
                raise
            have, exists = None, False
        self._record(
            f"s3 tls-only policy {name}",
            exists,
            have == want,
            lambda: self.s3.put_bucket_policy(Bucket=name, Policy=json.dumps(want)),
        )

    def _lifecycle(self, name: str, days: int) -> None:
        want = lifecycle_rule(days)
        try:
            rules = self.s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
            exists = True
        except ClientError as exc:
            if _code(exc) != "NoSuchLifecycleConfiguration":
                raise
            rules, exists = [], False
        ours = [r for r in rules if r.get("ID") == LIFECYCLE_RULE_ID]
        same = len(ours) == 1 and {k: ours[0].get(k) for k in want} == want
        others = [r for r in rules if r.get("ID") != LIFECYCLE_RULE_ID]  # keep rules we don't own
        self._record(
            f"s3 noncurrent-version expiry {name}",
            exists,
            same,
            lambda: self.s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": [*others, want]}
            ),
            f"{days} days",
        )


def tls_only_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [deny_insecure_transport(f"arn:aws:s3:::{bucket}")],
    }


def lifecycle_rule(days: int) -> dict[str, Any]:
    return {
        "ID": LIFECYCLE_RULE_ID,
        "Filter": {"Prefix": ""},
        "Status": "Enabled",
        "NoncurrentVersionExpiration": {"NoncurrentDays": days},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }


def login_commands(bucket: str, alias: str, region: str) -> list[str]:
    return [
        f"pulumi login 's3://{bucket}?region={region}&awssdk=v2'",
        f"pulumi stack init <stack> --secrets-provider 'awskms://{alias}?region={region}'",
    ]


def run(
    s3: Any, kms: Any, region: str, bucket: str, alias: str, *, days: int, dry_run: bool
) -> list[Item]:
    b = Bootstrap(s3, kms, region, dry_run=dry_run)
    key_arn = b.key(alias)
    b.bucket(bucket, key_arn, days)
    return b.items


def items_json(items: list[Item]) -> list[dict[str, str]]:
    return [asdict(i) for i in items]
