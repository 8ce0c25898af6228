"""Mock outputs of the types function capacity adds: SQS queues and their policy, EventBridge
rules and targets, EC2 tags (the Pod Identity association is in compute.py).

Shapes: an SQS queue's id is its URL and its ARN has no resource type
(`arn:aws:sqs:<region>:<account>:<name>`); an EventBridge rule's ARN is `rule/<name>`; a tag's id
is `<resource id>,<key>`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from faas.plan.mocks.registry import ACCOUNT_ID, builds, named

if TYPE_CHECKING:
    from faas.plan.mocks import AwsMocks


@builds("aws:sqs/queue:Queue")
def _sqs_queue(m: AwsMocks, name: str, inputs: dict):
    n = named(m, name, inputs)
    url = f"https://sqs.{m.region}.amazonaws.com/{ACCOUNT_ID}/{n}"
    return url, {"name": n, "url": url, "arn": m._arn("sqs", n)}


@builds("aws:sqs/queuePolicy:QueuePolicy")
def _sqs_queue_policy(m: AwsMocks, name: str, inputs: dict):
    return str(inputs.get("queueUrl", name)), {}


@builds("aws:cloudwatch/eventRule:EventRule")
def _event_rule(m: AwsMocks, name: str, inputs: dict):
    n = named(m, name, inputs)
    return n, {"name": n, "arn": m._arn("events", f"rule/{n}")}


@builds("aws:cloudwatch/eventTarget:EventTarget")
def _event_target(m: AwsMocks, name: str, inputs: dict):
    target = inputs.get("targetId") or f"{name}-{m._hex('target', name, 8)}"
    return f"{inputs.get('rule', name)}-{target}", {"targetId": target}


@builds("aws:ec2/tag:Tag")
def _ec2_tag(m: AwsMocks, name: str, inputs: dict):
    return f"{inputs.get('resourceId')},{inputs.get('key')}", {}
