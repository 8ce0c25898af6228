"""Every rule: a compliant input passes, a non-compliant one is flagged, an unknown defers.

The cases: resource rules get the props of one resource of the rule's first type (`type`
overrides it); stack rules get a list of `R(...)` resources. `unknown` cases hold a preview
unknown the rule needs: the rule must neither crash nor pass, it defers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from policies.framework import Hit, Resource, Rule, run_resource_rule, run_stack_rule
from policies.rules import ALL_RULES, RULES_BY_NAME

U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # what `pulumi preview --json` writes for unknowns
STACK = "urn:pulumi:dev-blue::faas-platform::"


def tags(name: str, component: str = "network") -> dict[str, str]:
    return {
        "Name": name,
        "Project": "faas-platform",
        "Environment": "dev",
        "Component": component,
        "ManagedBy": "pulumi",
    }


def urn(rtype: str, name: str) -> str:
    return f"{STACK}{rtype}::{name}"


@dataclass
class R:
    type: str
    name: str
    props: dict[str, Any]
    deps: dict[str, list[str]] = field(default_factory=dict)  # prop -> names of referenced R

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


@dataclass
class Case:
    good: Any
    bad: Any
    unknown: Any
    type: str | None = None


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


CLUSTER_OK = {
    "version": "1.33",
    "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    "vpcConfig": {
        "endpointPrivateAccess": True,
        "endpointPublicAccess": True,
        "publicAccessCidrs": ["203.0.113.0/24"],
        "subnetIds": ["subnet-1", "subnet-2"],
    },
    "encryptionConfig": {
        "resources": ["secrets"],
        "provider": {"keyArn": "arn:aws:kms:eu-west-1:1:key/k"},
    },
    "accessConfig": {"authenticationMode": "API"},
    "tags": tags("faas-dev-blue", "eks"),
}
NODEGROUP_OK = {
    "capacityType": "SPOT",
    "instanceTypes": ["m6i.large", "m5.large", "m6a.large"],
    "scalingConfig": {"minSize": 1, "desiredSize": 2, "maxSize": 5},
    "labels": {"faas.platform/pool": "functions"},
    "launchTemplate": {"id": "lt-1", "version": "1"},
}
SYSTEM_NODES = {
    **NODEGROUP_OK,
    "capacityType": "ON_DEMAND",
    "labels": {"faas.platform/pool": "system"},
    "scalingConfig": {"minSize": 2, "desiredSize": 2, "maxSize": 4},
}
LT_OK = {
    "metadataOptions": {
        "httpTokens": "required",
        "httpEndpoint": "enabled",
        "httpPutResponseHopLimit": 1,
    },
    "blockDeviceMappings": [
        {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeType": "gp3"}}
    ],
}
LISTENER_OK = {
    "protocol": "TLS",
    "port": 443,
    "certificateArn": "arn:aws:acm:eu-west-1:1:certificate/c",
    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}],
}
NLB_OK = {
    "loadBalancerType": "network",
    "internal": False,
    "enableCrossZoneLoadBalancing": True,
    "enableDeletionProtection": True,
    "accessLogs": {"bucket": "faas-dev-blue-lb-logs", "enabled": True},
    "tags": tags("faas-dev-blue-dmz", "edge"),
}
NODE_CLASS_OK = {
    "spec": {
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpTokens": "required",
            "httpPutResponseHopLimit": 1,
        },
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "rootVolume": True,
                "ebs": {"encrypted": True, "volumeType": "gp3", "volumeSize": "50Gi"},
            }
        ],
    }
}
NODE_POOL_OK = {
    "spec": {
        "template": {
            "metadata": {"labels": {"faas.platform/pool": "functions"}},
            "spec": {"expireAfter": "720h", "requirements": []},
        },
        "disruption": {"budgets": [{"nodes": "10%"}]},
        "limits": {"cpu": "64", "memory": "256Gi"},
    }
}
POD_IDENTITY_STMT = {
    "Effect": "Allow",
    "Principal": {"Service": "pods.eks.amazonaws.com"},
    "Action": ["sts:AssumeRole", "sts:TagSession"],
}
TRUST_POD_IDENTITY = policy(
    {
        **POD_IDENTITY_STMT,
        "Condition": {
            "StringEquals": {
                "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:1:cluster/c",
                "aws:RequestTag/kubernetes-namespace": "karpenter",
                "aws:RequestTag/kubernetes-service-account": "karpenter",
            }
        },
    }
)
SCOPED_EC2 = [
    {
        "Effect": "Allow",
        "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
        "Resource": ["arn:aws:ec2:eu-west-1::image/*", "arn:aws:ec2:eu-west-1:1:subnet/*"],
    },
    {
        "Effect": "Allow",
        "Action": "ec2:TerminateInstances",
        "Resource": "arn:aws:ec2:eu-west-1:1:instance/*",
        "Condition": {"StringEquals": {"aws:ResourceTag/kubernetes.io/cluster/c": "owned"}},
    },
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/node"},
]
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/X"
TRUST_IRSA = policy(
    {
        "Effect": "Allow",
        "Principal": {
            "Federated": "arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"
        },
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {
                f"{ISSUER}:sub": "system:serviceaccount:kube-system:lbc",
                f"{ISSUER}:aud": "sts.amazonaws.com",
            }
        },
    }
)
TRUST_EC2 = policy(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
)
KEY_POLICY = policy(
    {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::1:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
)
TLS_ONLY = policy(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)
PAB_OK = {
    f: True
    for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
}
SSE_OK = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]}
TENANT_NS = {
    "metadata": {
        "name": "team-a",
        "labels": {
            "faas.platform/tenant": "team-a",
            "pod-security.kubernetes.io/enforce": "restricted",
        },
    }
}

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
CERT = "aws:acm/certificate:Certificate"
CERT_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
ZONE = "aws:route53/zone:Zone"
QUERY_LOG = "aws:route53/queryLog:QueryLog"
DNSSEC = "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec"
RECORD = "aws:route53/record:Record"
BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"
QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
REPO = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"


def weighted(name: str, color: str, weight: Any) -> R:
    return R(
        RECORD,
        f"{name}-{color}",
        {
            "name": f"*.{name}.dev.example.com",
            "type": "A",
            "setIdentifier": color,
            "weightedRoutingPolicies": [{"weight": weight}],
            "aliases": [
                {"name": "nlb.amazonaws.com", "zoneId": "Z1", "evaluateTargetHealth": True}
            ],
        },
    )


def bucket_with(helper_type: str, helper_props: Any) -> list[R]:
    return [
        R(BUCKET, "logs", {"bucket": "faas-dev-blue-logs", "tags": tags("faas-dev-blue-logs")}),
        R(helper_type, "logs-helper", {"bucket": U, **helper_props}, {"bucket": ["logs"]}),
    ]


def tenant_with(kind: str) -> list[R]:
    return [
        R(NAMESPACE, "team-a", TENANT_NS),
        R(
            kind,
            "team-a-obj",
            {"metadata": {"namespace": U, "name": "x"}},
            {"metadata": ["team-a"]},
        ),
    ]


def dmz_stack(cert_names: list[str], cert_unknown: bool = False) -> list[R]:
    cert = {"domainName": cert_names[0], "subjectAlternativeNames": cert_names[1:]}
    if cert_unknown:
        cert = {"domainName": U, "subjectAlternativeNames": U}
    return [
        R(LB, "dmz", NLB_OK),
        R(CERT, "dmz-cert", {**cert, "validationMethod": "DNS"}),
        R(
            CERT_VALIDATION,
            "dmz-cert-validation",
            {"certificateArn": U},
            {"certificateArn": ["dmz-cert"]},
        ),
        R(
            LISTENER,
            "dmz-443",
            {**LISTENER_OK, "certificateArn": U, "loadBalancerArn": U},
            {"certificateArn": ["dmz-cert-validation"], "loadBalancerArn": ["dmz"]},
        ),
    ]


def sg_stack(ingress: list[dict[str, Any]], sg_tags: dict[str, str]) -> list[R]:
    return [R(SG, "sg", {"description": "edge", "ingress": ingress, "tags": sg_tags})]


WORLD_443 = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}
WORLD_22 = {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}


def internal_stack(cidr: Any) -> list[R]:
    """The internal balancer's group and one ingress rule into it."""
    return [
        R(SG, "internal-lb", {"tags": tags("faas-dev-blue-internal-lb", "edge")}),
        R(
            SG_INGRESS,
            "internal-lb-in",
            {"securityGroupId": "sg-1", "ipProtocol": "tcp", "cidrIpv4": cidr},
            {"securityGroupId": ["internal-lb"]},
        ),
    ]


