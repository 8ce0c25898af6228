"""The queue that tells Karpenter a function node is about to go away.

EventBridge forwards four kinds of EC2 and AWS Health events to an SQS queue that Karpenter
polls (`settings.interruptionQueue`). On a spot interruption warning it starts a replacement
node at once and drains the doomed one in parallel, inside the two minutes' notice; on scheduled
maintenance and on instances stopping or terminating it taints, drains and terminates the node
ahead of the event; rebalance recommendations it records as Kubernetes events on the node only
(website/content/en/docs/concepts/disruption.md, "Interruption", at v1.14.1).

The event patterns are those of Karpenter's reference template for the pinned release
(aws/karpenter-provider-aws v1.14.1,
website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml); its
fifth rule, capacity-reservation interruptions, is left out because the NodePool never uses
capacity reservations.

The queue is encrypted (SQS-managed keys: EventBridge can write to it without a key policy), keeps
a message five minutes (a spot warning is worth nothing after its two minutes), accepts messages
only from these four rules and only over TLS, and moves a message Karpenter could not process five
times to a dead-letter queue, kept two weeks for inspection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.shared.iam import policy_json
from components.shared.identity import Identity

COMPONENT = "capacity"
# role -> (source, detail-type) of each rule.
EVENTS: dict[str, tuple[str, str]] = {
    "spot-interruption": ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
    "rebalance": ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
    "instance-state-change": ("aws.ec2", "EC2 Instance State-change Notification"),
    "scheduled-change": ("aws.health", "AWS Health Event"),
}
RETENTION_SECONDS = 300
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
MAX_RECEIVES = 5


def event_pattern(source: str, detail_type: str) -> str:
    return json.dumps({"source": [source], "detail-type": [detail_type]}, sort_keys=True)


@dataclass
class InterruptionQueueArgs:
    identity: Identity


class InterruptionQueue(pulumi.ComponentResource):
    queue: aws.sqs.Queue
    """The queue Karpenter reads; its name goes into the chart's `settings.interruptionQueue`."""

    def __init__(
        self, name: str, args: InterruptionQueueArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:capacity:InterruptionQueue", name, None, opts)
        ident = args.identity
        child = pulumi.ResourceOptions(parent=self)
        dlq_name = naming_child(ident, "dlq")
        dead = aws.sqs.Queue(
            dlq_name,
            name=dlq_name,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            tags=ident.tags(dlq_name, COMPONENT),
            opts=child,
        )
        queue_name = naming_child(ident)
        self.queue = aws.sqs.Queue(
            queue_name,
            name=queue_name,
            message_retention_seconds=RETENTION_SECONDS,
            sqs_managed_sse_enabled=True,
            redrive_policy=dead.arn.apply(
                lambda arn: json.dumps(
                    {"deadLetterTargetArn": arn, "maxReceiveCount": MAX_RECEIVES}, sort_keys=True
                )
            ),
            tags=ident.tags(queue_name, COMPONENT),
            opts=child,
        )
        rules = []
        for role, (source, detail_type) in EVENTS.items():
            rule_name = ident.name("karpenter", role)
            rule = aws.cloudwatch.EventRule(
                rule_name,
                name=rule_name,
                description=f"{detail_type} -> Karpenter's interruption queue",
                event_pattern=event_pattern(source, detail_type),
                tags=ident.tags(rule_name, COMPONENT),
                opts=child,
            )
            aws.cloudwatch.EventTarget(
                rule_name,
                rule=rule.name,
                arn=self.queue.arn,
                target_id="karpenter-interruption-queue",
                opts=child,
            )
            rules.append(rule)
        aws.sqs.QueuePolicy(
            queue_name,
            queue_url=self.queue.url,
            policy=policy_json(
                [
                    {
                        "Sid": "EventBridgeRulesOfThisCluster",
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": self.queue.arn,
                        "Condition": {"ArnEquals": {"aws:SourceArn": [r.arn for r in rules]}},
                    },
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "sqs:*",
                        "Resource": self.queue.arn,
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                ]
            ),
            opts=child,
        )
        self.register_outputs({"queueName": self.queue.name, "queueArn": self.queue.arn})


def naming_child(ident: Identity, *role: str) -> str:
    """`faas-<env>-<color>-karpenter-interruptions[-dlq]`: physical queue names (SQS allows 80)."""
    return ident.name("karpenter-interruptions", *role)
