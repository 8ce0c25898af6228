"""A customer-managed KMS key with rotation, an alias and a policy naming who may use it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.shared.iam import policy_json
from components.shared.identity import Identity


@dataclass
class EncryptionKeyArgs:
    identity: Identity
    role: str
    """What the key protects (`secrets`, `flow-logs`): part of its name and alias."""
    component: str
    """The `Component` tag of the owner."""
    log_group_name: str | None = None
    """When set, CloudWatch Logs may use the key for exactly this log group, and nothing else."""
    region: str | None = None
    """Region of the key and of that log group; None: the stack's region."""


class EncryptionKey(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: EncryptionKeyArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:kms:EncryptionKey", name, None, opts)
        physical = args.identity.name(args.role, "key")
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        caller = aws.get_caller_identity_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke).partition
        region = args.region or aws.get_region_output(opts=invoke).region
        statements: list[dict] = [
            {
                # The account root as administrator: without it the key can become unmanageable.
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {
                    "AWS": pulumi.Output.concat(
                        "arn:", partition, ":iam::", caller.account_id, ":root"
                    )
                },
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        if args.log_group_name:
            # CloudWatch Logs may use the key only for our log group (encryption-context
            # condition): https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
            group_arn = pulumi.Output.concat(
                "arn:",
                partition,
                ":logs:",
                region,
                ":",
                caller.account_id,
                ":log-group:",
                args.log_group_name,
            )
            statements.append(
                {
                    "Sid": "CloudWatchLogsEncrypt",
                    "Effect": "Allow",
                    "Principal": {
                        "Service": pulumi.Output.concat("logs.", region, ".amazonaws.com")
                    },
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": group_arn}},
                }
            )
        self.key = aws.kms.Key(
            physical,
            region=args.region,
            description=f"{physical}: {args.role} of {args.identity.name()}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy_json(statements),
            tags=args.identity.tags(physical, args.component),
            opts=child,
        )
        aws.kms.Alias(
            physical, region=args.region, name=f"alias/{physical}", target_key_id=self.key.key_id,
            opts=child,
        )  # fmt: skip
        self.arn = self.key.arn
        self.register_outputs({"arn": self.arn})
