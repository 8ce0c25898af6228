"""Bootstrap of the state backend against a real moto server process (issue 6)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from components.naming import state_bucket_name, state_key_alias
from faas_tools import bootstrap
from tests.support.moto_server import MotoServer, moto_fixtures

moto_process, moto = moto_fixtures()

REGION = "eu-west-1"
BUCKET = "faas-platform-state-test"
ALIAS = state_key_alias()
REPO = Path(__file__).resolve().parents[1]


def clients() -> tuple[Any, Any]:
    s = boto3.session.Session(region_name=REGION)
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


def test_second_run_changes_nothing(moto: MotoServer) -> None:
    run()
    calls: list[str] = []
    s3, kms = clients()
    for c in (s3, kms):
        c.meta.events.register("before-call", lambda model, **_: calls.append(model.name))
    second = bootstrap.run(s3, kms, REGION, BUCKET, ALIAS, days=30, dry_run=False)
    assert {i.status for i in second} == {"unchanged"}
    writes = [c for c in calls if c.startswith(("Put", "Create", "Enable"))]
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
