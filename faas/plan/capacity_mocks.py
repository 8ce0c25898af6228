"""AWS-shaped outputs of the types function capacity adds: SQS queues and their policy,
EventBridge rules and targets, EKS Pod Identity associations, EC2 tags.

Builders as `faas/plan/mocks.py` takes them (`(mocks, logical name, inputs) -> (id, outputs)`,
camelCase outputs), deterministic for the same stack and name; `mocks.py` registers `BUILDERS`.
Shapes: an SQS queue's id is its URL and its ARN has no resource type
(`arn:aws:sqs:<region>:<account>:<name>`); an EventBridge rule's ARN is `rule/<name>`; a Pod
Identity association's id is `<cluster>,<association id>`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _named(m: Any, name: str, inputs: dict) -> str:
    """The explicit `name` input, else Pulumi's auto-name (as mocks.py names everything)."""
    return inputs.get("name") or f"{name}-{m._hex('autoname', name, 7)}"


def _sqs_queue(m: Any, name: str, inputs: dict) -> tuple[str, dict]:
    n = _named(m, name, inputs)
    arn = m._arn("sqs", n)
    url = f"https://sqs.{m.region}.amazonaws.com/{arn.split(':')[4]}/{n}"
    return url, {"name": n, "url": url, "arn": arn}


def _sqs_queue_policy(_: Any, name: str, inputs: dict) -> tuple[str, dict]:
    return str(inputs.get("queueUrl", name)), {}


def _event_rule(m: Any, name: str, inputs: dict) -> tuple[str, dict]:
    n = _named(m, name, inputs)
    return n, {"name": n, "arn": m._arn("events", f"rule/{n}")}


def _event_target(m: Any, name: str, inputs: dict) -> tuple[str, dict]:
    target = inputs.get("targetId") or f"{name}-{m._hex('target', name, 8)}"
    return f"{inputs.get('rule', name)}-{target}", {"targetId": target}


def _pod_identity(m: Any, name: str, inputs: dict) -> tuple[str, dict]:
    cluster = inputs.get("clusterName", "cluster")
    aid = f"a-{m._hex('pia', name, 17)}"
    arn = m._arn("eks", f"podidentityassociation/{cluster}/{aid}")
    return f"{cluster},{aid}", {"associationId": aid, "associationArn": arn, "arn": arn}


def _ec2_tag(_: Any, name: str, inputs: dict) -> tuple[str, dict]:
    return f"{inputs.get('resourceId')},{inputs.get('key')}", {}


BUILDERS: dict[str, Callable[[Any, str, dict], tuple[str, dict]]] = {
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:sqs/queuePolicy:QueuePolicy": _sqs_queue_policy,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": _pod_identity,
    "aws:ec2/tag:Tag": _ec2_tag,
}
