"""`faas bootstrap`: create (or check) the Pulumi state backend; the logic is in the package."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

from components.naming import state_bucket_name, state_key_alias
from faas import exitcodes, inputs
from faas.ops.bootstrap import NONCURRENT_DAYS

# S3 general purpose bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
# bucketnamingrules.html): 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no
# "..", not shaped like an IP address, none of the reserved prefixes and suffixes.
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BUCKET_RESERVED = (
    ("xn--", "sthree-", "amzn-s3-demo-"),
    ("-s3alias", "--ol-s3", ".mrap", "--x-s3"),
)
# KMS alias names (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html):
# alias/ then letters, digits, / _ -; at most 256 characters; alias/aws/ is AWS's.
_ALIAS_RE = re.compile(r"^alias/[A-Za-z0-9/_-]{1,250}$")
# S3 lifecycle NoncurrentDays: a positive integer (an Integer in the API's model).
MAX_DAYS = 2**31 - 1


def bucket_problem(name: str) -> str | None:
    if (
        not _BUCKET_RE.match(name)
        or ".." in name
        or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name)
        or name.startswith(_BUCKET_RESERVED[0])
        or name.endswith(_BUCKET_RESERVED[1])
    ):
        return f"--bucket {name!r:.70}: not an S3 bucket name (3-63 of a-z, 0-9, ., -)"
    return None


def check_arguments(args: argparse.Namespace) -> list[str]:
    """Every argument problem, before any AWS call."""
    problems = []
    if not args.region:
        problems.append("--region is required (or set AWS_REGION)")
    elif p := inputs.region(args.region):
        problems.append(p)
    if args.bucket is not None and (p := bucket_problem(args.bucket)):
        problems.append(p)
    if not _ALIAS_RE.match(args.key_alias) or args.key_alias.startswith("alias/aws/"):
        problems.append(
            f"--key-alias {args.key_alias!r:.70}: must start with alias/, then letters, digits, "
            "/, _ or - (alias/aws/ is reserved for AWS)"
        )
    if not 1 <= args.noncurrent_days <= MAX_DAYS:
        problems.append(
            f"--noncurrent-days {args.noncurrent_days}: must be a positive number of days"
        )
    return problems


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
    problems = check_arguments(args)
    if problems:
        return inputs.refuse("bootstrap", problems)

    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    from faas.ops import aws_session, bootstrap

    session = aws_session.session(args.region)
    # botocore's standard retry mode backs off on throttling; bootstrap makes a dozen calls.
    cfg = Config(retries={"mode": "standard", "max_attempts": 8})
    b = bootstrap.Bootstrap(
        session.client("s3", config=cfg),
        session.client("kms", config=cfg),
        args.region,
        dry_run=args.dry_run,
    )
    try:
        bucket = args.bucket or state_bucket_name(
            session.client("sts", config=cfg).get_caller_identity()["Account"], args.region
        )
        b.bucket(bucket, b.key(args.key_alias), args.noncurrent_days)
    except (bootstrap.BootstrapError, ClientError, BotoCoreError) as exc:
        done = [f"{i.status} {i.resource}" for i in b.items if i.status in ("created", "updated")]
        note = (
            f"; already done: {', '.join(done)}; rerun once fixed (only what differs changes)"
            if done
            else "; nothing changed"
        )
        print(f"faas bootstrap: {exc}{note}", file=sys.stderr)
        return exitcodes.REFUSED
    items = b.items
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
