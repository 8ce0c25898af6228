#!/usr/bin/env python3
"""Create the Pulumi state backend (S3 bucket + KMS key), idempotently. See `--help`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# Runnable as `python scripts/bootstrap.py` from the repo root without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402

from components.naming import state_bucket_name, state_key_alias  # noqa: E402
from faas_tools import bootstrap  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="bootstrap.py",
        description="Create (or check) the versioned, KMS-encrypted, TLS-only S3 state bucket and "
        "the rotating KMS key that `pulumi login s3://...` and `awskms://` secrets use. Safe to "
        "rerun: only what differs is changed. Exit 0 on success, 2 on error.",
    )
    p.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    p.add_argument("--bucket", help="default: faas-platform-state-<account>-<region>")
    p.add_argument("--key-alias", default=state_key_alias(), help="default: %(default)s")
    p.add_argument("--noncurrent-days", type=int, default=bootstrap.NONCURRENT_DAYS)
    p.add_argument(
        "--dry-run", action="store_true", help="report what would change; change nothing"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args(argv)
    if not args.region:
        p.error("--region is required (or set AWS_REGION)")
    if not args.key_alias.startswith("alias/"):
        p.error("--key-alias must start with alias/")
    session = boto3.session.Session(region_name=args.region)
    # botocore's standard retry mode backs off on throttling; bootstrap makes a dozen calls.
    cfg = Config(retries={"mode": "standard", "max_attempts": 8})
    try:
        bucket = args.bucket or state_bucket_name(
            session.client("sts", config=cfg).get_caller_identity()["Account"], args.region
        )
        items = bootstrap.run(
            session.client("s3", config=cfg),
            session.client("kms", config=cfg),
            args.region,
            bucket,
            args.key_alias,
            days=args.noncurrent_days,
            dry_run=args.dry_run,
        )
    except (bootstrap.BootstrapError, ClientError, BotoCoreError) as exc:
        print(f"bootstrap: {exc}", file=sys.stderr)
        return 2
    login = bootstrap.login_commands(bucket, args.key_alias, args.region)
    if args.json:
        print(json.dumps({"bucket": bucket, "items": bootstrap.items_json(items), "login": login}))
    else:
        for i in items:
            print(f"{i.status:<13} {i.resource}" + (f"  ({i.detail})" if i.detail else ""))
        print("\nthen:\n  " + "\n  ".join(login))
    return 0


if __name__ == "__main__":
    sys.exit(main())
