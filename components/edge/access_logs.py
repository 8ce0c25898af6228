"""The S3 bucket that receives both NLBs' access logs, locked down.

NLB access logs are delivered by the `delivery.logs.amazonaws.com` service principal (not by the
per-region ELB account that ALBs use), and only for TLS listeners:
https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.config import EdgeConfig
from components.constants import deny_insecure_transport
from components.shared.identity import Identity


@dataclass
class AccessLogBucketArgs:
    identity: Identity
    settings: EdgeConfig
    """`access_log_expiry_days`, and deletion protection (which keeps the logs on destroy)."""
    region: str
    """Where the balancers deliver from (the log-delivery condition names it)."""


class AccessLogBucket(pulumi.ComponentResource):
    bucket: pulumi.Output[str]
    policy: aws.s3.BucketPolicy
    """Load balancers depend on it: ELB checks it can write when access logs are switched on."""

    def __init__(
        self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:edge:AccessLogBucket", name, None, opts)
        stack, cfg = args.identity, args.settings
        child = pulumi.ResourceOptions(parent=self)
        base = stack.name("lb-logs")
        caller = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        part = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))

        # Bucket names are global: the account id makes ours unique without a random suffix, so
        # the name stays a function of env/colour/account (names are identity: docs/design.md).
        bucket = aws.s3.Bucket(
            base,
            bucket=caller.account_id.apply(lambda a: f"{base}-{a}"),
            # Where the balancers may be deleted (non-prod), let `pulumi destroy` empty the bucket
            # too; where they are protected, keep the logs.
            force_destroy=not cfg.deletion_protection,
            tags=stack.tags(base, "edge"),
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            stack.name("lb-logs", "ownership"),
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},  # ACLs off
            opts=child,
        )
        aws.s3.BucketPublicAccessBlock(
            stack.name("lb-logs", "public-access"),
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        # SSE-S3: NLB log delivery supports it; SSE-KMS would need a customer key that grants the
        # delivery service, for no gain on logs that hold no secrets.
        aws.s3.BucketServerSideEncryptionConfiguration(
            stack.name("lb-logs", "encryption"),
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            stack.name("lb-logs", "lifecycle"),
            bucket=bucket.id,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": cfg.access_log_expiry_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child,
        )
        document = pulumi.Output.all(
            bucket.arn, caller.account_id, part.partition, args.region
        ).apply(lambda a: json.dumps(_policy(*a)))
        self.policy = aws.s3.BucketPolicy(
            stack.name("lb-logs", "policy"),
            bucket=bucket.id,
            policy=document,
            opts=child,
        )
        self.bucket = bucket.bucket
        self.register_outputs({"bucket": self.bucket})


def _policy(bucket_arn: str, account: str, partition: str, region: str) -> dict:
    """TLS-only deny for everyone, plus write access for NLB log delivery from this account."""
    source = {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account}:*"},
    }
    return {
        "Version": "2012-10-17",
        "Statement": [
            deny_insecure_transport(bucket_arn),
            {
                "Sid": "NlbLogDeliveryAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": source,
            },
            {
                "Sid": "NlbLogDeliveryWrite",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/*/AWSLogs/{account}/*",
                "Condition": {
                    **source,
                    "StringEquals": {
                        "aws:SourceAccount": account,
                        "s3:x-amz-acl": "bucket-owner-full-control",
                    },
                },
            },
        ],
    }
