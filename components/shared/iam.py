"""IAM policy documents the components build: trust policies (service, confined service, IRSA) and
statements that may hold Outputs."""

from __future__ import annotations

import json
from typing import Any

import pulumi


def policy_json(statements: list[dict[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document from statements that may hold Outputs (ARNs of other resources)."""
    return pulumi.Output.from_input(statements).apply(
        lambda s: json.dumps({"Version": "2012-10-17", "Statement": s}, sort_keys=True)
    )


def service_trust(service: str) -> str:
    """Trust policy for an AWS service principal (EKS, EC2, flow logs)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        },
        sort_keys=True,
    )


def confined_service_trust(
    service: str, source_account: pulumi.Input[str], source_arn: pulumi.Input[str]
) -> pulumi.Output[str]:
    """`service_trust` that the service may use only on behalf of our own account and resources
    (`aws:SourceAccount` + `aws:SourceArn`), so another customer cannot make the service assume
    our role for their resource (confused deputy):
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"""
    return pulumi.Output.all(source_account, source_arn).apply(
        lambda a: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": service},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": a[0]},
                            "ArnLike": {"aws:SourceArn": a[1]},
                        },
                    }
                ],
            },
            sort_keys=True,
        )
    )


def irsa_trust_document(
    oidc_provider_arn: str, issuer: str, namespace: str, service_account: str
) -> str:
    """IRSA trust pinned to one service account (`sub`) and to STS as the audience (`aud`), so no
    other pod in the cluster can assume the role. `issuer` is the issuer URL without https://."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": oidc_provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                            f"{issuer}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        },
        sort_keys=True,
    )


def irsa_trust(
    oidc_provider_arn: pulumi.Input[str],
    issuer: pulumi.Input[str],
    namespace: str,
    service_account: str,
) -> pulumi.Output[str]:
    """`irsa_trust_document` for a cluster whose provider ARN and issuer are still Outputs."""
    return pulumi.Output.all(oidc_provider_arn, issuer).apply(
        lambda a: irsa_trust_document(a[0], a[1], namespace, service_account)
    )


def cluster_arn(partition: str, region: str, account: str, cluster: str) -> str:
    return f"arn:{partition}:eks:{region}:{account}:cluster/{cluster}"


def pod_identity_trust_document(cluster_arn: str, namespace: str, service_account: str) -> str:
    """Trust for an EKS Pod Identity association, pinned to one cluster, namespace and service
    account through the session tags Pod Identity sets (eks-cluster-arn, kubernetes-namespace,
    kubernetes-service-account), so no other association in the account can use the role:
    https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html"""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "pods.eks.amazonaws.com"},
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                    "Condition": {
                        "StringEquals": {
                            "aws:RequestTag/eks-cluster-arn": cluster_arn,
                            "aws:RequestTag/kubernetes-namespace": namespace,
                            "aws:RequestTag/kubernetes-service-account": service_account,
                        }
                    },
                }
            ],
        },
        sort_keys=True,
    )