ACCOUNT_PULL = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": ["ecr:BatchGetImage"],
    "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}},
}


CASES: dict[str, Case] = {
    # --- eks
    "eks-control-plane-logging": Case(
        CLUSTER_OK, {**CLUSTER_OK, "enabledClusterLogTypes": ["api"]}, {"enabledClusterLogTypes": U}
    ),
    "eks-public-endpoint-restricted": Case(
        CLUSTER_OK,
        {**CLUSTER_OK, "vpcConfig": {"endpointPublicAccess": True, "endpointPrivateAccess": True}},
        {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": U}},
    ),
    "eks-private-endpoint-enabled": Case(
        CLUSTER_OK,
        {**CLUSTER_OK, "vpcConfig": {"endpointPublicAccess": False}},
        {"vpcConfig": {"endpointPrivateAccess": U}},
    ),
    "eks-secrets-encryption": Case(
        CLUSTER_OK,
        {k: v for k, v in CLUSTER_OK.items() if k != "encryptionConfig"},
        {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": U}}},
    ),
    "eks-supported-version": Case(CLUSTER_OK, {**CLUSTER_OK, "version": "1.24"}, {"version": U}),
    "eks-authentication-mode-api": Case(
        CLUSTER_OK,
        {**CLUSTER_OK, "accessConfig": {"authenticationMode": "CONFIG_MAP"}},
        {"accessConfig": U},
    ),
    # --- compute
    "nodegroup-no-ssh-from-anywhere": Case(
        NODEGROUP_OK,
        {**NODEGROUP_OK, "remoteAccess": {"ec2SshKey": "ops"}},
        {**NODEGROUP_OK, "remoteAccess": {"ec2SshKey": "ops", "sourceSecurityGroupIds": U}},
    ),
    "nodegroup-uses-launch-template": Case(
        NODEGROUP_OK,
        {k: v for k, v in NODEGROUP_OK.items() if k != "launchTemplate"},
        {**NODEGROUP_OK, "launchTemplate": {"id": U, "version": U}},
    ),
    "nodegroup-spot-diversity": Case(
        NODEGROUP_OK,
        {**NODEGROUP_OK, "instanceTypes": ["m6i.large"]},
        {**NODEGROUP_OK, "instanceTypes": U},
    ),
    "nodegroup-system-pool-on-demand": Case(
        SYSTEM_NODES, {**SYSTEM_NODES, "capacityType": "SPOT"}, {**SYSTEM_NODES, "capacityType": U}
    ),
    "nodegroup-scaling-bounds": Case(
        SYSTEM_NODES,
        {**NODEGROUP_OK, "scalingConfig": {"minSize": 3, "desiredSize": 2, "maxSize": 4}},
        {**SYSTEM_NODES, "scalingConfig": {"minSize": U, "desiredSize": 2, "maxSize": 4}},
    ),
    "launch-template-imdsv2": Case(
        LT_OK,
        {**LT_OK, "metadataOptions": {"httpTokens": "optional", "httpEndpoint": "enabled"}},
        {**LT_OK, "metadataOptions": {"httpTokens": U, "httpEndpoint": "enabled"}},
    ),
    "launch-template-hop-limit": Case(
        LT_OK,
        {**LT_OK, "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 3}},
        {**LT_OK, "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": U}},
    ),
    "launch-template-ebs-encrypted": Case(
        LT_OK,
        {
            **LT_OK,
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}],
        },
        {**LT_OK, "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": U}}]},
    ),
    "launch-template-no-public-ip": Case(
        {**LT_OK, "networkInterfaces": [{"associatePublicIpAddress": "false"}]},
        {**LT_OK, "networkInterfaces": [{"associatePublicIpAddress": "true"}]},
        {**LT_OK, "networkInterfaces": [{"associatePublicIpAddress": U}]},
    ),
    "launch-template-no-secrets-in-user-data": Case(
        {**LT_OK, "userData": "IyEvYmluL2Jhc2gKZWNobyBoZWxsbwo="},  # "#!/bin/bash\necho hello"
        {**LT_OK, "userData": "export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP"},
        {**LT_OK, "userData": U},
    ),
    # --- load balancing
    "listener-tls": Case(
        LISTENER_OK,
        {"protocol": "HTTP", "port": 80, "defaultActions": [{"type": "forward"}]},
        {**LISTENER_OK, "protocol": U},
    ),
    "listener-tls-policy": Case(
        LISTENER_OK,
        {**LISTENER_OK, "sslPolicy": "ELBSecurityPolicy-2016-08"},
        {**LISTENER_OK, "sslPolicy": U},
    ),
    "lb-access-logs": Case(
        NLB_OK, {**NLB_OK, "accessLogs": {"enabled": False}}, {**NLB_OK, "accessLogs": U}
    ),
    "lb-cross-zone": Case(
        NLB_OK,
        {**NLB_OK, "enableCrossZoneLoadBalancing": False},
        {**NLB_OK, "enableCrossZoneLoadBalancing": U},
    ),
    "lb-deletion-protection": Case(
        NLB_OK,
        {**NLB_OK, "enableDeletionProtection": False},
        {**NLB_OK, "enableDeletionProtection": U},
    ),
    "lb-entry-point-exposure": Case(
        NLB_OK,
        {**NLB_OK, "tags": tags("faas-dev-blue-internal", "edge")},
        {**NLB_OK, "internal": U},
    ),
    "target-group-health-check": Case(
        {
            "port": 443,
            "protocol": "TCP",
            "healthCheck": {"protocol": "HTTP", "path": "/healthz/ready", "port": "15021"},
        },
        {"port": 443, "protocol": "TCP", "healthCheck": {"protocol": "HTTP", "port": "15021"}},
        {"port": 443, "protocol": "TCP", "healthCheck": {"protocol": "HTTP", "path": U}},
    ),
    # --- dns / acm
    "acm-dns-validation": Case(
        {"domainName": "*.faas-blue.dev.example.com", "validationMethod": "DNS"},
        {"domainName": "*.faas-blue.dev.example.com", "validationMethod": "EMAIL"},
        {"domainName": "*.faas-blue.dev.example.com", "validationMethod": U},
    ),
    "acm-transparency-logging": Case(
        {
            "validationMethod": "DNS",
            "options": {"certificateTransparencyLoggingPreference": "ENABLED"},
        },
        {
            "validationMethod": "DNS",
            "options": {"certificateTransparencyLoggingPreference": "DISABLED"},
        },
        {"validationMethod": "DNS", "options": {"certificateTransparencyLoggingPreference": U}},
    ),
    "route53-weight-range": Case(
        weighted("single", "blue", 100).props,
        weighted("single", "blue", 300).props,
        weighted("single", "blue", U).props,
    ),
    "route53-weighted-not-all-zero": Case(
        [weighted("env", "blue", 100), weighted("env", "green", 0)],
        [weighted("env", "blue", 0), weighted("env", "green", 0)],
        [weighted("env", "blue", U), weighted("env", "green", 0)],
    ),
    "route53-query-logging": Case(
        [
            R(ZONE, "env-zone", {"name": "faas.dev.example.com"}),
            R(QUERY_LOG, "ql", {"zoneId": U}, {"zoneId": ["env-zone"]}),
        ],
        [R(ZONE, "env-zone", {"name": "faas.dev.example.com"})],
        [R(ZONE, "env-zone", {"name": "faas.dev.example.com", "vpcs": U})],
    ),
    "route53-dnssec-signing": Case(
        [
            R(ZONE, "env-zone", {"name": "faas.dev.example.com"}),
            R(
                DNSSEC,
                "sig",
                {"hostedZoneId": U, "signingStatus": "SIGNING"},
                {"hostedZoneId": ["env-zone"]},
            ),
        ],
        [
            R(ZONE, "env-zone", {"name": "faas.dev.example.com"}),
            # signing switched off keeps the KSK but signs nothing
            R(
                DNSSEC,
                "sig",
                {"hostedZoneId": U, "signingStatus": "NOT_SIGNING"},
                {"hostedZoneId": ["env-zone"]},
            ),
        ],
        [
            R(ZONE, "env-zone", {"name": "faas.dev.example.com"}),
            R(
                DNSSEC,
                "sig",
                {"hostedZoneId": U, "signingStatus": U},
                {"hostedZoneId": ["env-zone"]},
            ),
        ],
    ),
    # --- iam
    "iam-no-wildcard-action": Case(
        {
            "policy": policy(
                {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"], "Resource": "*"}
            )
        },
        {"policy": policy({"Effect": "Allow", "Action": "*", "Resource": "*"})},
        {"policy": U},
        type="aws:iam/policy:Policy",
    ),
    "iam-no-wildcard-principal": Case(
        {"assumeRolePolicy": TRUST_EC2},
        {
            "assumeRolePolicy": policy(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
            )
        },
        {"assumeRolePolicy": U},
    ),
    "iam-irsa-trust-pinned": Case(
        {"assumeRolePolicy": TRUST_IRSA},
        {
            "assumeRolePolicy": TRUST_IRSA.replace("StringEquals", "StringLike").replace(
                ":lbc", ":*"
            )
        },
        {"assumeRolePolicy": U},
    ),
    "iam-no-admin-managed-policy": Case(
        {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"},
        {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        {"role": "r", "policyArn": U},
    ),
    # --- kms
    "kms-key-rotation": Case(
        {"enableKeyRotation": True, "policy": KEY_POLICY},
        {"policy": KEY_POLICY},
        {"enableKeyRotation": U},
    ),
    "kms-no-wildcard-principal": Case(
        {"enableKeyRotation": True, "policy": KEY_POLICY},
        {
            "enableKeyRotation": True,
            "policy": policy({"Effect": "Allow", "Principal": "*", "Action": "kms:*"}),
        },
        {"enableKeyRotation": True, "policy": U},
    ),
    "kms-key-policy-defined": Case(
        {"policy": KEY_POLICY}, {"enableKeyRotation": True}, {"policy": U}
    ),
    # --- network
    "vpc-flow-logs": Case(
        [
            R(VPC, "vpc", {"cidrBlock": "10.10.0.0/16"}),
            R(FLOW_LOG, "fl", {"vpcId": U, "trafficType": "ALL"}, {"vpcId": ["vpc"]}),
        ],
        [R(VPC, "vpc", {"cidrBlock": "10.10.0.0/16"})],
        [R(VPC, "vpc", {"cidrBlock": "10.10.0.0/16"}), R(FLOW_LOG, "fl", {"vpcId": U})],
    ),
    "flow-log-all-traffic": Case(
        {"vpcId": "vpc-1", "trafficType": "ALL", "logDestinationType": "cloud-watch-logs"},
        {"vpcId": "vpc-1", "trafficType": "REJECT", "logDestinationType": "cloud-watch-logs"},
        {"vpcId": "vpc-1", "trafficType": U},
    ),
    "vpc-default-security-group-closed": Case(
        [R(VPC, "vpc", {}), R(DEFAULT_SG, "default", {"vpcId": U}, {"vpcId": ["vpc"]})],
        [
            R(VPC, "vpc", {}),
            R(
                DEFAULT_SG,
                "default",
                {"vpcId": U, "ingress": [{"protocol": "-1", "self": True}]},
                {"vpcId": ["vpc"]},
            ),
        ],
        [
            R(VPC, "vpc", {}),
            R(DEFAULT_SG, "default", {"vpcId": U, "ingress": U}, {"vpcId": ["vpc"]}),
        ],
    ),
    "security-group-no-world-ingress": Case(
        sg_stack([WORLD_443], tags("faas-dev-blue-dmz", "edge")),
        sg_stack([WORLD_22], tags("faas-dev-blue-nodes", "compute")),
        sg_stack([{**WORLD_22, "cidrBlocks": U}], tags("faas-dev-blue-nodes", "compute")),
    ),
    "security-group-descriptions": Case(
        {
            "description": "DMZ NLB",
            "ingress": [{**WORLD_443, "description": "HTTPS from the internet"}],
        },
        {"ingress": [WORLD_443]},
        {"description": U},
    ),
    "subnet-no-public-ip-on-launch": Case(
        {"cidrBlock": "10.10.0.0/20", "mapPublicIpOnLaunch": False},
        {"cidrBlock": "10.10.0.0/20", "mapPublicIpOnLaunch": True},
        {"cidrBlock": "10.10.0.0/20", "mapPublicIpOnLaunch": U},
    ),
    "internal-entry-point-private-sources": Case(
        internal_stack("172.20.0.0/16"),
        internal_stack("0.0.0.0/0"),
        internal_stack(U),
    ),
    # --- registry
    "ecr-immutable-tags": Case(
        {"imageTagMutability": "IMMUTABLE"}, {"name": "r"}, {"imageTagMutability": U}
    ),
    "ecr-scan-on-push": Case(
        {"imageScanningConfiguration": {"scanOnPush": True}},
        {"imageScanningConfiguration": {"scanOnPush": False}},
        {"imageScanningConfiguration": {"scanOnPush": U}},
    ),
    "ecr-kms-encryption": Case(
        {"encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": "arn:aws:kms:k"}]},
        {"encryptionConfigurations": [{"encryptionType": "AES256"}]},
        {"encryptionConfigurations": [{"encryptionType": U}]},
    ),
    "ecr-policy-not-public": Case(
        {"repository": "r", "policy": policy(ACCOUNT_PULL)},
        {"repository": "r", "policy": policy({**ACCOUNT_PULL, "Condition": {}})},
        {"repository": "r", "policy": U},
    ),
    "ecr-lifecycle-policy": Case(
        [
            R(REPO, "repo", {"name": "faas-dev/payments/hello"}),
            R(LIFECYCLE, "lc", {"repository": "faas-dev/payments/hello"}, {"repository": ["repo"]}),
        ],
        [R(REPO, "repo", {"name": "faas-dev/payments/hello"})],
        [
            R(REPO, "repo", {"name": "faas-dev/payments/hello"}),
            R(LIFECYCLE, "lc", {"repository": U}),
        ],
    ),
    # --- logs
    "log-group-retention-set": Case(
        {"retentionInDays": 365}, {"name": "x"}, {"retentionInDays": U}
    ),
    "log-group-retention-minimum": Case(
        {"retentionInDays": 400}, {"retentionInDays": 30}, {"retentionInDays": U}
    ),
    "log-group-kms": Case(
        {"kmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"}, {"retentionInDays": 30}, {"kmsKeyId": U}
    ),
    # --- s3
    "s3-public-access-block": Case(
        bucket_with(PAB, PAB_OK),
        bucket_with(PAB, {**PAB_OK, "blockPublicPolicy": False}),
        bucket_with(PAB, {**PAB_OK, "ignorePublicAcls": U}),
    ),
    "s3-encryption": Case(
        bucket_with(SSE, SSE_OK), bucket_with(SSE, {"rules": []}), bucket_with(SSE, {"rules": U})
    ),
    "s3-tls-only": Case(
        bucket_with(BUCKET_POLICY, {"policy": TLS_ONLY}),
        bucket_with(
            BUCKET_POLICY,
            {
                "policy": policy(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::1:root"},
                        "Action": "s3:GetObject",
                    }
                )
            },
        ),
        bucket_with(BUCKET_POLICY, {"policy": U}),
    ),
    # --- tags
    "required-tags": Case(
        {"cidrBlock": "10.10.0.0/16", "tags": tags("faas-dev-blue-vpc")},
        {"cidrBlock": "10.10.0.0/16", "tags": {"Name": "faas-dev-blue-vpc"}},
        {"cidrBlock": "10.10.0.0/16", "tags": {**tags("faas-dev-blue-vpc"), "Component": U}},
        type=VPC,
    ),
    # --- kubernetes
    "k8s-namespace-pod-security": Case(
        TENANT_NS,
        {
            "metadata": {
                "name": "team-a",
                "labels": {
                    "faas.platform/tenant": "team-a",
                    "pod-security.kubernetes.io/enforce": "baseline",
                },
            }
        },
        {"metadata": {"name": "team-a", "labels": U}},
    ),
    "k8s-tenant-resource-quota": Case(
        tenant_with(QUOTA),
        tenant_with(LIMIT_RANGE),
        [R(NAMESPACE, "team-a", {"metadata": {"name": "team-a", "labels": U}})],
    ),
    "k8s-tenant-limit-range": Case(
        tenant_with(LIMIT_RANGE),
        tenant_with(QUOTA),
        [*tenant_with(NETPOL)[:1], R(LIMIT_RANGE, "lr", {"metadata": {"namespace": U}})],
    ),
    "k8s-tenant-network-policy": Case(
        tenant_with(NETPOL),
        tenant_with(QUOTA),
        [*tenant_with(NETPOL)[:1], R(NETPOL, "np", {"metadata": U})],
    ),
    "knative-secure-pod-defaults": Case(
        {
            "metadata": {"namespace": "knative-serving"},
            "spec": {"config": {"features": {"secure-pod-defaults": "enabled"}}},
        },
        {
            "metadata": {"namespace": "knative-serving"},
            "spec": {"config": {"features": {"secure-pod-defaults": "disabled"}}},
        },
        {"metadata": {"namespace": "knative-serving"}, "spec": {"config": U}},
    ),
    "helm-release-pinned": Case(
        {"chart": "istiod", "version": "1.27.1", "namespace": "istio-system", "values": {}},
        {"chart": "istiod", "version": "^1.27", "namespace": "istio-system"},
        {"chart": "istiod", "version": U, "namespace": "istio-system"},
        type="kubernetes:helm.sh/v3:Release",
    ),
    "k8s-no-default-namespace": Case(
        {"metadata": {"namespace": "team-a", "name": "quota"}, "spec": {"hard": {"pods": "50"}}},
        {"metadata": {"name": "quota"}, "spec": {"hard": {"pods": "50"}}},
        {"metadata": {"namespace": U}},
    ),
    "k8s-workload-baseline": Case(
        {
            "metadata": {"namespace": "team-a"},
            "spec": {
                "template": {"spec": {"containers": [{"name": "app", "image": "x@sha256:1"}]}}
            },
        },
        {
            "metadata": {"namespace": "team-a"},
            "spec": {"template": {"spec": {"hostNetwork": True, "containers": [{"name": "app"}]}}},
        },
        {
            "metadata": {"namespace": "team-a"},
            "spec": {"template": {"spec": {"hostNetwork": U, "containers": []}}},
        },
        type="kubernetes:apps/v1:Deployment",
    ),
    # --- function capacity (Karpenter, interruption queue)
    "karpenter-nodeclass-imdsv2": Case(
        NODE_CLASS_OK,
        {"spec": {**NODE_CLASS_OK["spec"], "metadataOptions": {"httpTokens": "optional"}}},
        {"spec": {"metadataOptions": {"httpEndpoint": "enabled", "httpTokens": U}}},
    ),
    "karpenter-nodeclass-ebs-encrypted": Case(
        NODE_CLASS_OK,
        {"spec": {"blockDeviceMappings": [{"rootVolume": True, "ebs": {"encrypted": False}}]}},
        {"spec": {"blockDeviceMappings": U}},
    ),
    "karpenter-nodepool-bounded": Case(
        NODE_POOL_OK,
        {
            "spec": {
                "template": {
                    "metadata": {"labels": {"faas.platform/pool": "system"}},
                    "spec": {"expireAfter": "Never"},
                },
                "disruption": {"budgets": []},
            }
        },
        {"spec": {**NODE_POOL_OK["spec"], "limits": U}},
    ),
    "sqs-queue-encrypted": Case(
        {"sqsManagedSseEnabled": True}, {"name": "q"}, {"sqsManagedSseEnabled": U}
    ),
    "iam-pod-identity-trust-pinned": Case(
        {"assumeRolePolicy": TRUST_POD_IDENTITY},
        {"assumeRolePolicy": policy({**POD_IDENTITY_STMT, "Condition": {}})},
        {"assumeRolePolicy": U},
    ),
    "iam-scoped-mutations": Case(
        {"policy": policy(*SCOPED_EC2)},
        {
            "policy": policy(
                {"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            )
        },
        {"policy": U},
        type="aws:iam/rolePolicy:RolePolicy",
    ),
    # --- stack invariants
    "stack-system-node-group": Case(
        [R(CLUSTER, "eks", CLUSTER_OK), R(NODE_GROUP, "system", SYSTEM_NODES)],
        [R(CLUSTER, "eks", CLUSTER_OK), R(NODE_GROUP, "functions", NODEGROUP_OK)],
        [R(CLUSTER, "eks", CLUSTER_OK), R(NODE_GROUP, "system", {**SYSTEM_NODES, "labels": U})],
    ),
    "stack-dmz-certificate-names": Case(
        dmz_stack(
            [
                "*.faas-blue.dev.example.com",
                "*.faas.dev.example.com",
                "*.internal.faas.dev.example.com",
            ]
        ),
        dmz_stack(["*.faas-blue.dev.example.com"]),
        dmz_stack([""], cert_unknown=True),
    ),
}


# --- tests ---


RULE_NAMES = [rule.name for rule in ALL_RULES]


def evaluate(rule: Rule, example: Any, proxied: bool = True) -> list[Hit]:
    wrap = unknown_checking_proxy if proxied else (lambda props: props)
    settings = rule.settings(None)
    if rule.is_stack:
        resources = [
            Resource(
                type=r.type,
                urn=r.urn,
                props=wrap(r.props),
                property_dependencies={
                    prop: tuple(R(t, n, {}).urn for n in names for t in _types_named(example, n))
                    for prop, names in r.deps.items()
                },
            )
            for r in example
        ]
        return run_stack_rule(rule, resources, settings)
    case = CASES[rule.name]
    rtype = case.type or rule.types[0]
    res = Resource(type=rtype, urn=f"urn:pulumi:t::p::{rtype}::r", props=wrap(example))
    return run_resource_rule(rule, res, settings)


def _types_named(example: list[R], name: str) -> list[str]:
    return [r.type for r in example if r.name == name]


def test_every_rule_has_cases() -> None:
    assert sorted(CASES) == sorted(RULE_NAMES)


@pytest.mark.parametrize("name", RULE_NAMES)
def test_compliant(name: str) -> None:
    assert evaluate(RULES_BY_NAME[name], CASES[name].good) == []


@pytest.mark.parametrize("name", RULE_NAMES)
def test_non_compliant(name: str) -> None:
    hits = evaluate(RULES_BY_NAME[name], CASES[name].bad)
    assert hits, f"{name} did not flag its non-compliant example"
    assert all(not h.deferred and h.message for h in hits)


@pytest.mark.parametrize("proxied", [True, False], ids=["sdk-proxy", "plain-dict"])
@pytest.mark.parametrize("name", RULE_NAMES)
def test_unknown_defers(name: str, proxied: bool) -> None:
    """No crash, no silent pass: at least one deferred finding, and no false violation."""
    hits = evaluate(RULES_BY_NAME[name], CASES[name].unknown, proxied=proxied)
    assert any(h.deferred for h in hits), f"{name} passed silently on an unknown"
    assert all("cannot check yet" in h.message for h in hits if h.deferred)
    assert not [h for h in hits if not h.deferred], f"{name} flagged a violation it cannot know"


def test_rule_metadata_is_complete() -> None:
    for rule in ALL_RULES:
        assert rule.level in ("advisory", "mandatory"), rule.name
        assert rule.severity in ("low", "medium", "high", "critical"), rule.name
        assert rule.source and rule.description and rule.fix, rule.name
        # The description must cite where the rule comes from.
        assert any(
            s in rule.source
            for s in ("CKV", "CIS EKS", "Pod Security", "platform invariant", "Security Hub")
        ), rule.name


def test_unknown_sentinel_matches_preview_json() -> None:
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    assert U == UNKNOWN_STRING_VALUE


TWO_TYPES = ["m5.large", "m6i.large"]


@pytest.mark.parametrize(
    ("name", "props", "flagged"),
    [
        ("route53-weight-range", weighted("b", "blue", 255).props, False),
        ("route53-weight-range", weighted("b", "blue", 0).props, False),
        ("route53-weight-range", weighted("b", "blue", 256).props, True),
        ("route53-weight-range", weighted("b", "blue", -1).props, True),
        ("log-group-retention-minimum", {"retentionInDays": 365}, False),
        ("log-group-retention-minimum", {"retentionInDays": 364}, True),
        ("nodegroup-spot-diversity", {**NODEGROUP_OK, "instanceTypes": TWO_TYPES}, False),
        ("nodegroup-spot-diversity", {**NODEGROUP_OK, "instanceTypes": ["m5.large"] * 2}, True),
        ("nodegroup-spot-diversity", {**SYSTEM_NODES, "instanceTypes": ["m5.large"]}, False),
    ],
)  # fmt: skip
def test_limits_are_inclusive_where_the_rule_says(name: str, props: Any, flagged: bool) -> None:
    """The boundary values themselves (defaults: weight 0..255, minDays 365, 2 spot types)."""
    hits = evaluate(RULES_BY_NAME[name], props)
    assert bool([h for h in hits if not h.deferred]) is flagged, hits
