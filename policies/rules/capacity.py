"""Function capacity rules: Karpenter's EC2NodeClass and NodePool, the interruption queue.

The EC2NodeClass is to Karpenter's nodes what the launch template is to the managed groups, so the
same checks apply to it (checkov CKV_AWS_79/341/8 on launch templates); the NodePool must be
bounded and must never become a place for the platform's own pods.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from components import naming
from policies.framework import Resource, get, items, resource_rule, truthy

NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
QUEUE = "aws:sqs/queue:Queue"


@resource_rule(
    "karpenter-nodeclass-imdsv2",
    [NODE_CLASS],
    description="Karpenter's nodes require IMDSv2 and keep the hop limit that stops pods there.",
    source="checkov CKV_AWS_79, CKV_AWS_341 (launch template equivalents); EKS best practices",
    severity="critical",
    level="mandatory",
    fix=(
        "Set spec.metadataOptions {httpEndpoint: enabled, httpTokens: required, "
        "httpPutResponseHopLimit: 1} (or raise maxHopLimit with a reason)."
    ),
    config={"maxHopLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1}},
)
def nodeclass_imdsv2(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    options = get(res.props, "spec", "metadataOptions")
    if not options:
        yield "spec.metadataOptions is not set explicitly"
        return
    if get(options, "httpEndpoint", default="enabled") == "disabled":
        return
    if get(options, "httpTokens") != "required":
        yield f"metadataOptions.httpTokens is {get(options, 'httpTokens') or 'unset'}"
    hops = get(options, "httpPutResponseHopLimit")
    if hops is None or int(hops) > settings["maxHopLimit"]:
        yield f"metadataOptions.httpPutResponseHopLimit is {hops} (max {settings['maxHopLimit']})"


@resource_rule(
    "karpenter-nodeclass-ebs-encrypted",
    [NODE_CLASS],
    description="Karpenter's nodes declare their root volume, encrypted.",
    source="checkov CKV_AWS_8 (EBS encryption, launch template equivalent)",
    severity="high",
    level="mandatory",
    fix="Add spec.blockDeviceMappings with rootVolume: true and ebs.encrypted: true (gp3).",
)
def nodeclass_ebs(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    mappings = items(res.props, "spec", "blockDeviceMappings")
    if not any(truthy(get(m, "rootVolume")) for m in mappings):
        yield "no blockDeviceMappings entry with rootVolume: true (the AMI's default applies)"
    for m in mappings:
        if not truthy(get(m, "ebs", "encrypted")):
            yield f"volume {get(m, 'deviceName', default='?')} is not encrypted"


@resource_rule(
    "karpenter-nodepool-bounded",
    [NODE_POOL],
    description=(
        "NodePools are bounded (CPU and memory limits, node expiry, a disruption budget) and "
        "never provide the system pool, which stays on-demand managed nodes."
    ),
    source="platform invariant (docs/design.md: control planes stay on on-demand system nodes)",
    severity="high",
    level="mandatory",
    fix=(
        "Set spec.limits.cpu and .memory, spec.template.spec.expireAfter (not Never), "
        "spec.disruption.budgets, and keep faas.platform/pool=system out of the template."
    ),
)
def nodepool_bounded(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    for key in ("cpu", "memory"):
        if get(res.props, "spec", "limits", key) is None:
            yield f"spec.limits.{key} is not set: capacity could grow without bound"
    expire = get(res.props, "spec", "template", "spec", "expireAfter")
    if expire in (None, "Never"):
        yield f"spec.template.spec.expireAfter is {expire or 'unset'}: nodes are never renewed"
    if not items(res.props, "spec", "disruption", "budgets"):
        yield "spec.disruption.budgets is empty"
    pool = get(res.props, "spec", "template", "metadata", "labels", naming.POOL_LABEL)
    if pool == naming.SYSTEM_POOL:
        yield f"the template labels its nodes {naming.POOL_LABEL}={pool}"
    for req in items(res.props, "spec", "template", "spec", "requirements"):
        if get(req, "key") == naming.POOL_LABEL and naming.SYSTEM_POOL in items(req, "values"):
            yield f"a requirement allows {naming.POOL_LABEL}={naming.SYSTEM_POOL}"


@resource_rule(
    "sqs-queue-encrypted",
    [QUEUE],
    description="SQS queues encrypt messages at rest.",
    source="checkov CKV_AWS_27; Security Hub SQS.1",
    severity="medium",
    level="mandatory",
    fix="Set sqsManagedSseEnabled=true, or kmsMasterKeyId to a key the senders may use.",
)
def queue_encrypted(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if not (truthy(get(res.props, "sqsManagedSseEnabled")) or get(res.props, "kmsMasterKeyId")):
        yield "neither SQS-managed nor KMS encryption is enabled"


RULES = [nodeclass_imdsv2, nodeclass_ebs, nodepool_bounded, queue_encrypted]
