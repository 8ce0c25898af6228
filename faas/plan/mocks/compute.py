"""Mock outputs of the network, IAM, KMS, logs, EKS and ECR resources."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from faas.plan.mocks.registry import ACCOUNT_ID, builds, named

if TYPE_CHECKING:
    from faas.plan.mocks import AwsMocks


@builds("aws:ec2/vpc:Vpc")
def _vpc(m: AwsMocks, name: str, inputs: dict):
    rid = f"vpc-{m._hex('vpc', name)}"
    return rid, {
        "arn": m._arn("ec2", f"vpc/{rid}"),
        "defaultSecurityGroupId": f"sg-{m._hex('default-sg', name)}",
        "mainRouteTableId": f"rtb-{m._hex('main-rtb', name)}",
        "defaultNetworkAclId": f"acl-{m._hex('acl', name)}",
    }


@builds("aws:ec2/eip:Eip")
def _eip(m: AwsMocks, name: str, inputs: dict):
    h = int(m._hex("eip", name, 4), 16)
    rid = f"eipalloc-{m._hex('eip', name)}"
    return rid, {
        "allocationId": rid,
        "publicIp": f"198.51.100.{h % 250 + 1}",
        "arn": m._arn("ec2", f"elastic-ip/{rid}"),
    }


@builds("aws:ec2/launchTemplate:LaunchTemplate")
def _launch_template(m: AwsMocks, name: str, inputs: dict):
    rid = f"lt-{m._hex('lt', name)}"
    return rid, {
        "arn": m._arn("ec2", f"launch-template/{rid}"),
        "latestVersion": 1,
        "defaultVersion": 1,
        "name": inputs.get("name", name),
    }


@builds("aws:iam/role:Role")
def _role(m: AwsMocks, name: str, inputs: dict):
    n = named(m, name, inputs)
    return n, {
        "name": n,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{n}",
        "uniqueId": f"AROA{m._hex('role', name, 16).upper()}",
    }


@builds("aws:iam/policy:Policy")
def _policy(m: AwsMocks, name: str, inputs: dict):
    n = named(m, name, inputs)
    arn = f"arn:aws:iam::{ACCOUNT_ID}:policy/{n}"
    return arn, {"name": n, "arn": arn, "policyId": f"ANPA{m._hex('pol', name, 16).upper()}"}


@builds("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
def _oidc(m: AwsMocks, name: str, inputs: dict):
    url = str(inputs.get("url", "")).removeprefix("https://")
    arn = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{url}"
    return arn, {"arn": arn}


def _regional_arn(m: AwsMocks, inputs: dict, service: str, resource: str) -> str:
    """An ARN in the resource's own `region` input (pulumi-aws v7), else the stack's region."""
    return f"arn:aws:{service}:{inputs.get('region') or m.region}:{ACCOUNT_ID}:{resource}"


@builds("aws:kms/key:Key")
def _kms(m: AwsMocks, name: str, inputs: dict):
    h = m._hex("kms", name, 32)
    key_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return key_id, {"keyId": key_id, "arn": _regional_arn(m, inputs, "kms", f"key/{key_id}")}


@builds("aws:kms/alias:Alias")
def _kms_alias(m: AwsMocks, name: str, inputs: dict):
    n = inputs.get("name", f"alias/{name}")
    return n, {"arn": _regional_arn(m, inputs, "kms", n)}


@builds("aws:cloudwatch/logGroup:LogGroup")
def _log_group(m: AwsMocks, name: str, inputs: dict):
    n = named(m, name, inputs)
    return n, {"name": n, "arn": _regional_arn(m, inputs, "logs", f"log-group:{n}")}


@builds("aws:eks/cluster:Cluster")
def _cluster(m: AwsMocks, name: str, inputs: dict):
    n = inputs.get("name", name)
    h = m._hex("eks", name, 32).upper()
    ca = base64.b64encode(
        f"-----BEGIN CERTIFICATE-----\nplan-{h}\n-----END CERTIFICATE-----\n".encode()
    ).decode()
    vpc = dict(inputs.get("vpcConfig") or {})
    vpc["clusterSecurityGroupId"] = f"sg-{m._hex('eks-cluster-sg', name)}"
    vpc["vpcId"] = vpc.get("vpcId") or f"vpc-{m._hex('vpc', name)}"
    return n, {
        "name": n,
        "arn": m._arn("eks", f"cluster/{n}"),
        "status": "ACTIVE",
        "endpoint": f"https://{h}.gr7.{m.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": ca},
        "identities": [
            {"oidcs": [{"issuer": f"https://oidc.eks.{m.region}.amazonaws.com/id/{h}"}]}
        ],
        "platformVersion": "eks.1",
        "vpcConfig": vpc,
        "version": inputs.get("version"),
    }


@builds("aws:eks/nodeGroup:NodeGroup")
def _node_group(m: AwsMocks, name: str, inputs: dict):
    n = inputs.get("nodeGroupName", name)
    cluster = inputs.get("clusterName", "cluster")
    return f"{cluster}:{n}", {
        "nodeGroupName": n,
        "status": "ACTIVE",
        "arn": m._arn("eks", f"nodegroup/{cluster}/{n}/{m._hex('ng', name, 8)}"),
        "resources": [{"autoscalingGroups": [{"name": f"eks-{n}-{m._hex('asg', name, 8)}"}]}],
    }


@builds("aws:eks/addon:Addon")
def _addon(m: AwsMocks, name: str, inputs: dict):
    cluster, addon = inputs.get("clusterName", "cluster"), inputs.get("addonName", name)
    return f"{cluster}:{addon}", {"arn": m._arn("eks", f"addon/{cluster}/{addon}/x")}


@builds("aws:eks/accessEntry:AccessEntry")
def _access_entry(m: AwsMocks, name: str, inputs: dict):
    cluster, principal = inputs.get("clusterName", "cluster"), inputs.get("principalArn", "")
    arn = m._arn("eks", f"access-entry/{cluster}/role/{m._hex('ae', name, 8)}")
    return f"{cluster}:{principal}", {"accessEntryArn": arn, "arn": arn}


@builds("aws:eks/podIdentityAssociation:PodIdentityAssociation")
def _pod_identity(m: AwsMocks, name: str, inputs: dict):
    cluster = inputs.get("clusterName", "cluster")
    aid = f"a-{m._hex('pia', name, 17)}"
    arn = m._arn("eks", f"podidentityassociation/{cluster}/{aid}")
    return f"{cluster},{aid}", {"associationId": aid, "associationArn": arn, "arn": arn}


@builds("aws:ecr/repository:Repository")
def _repository(m: AwsMocks, name: str, inputs: dict):
    n = named(m, name, inputs)
    return n, {
        "name": n,
        "arn": m._arn("ecr", f"repository/{n}"),
        "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{m.region}.amazonaws.com/{n}",
    }


@builds("aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy")
def _repository_policy(m: AwsMocks, name: str, inputs: dict):
    repo = str(inputs.get("repository", name))
    return repo, {"registryId": ACCOUNT_ID}
