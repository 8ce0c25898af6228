"""A CloudWatch log group with a retention and its own KMS key (checkov CKV_AWS_158, CKV_AWS_338).

Every log group the platform writes (VPC flow logs, the EKS control plane, DNS query logs,
container logs) is one of these, so none can be created unencrypted or kept forever.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.shared.identity import Identity
from components.shared.kms import EncryptionKey, EncryptionKeyArgs


@dataclass
class EncryptedLogGroupArgs:
    identity: Identity
    role: str
    """What the logs are (`flow-logs`, `control-plane-logs`): names the key."""
    component: str
    """The `Component` tag of the owner."""
    log_name: str
    """The CloudWatch log group name; fixed by the writer for some (EKS, Route 53)."""
    retention_days: int
    region: str | None = None
    """Where the group lives; None: the stack's region (Route 53 query logs need us-east-1)."""


class EncryptedLogGroup(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: EncryptedLogGroupArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:logs:EncryptedLogGroup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key = EncryptionKey(
            naming.child_name(name, "key"),
            EncryptionKeyArgs(
                identity=args.identity, role=args.role, component=args.component,
                log_group_name=args.log_name, region=args.region,
            ),
            opts=child,
        )  # fmt: skip
        self.group = aws.cloudwatch.LogGroup(
            name,
            region=args.region,
            name=args.log_name,
            retention_in_days=args.retention_days,
            kms_key_id=key.arn,
            tags=args.identity.tags(args.log_name, args.component),
            opts=child,
        )
        self.arn = self.group.arn
        self.name = self.group.name
        self.register_outputs({"arn": self.arn, "name": self.name})
