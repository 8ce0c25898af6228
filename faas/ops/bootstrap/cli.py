"""`faas bootstrap`: create (or check) the Pulumi state backend; the logic is in the package."""

from __future__ import annotations

import argparse
import json
import os
import sys

from components.naming import state_bucket_name, state_key_alias
from faas import exitcodes
from faas.ops.bootstrap import NONCURRENT_DAYS

DESCRIPTION = """\
Create (or check) the versioned, KMS-encrypted, TLS-only S3 state bucket and the rotating KMS key
that `pulumi login s3://...` and `awskms://` secrets use. Safe to rerun: only what differs is
changed."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    p.add_argument("--bucket", help="default: faas-platform-state-<account>-<region>")
    p.add_argument("--key-alias", default=state_key_alias(), help="default: %(default)s")
    p.add_argument("--noncurrent-days", type=int, default=NONCURRENT_DAYS)
    p.add_argument(
        "--dry-run", action="store_true", help="report what would change; change nothing"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    if not args.region:
        print("faas bootstrap: --region is required (or set AWS_REGION)", file=sys.stderr)
        return exitcodes.REFUSED
    if not args.key_alias.startswith("alias/"):
        print("faas bootstrap: --key-alias must start with alias/", file=sys.stderr)
        return exitcodes.REFUSED

    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    from faas.ops import bootstrap

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
        print(f"faas bootstrap: {exc}", file=sys.stderr)
        return exitcodes.REFUSED
    login = bootstrap.login_commands(bucket, args.key_alias, args.region)
    if args.json:
        print(json.dumps({"bucket": bucket, "items": bootstrap.items_json(items), "login": login}))
    else:
        for i in items:
            print(f"{i.status:<13} {i.resource}" + (f"  ({i.detail})" if i.detail else ""))
        print("\nthen:\n  " + "\n  ".join(login))
    return exitcodes.OK


def main(argv: list[str] | None = None) -> int:
    """`faas bootstrap ARGV...`, for tests and `scripts/bootstrap.py`."""
    from faas.cli import main as faas_main

    return faas_main(["bootstrap", *(sys.argv[1:] if argv is None else argv)])
