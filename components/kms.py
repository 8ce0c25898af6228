"""A customer-managed KMS key with rotation, an alias and a policy naming who may use it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.common import Identity, account_id, policy_json


@dataclass
class EncryptionKeyArgs:
    identity: Identity
    role: str
    """What the key protects (`secrets`, `flow-logs`): part of its name and alias."""
    component: str
    """The `Component` tag of the owner."""
    log_group_arn_pattern: str | None = None
    """When set, CloudWatch Logs may use the key for log groups matching this ARN pattern."""
    region: str = ""
    service_principals: list[str] = field(default_factory=list)
    """Other AWS services that encrypt with the key on the account's behalf."""


class EncryptionKey(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: EncryptionKeyArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:kms:EncryptionKey", name, None, opts)
        physical = args.identity.name(args.role, "key")
        acct = account_id()
        statements: list[dict] = [
            {
                # The account root as administrator: without it the key can become unmanageable.
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": acct.apply(lambda a: f"arn:aws:iam::{a}:root")},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        if args.log_group_arn_pattern:
            statements.append(
                {
                    "Sid": "CloudWatchLogsEncrypt",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{args.region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": acct.apply(
                                lambda a: args.log_group_arn_pattern.format(account=a)
                            )
                        }
                    },
                }
            )
        if args.service_principals:
            statements.append(
                {
                    "Sid": "ServicesEncrypt",
                    "Effect": "Allow",
                    "Principal": {"Service": args.service_principals},
                    "Action": [
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:GenerateDataKey*",
                        "kms:DescribeKey",
                    ],
                    "Resource": "*",
                }
            )
        self.key = aws.kms.Key(
            physical,
            description=f"{physical}: {args.role} of {args.identity.name()}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy_json(statements),
            tags=args.identity.tags(physical, args.component),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            physical,
            name=f"alias/{physical}",
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.key.arn
        self.register_outputs({"arn": self.arn})
