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

from components import naming
from components.config import ClusterStackConfig


@dataclass
class AccessLogBucketArgs:
    config: ClusterStackConfig
    """The cluster stack's validated config (`edge.access_log_expiry_days`, deletion protection)."""


class AccessLogBucket(pulumi.ComponentResource):
    bucket: pulumi.Output[str]
    policy: aws.s3.BucketPolicy
    """Load balancers depend on it: ELB checks it can write when access logs are switched on."""

    def __init__(
        self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:edge:AccessLogBucket", name, None, opts)
        cfg = args.config
        env, color = cfg.environment, cfg.color
        child = pulumi.ResourceOptions(parent=self)
        base = naming.resource_name(env, color, "lb-logs")
        ident = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        part = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))

        # Bucket names are global: the account id makes ours unique without a random suffix, so
        # the name stays a function of env/colour/account (DESIGN rule 2).
        bucket = aws.s3.Bucket(
            base,
            bucket=ident.account_id.apply(lambda a: f"{base}-{a}"),
            # Where the balancers may be deleted (non-prod), let `pulumi destroy` empty the bucket
            # too; where they are protected, keep the logs.
            force_destroy=not cfg.edge.deletion_protection,
            tags=naming.tags(env, color, base, "edge"),
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            naming.resource_name(env, color, "lb-logs", "ownership"),
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},  # ACLs off
            opts=child,
        )
        aws.s3.BucketPublicAccessBlock(
            naming.resource_name(env, color, "lb-logs", "public-access"),
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
            naming.resource_name(env, color, "lb-logs", "encryption"),
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            naming.resource_name(env, color, "lb-logs", "lifecycle"),
            bucket=bucket.id,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": cfg.edge.access_log_expiry_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child,
        )
        document = pulumi.Output.all(
            bucket.arn, ident.account_id, part.partition, cfg.region
        ).apply(lambda a: json.dumps(_policy(*a)))
        self.policy = aws.s3.BucketPolicy(
            naming.resource_name(env, color, "lb-logs", "policy"),
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
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
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
