"""Bootstrap of the state backend against a real moto server process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from components.naming import state_bucket_name, state_key_alias
from faas.ops import aws_session, bootstrap
from tests.support.moto_server import MotoServer, moto_fixtures

moto_process, moto = moto_fixtures()

REGION = "eu-west-1"
BUCKET = "faas-platform-state-test"
ALIAS = state_key_alias()
REPO = Path(__file__).resolve().parents[1]


def clients() -> tuple[Any, Any]:
    s = aws_session.session(REGION)
    return s.client("s3", config=Config(retries={"max_attempts": 1})), s.client("kms")


def run(dry_run: bool = False) -> list[bootstrap.Item]:
    s3, kms = clients()
    return bootstrap.run(s3, kms, REGION, BUCKET, ALIAS, days=30, dry_run=dry_run)


def test_creates_everything_once_with_protections(moto: MotoServer) -> None:
    first = run()
    assert {i.status for i in first} == {"created"}
    s3, kms = clients()
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    [rule] = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    default = rule["ApplyServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms"
    alias = next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == ALIAS)
    key = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]
    assert default["KMSMasterKeyID"] == key["Arn"]
    assert rule["BucketKeyEnabled"] is True  # fewer KMS requests per state read
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    pab = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert pab == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    [stmt] = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert stmt["Effect"] == "Deny"
    assert stmt["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    [lc] = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert lc["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30 and lc["Status"] == "Enabled"
    assert lc["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert len(first) == 7  # key, bucket and its five protections, each reported once


def test_second_run_changes_nothing(moto: MotoServer) -> None:
    run()
    calls: list[str] = []
    s3, kms = clients()
    for c in (s3, kms):
        c.meta.events.register("before-call", lambda model, **_: calls.append(model.name))
    second = bootstrap.run(s3, kms, REGION, BUCKET, ALIAS, days=30, dry_run=False)
    assert {i.status for i in second} == {"unchanged"}
    writes = [c for c in calls if c.startswith(("Put", "Create", "Enable", "Delete", "Disable"))]
    assert writes == []
    assert len(boto3.client("kms", region_name=REGION).list_keys()["Keys"]) == 1


def test_drift_is_repaired(moto: MotoServer) -> None:
    run()
    s3, _ = clients()
    s3.delete_bucket_policy(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    items = {i.resource: i.status for i in run()}
    assert items[f"s3 tls-only policy {BUCKET}"] == "created"
    assert items[f"s3 versioning {BUCKET}"] == "updated"
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"


def key_id() -> str:
    _, kms = clients()
    return next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == ALIAS)["TargetKeyId"]


def test_every_protection_drift_is_detected_and_repaired(moto: MotoServer) -> None:
    run()
    s3, kms = clients()
    kms.disable_key_rotation(KeyId=key_id())
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": True,
        },
    )
    items = {i.resource: i.status for i in run()}
    assert items[f"kms key rotation {ALIAS}"] == "updated"
    assert items[f"s3 encryption {BUCKET}"] == "updated"
    assert items[f"s3 public access block {BUCKET}"] == "updated"
    assert items[f"s3 versioning {BUCKET}"] == "unchanged"
    assert kms.get_key_rotation_status(KeyId=key_id())["KeyRotationEnabled"] is True
    [rule] = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    pab = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(pab.values()) and len(pab) == 4
    assert {i.status for i in run()} == {"unchanged"}  # repaired for good


def test_lifecycle_rules_of_others_are_kept(moto: MotoServer) -> None:
    s3, _ = clients()
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    theirs = {
        "ID": "expire-tmp",
        "Filter": {"Prefix": "tmp/"},
        "Status": "Enabled",
        "Expiration": {"Days": 1},
    }
    s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [theirs]})
    items = {i.resource: i.status for i in run()}
    assert items[f"s3 bucket {BUCKET}"] == "unchanged"  # an existing bucket is adopted
    assert items[f"s3 noncurrent-version expiry {BUCKET}"] == "updated"
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]}
    assert set(rules) == {"expire-tmp", bootstrap.LIFECYCLE_RULE_ID}
    assert rules["expire-tmp"]["Expiration"] == {"Days": 1}


def test_disabled_key_is_an_error_not_a_silent_success(moto: MotoServer) -> None:
    run()
    _, kms = clients()
    kms.disable_key(KeyId=key_id())
    with pytest.raises(bootstrap.BootstrapError, match="Disabled"):
        run()


def test_dry_run_on_drift_reports_and_writes_nothing(moto: MotoServer) -> None:
    run()
    s3, _ = clients()
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    items = {i.resource: i.status for i in run(dry_run=True)}
    assert items[f"s3 versioning {BUCKET}"] == "would update"
    assert {s for r, s in items.items() if r != f"s3 versioning {BUCKET}"} == {"unchanged"}
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Suspended"


def test_dry_run_creates_nothing(moto: MotoServer) -> None:
    items = run(dry_run=True)
    assert items and all(i.status.startswith("would") for i in items)
    s3, kms = clients()
    assert s3.list_buckets()["Buckets"] == []
    assert [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == ALIAS] == []


def test_cli_end_to_end(moto: MotoServer) -> None:
    env = moto.env()
    cmd = [sys.executable, "scripts/bootstrap.py", "--region", REGION, "--json"]
    first = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert out["bucket"] == state_bucket_name("123456789012", REGION)  # moto's account id
    assert {i["status"] for i in out["items"]} == {"created"}
    assert f"s3://{out['bucket']}?region={REGION}" in out["login"][0]
    second = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert {i["status"] for i in json.loads(second.stdout)["items"]} == {"unchanged"}


def test_cli_in_process_prints_items_and_login(moto: MotoServer, capsys) -> None:
    from faas.ops.bootstrap.cli import main

    assert main(["--region", REGION, "--bucket", BUCKET]) == 0
    out = capsys.readouterr().out
    assert f"created       s3 bucket {BUCKET}" in out
    assert f"pulumi login 's3://{BUCKET}?region={REGION}&awssdk=v2'" in out
    assert f"awskms://{ALIAS}?region={REGION}" in out
    _, kms = clients()
    kms.disable_key(KeyId=key_id())
    assert main(["--region", REGION, "--bucket", BUCKET]) == 2  # an AWS-side problem: no traceback
    assert "bootstrap: KMS key" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--region", REGION, "--key-alias", "state"], "must start with alias/"), ([], "--region")],
)
def test_cli_usage_errors(argv: list[str], message: str, monkeypatch, capsys) -> None:
    from faas.ops.bootstrap.cli import main

    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert main(argv) == 2 and message in capsys.readouterr().err
