"""Node group and launch template rules (checkov CKV_AWS_79/341/100/8/88/46, EKS best practice)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Resource, get, items, resource_rule, strings, truthy

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
POOL_LABEL = "faas.platform/pool"

# Access key ids and the classic secret-key assignment; enough to catch a pasted credential.
_SECRET_PATTERNS = (
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"aws_secret_access_key\s*=", re.IGNORECASE),
)


@resource_rule(
    "nodegroup-no-ssh-from-anywhere",
    [NODE_GROUP],
    description="Managed node groups do not open SSH to the world.",
    source="checkov CKV_AWS_100",
    severity="high",
    level="mandatory",
    fix="Drop remoteAccess (use SSM) or set remoteAccess.sourceSecurityGroupIds.",
)
def no_ssh(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    # EKS opens port 22 to 0.0.0.0/0 when a key is given without source security groups.
    for access in items(res.props, "remoteAccess"):
        if get(access, "ec2SshKey") and not strings(access, "sourceSecurityGroupIds"):
            yield "remoteAccess.ec2SshKey without sourceSecurityGroupIds opens SSH to 0.0.0.0/0"


@resource_rule(
    "nodegroup-uses-launch-template",
    [NODE_GROUP],
    description="Node groups use our launch template, so IMDSv2 and encrypted volumes apply.",
    source="platform invariant (EKS best practices: IMDS settings live in the launch template)",
    severity="high",
    level="mandatory",
    fix="Pass launchTemplate={id, version} from the compute component's launch template.",
)
def uses_launch_template(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    template = get(res.props, "launchTemplate")
    if not template or not (get(template, "id") or get(template, "name")):
        yield "no launchTemplate"
    elif get(template, "version") is None:
        yield "launchTemplate.version is not set"


@resource_rule(
    "nodegroup-spot-diversity",
    [NODE_GROUP],
    description="Spot node groups spread over several instance types to survive reclaims.",
    source="platform invariant (AWS Spot best practice: diversify instance types)",
    severity="medium",
    level="mandatory",
    fix="List at least `minInstanceTypes` instanceTypes of similar size on SPOT node groups.",
    config={"minInstanceTypes": {"type": "integer", "minimum": 1, "default": 2}},
)
def spot_diversity(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "capacityType") != "SPOT":
        return
    types = strings(res.props, "instanceTypes")
    if len(set(types)) < settings["minInstanceTypes"]:
        yield f"SPOT node group has {len(set(types))} instance type(s)"


@resource_rule(
    "nodegroup-system-pool-on-demand",
    [NODE_GROUP],
    description="The system pool (Istio, Knative control planes) runs on on-demand capacity.",
    source="platform invariant (docs/design.md: Knative activator PDB blocks spot drains)",
    severity="high",
    level="mandatory",
    fix="Set capacityType='ON_DEMAND' on node groups labelled faas.platform/pool=system.",
)
def system_on_demand(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "labels", POOL_LABEL) == "system":
        capacity = get(res.props, "capacityType", default="ON_DEMAND")
        if capacity != "ON_DEMAND":
            yield f"system pool has capacityType {capacity}"


@resource_rule(
    "nodegroup-scaling-bounds",
    [NODE_GROUP],
    description="Scaling bounds are consistent and the system pool keeps enough nodes.",
    source="platform invariant",
    severity="medium",
    level="mandatory",
    fix="Keep minSize <= desiredSize <= maxSize; give the system pool minSize >= minSystemNodes.",
    config={"minSystemNodes": {"type": "integer", "minimum": 1, "default": 2}},
)
def scaling_bounds(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    low = get(res.props, "scalingConfig", "minSize")
    want = get(res.props, "scalingConfig", "desiredSize")
    high = get(res.props, "scalingConfig", "maxSize")
    if low is None or want is None or high is None:
        yield "scalingConfig must set minSize, desiredSize and maxSize"
        return
    if not (0 <= low <= want <= high) or high < 1:
        yield f"inconsistent scalingConfig min={low} desired={want} max={high}"
    is_system = get(res.props, "labels", POOL_LABEL) == "system"
    if is_system and low < settings["minSystemNodes"]:
        yield f"system pool minSize {low} < {settings['minSystemNodes']}"


@resource_rule(
    "launch-template-imdsv2",
    [LAUNCH_TEMPLATE],
    description="Instances require IMDSv2 session tokens (IMDSv1 off).",
    source="checkov CKV_AWS_79; EKS security best practices",
    severity="critical",
    level="mandatory",
    fix="Set metadataOptions.httpTokens='required' (httpEndpoint 'enabled').",
)
def imdsv2(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    options = get(res.props, "metadataOptions")
    if not options:
        yield "no metadataOptions (IMDSv1 stays available)"
        return
    if get(options, "httpEndpoint") == "disabled":
        return
    if get(options, "httpTokens") != "required":
        yield f"metadataOptions.httpTokens is {get(options, 'httpTokens') or 'unset (optional)'}"


@resource_rule(
    "launch-template-hop-limit",
    [LAUNCH_TEMPLATE],
    description="The IMDS response hop limit keeps pods from reaching node credentials.",
    source="checkov CKV_AWS_341; EKS security best practices (hop limit 1)",
    severity="medium",
    # Advisory by default: EKS docs note pods such as the AWS Load Balancer Controller may need
    # hop limit 2 unless given region/VPC explicitly, so this is decided per node group.
    level="advisory",
    fix="Set metadataOptions.httpPutResponseHopLimit=1, or raise maxHopLimit with a reason.",
    config={"maxHopLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 1}},
)
def hop_limit(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    limit = get(res.props, "metadataOptions", "httpPutResponseHopLimit")
    if limit is None:
        yield "httpPutResponseHopLimit unset (the AMI default may be 2)"
    elif int(limit) > settings["maxHopLimit"]:
        yield f"httpPutResponseHopLimit is {limit} (max {settings['maxHopLimit']})"


@resource_rule(
    "launch-template-ebs-encrypted",
    [LAUNCH_TEMPLATE],
    description="Node root volumes are declared and encrypted.",
    source="checkov CKV_AWS_8 (EBS encryption, launch configuration equivalent)",
    severity="high",
    level="mandatory",
    fix="Add blockDeviceMappings[].ebs with encrypted='true' (and volumeType 'gp3').",
)
def ebs_encrypted(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    mappings = items(res.props, "blockDeviceMappings")
    if not mappings:
        yield "no blockDeviceMappings: the AMI's default volume encryption applies"
    for mapping in mappings:
        ebs = get(mapping, "ebs")
        if ebs is not None and not truthy(get(ebs, "encrypted")):
            yield f"volume {get(mapping, 'deviceName', default='?')} is not encrypted"


@resource_rule(
    "launch-template-no-public-ip",
    [LAUNCH_TEMPLATE],
    description="Nodes get no public IP address; they sit in private subnets.",
    source="checkov CKV_AWS_88; CIS EKS 5.4.3 (private nodes)",
    severity="high",
    level="mandatory",
    fix="Remove associatePublicIpAddress (or set it false) on networkInterfaces.",
)
def no_public_ip(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    for nic in items(res.props, "networkInterfaces"):
        if truthy(get(nic, "associatePublicIpAddress")):
            yield "networkInterfaces associates a public IP"


@resource_rule(
    "launch-template-no-secrets-in-user-data",
    [LAUNCH_TEMPLATE],
    description="User data carries no AWS credentials.",
    source="checkov CKV_AWS_46",
    severity="critical",
    level="mandatory",
    fix="Remove the credentials from userData; nodes get permissions from their instance role.",
)
def no_user_data_secrets(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    data = get(res.props, "userData")
    if not data:
        return
    text = str(data)
    # Not base64 (plain text user data): check the text as given.
    with contextlib.suppress(binascii.Error, ValueError):
        text += "\n" + base64.b64decode(text, validate=True).decode("utf-8", "replace")
    if any(p.search(text) for p in _SECRET_PATTERNS):
        yield "userData contains what looks like an AWS credential"


RULES = [
    no_ssh,
    uses_launch_template,
    spot_diversity,
    system_on_demand,
    scaling_bounds,
    imdsv2,
    hop_limit,
    ebs_encrypted,
    no_public_ip,
    no_user_data_secrets,
]
