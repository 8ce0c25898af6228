"""The JSON documents of delivery: lifecycle, repository policy, trusts and role policies.

Plain functions of plain values (no Pulumi), so tests evaluate them directly against the
subjects and calls they must allow or refuse (tests/test_delivery_documents.py). Why each
document looks the way it does: docs/delivery.md.
"""

from __future__ import annotations

import json
from typing import Any

from components import constants as c
from components import naming

# What a pipeline needs to push one image and read back its digest: the layer upload calls,
# PutImage for the manifest, BatchGetImage/DescribeImages to find an image that a re-run already
# pushed (tags are immutable) and to read the digest it deploys.
PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImages",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
)
# What a node needs to pull: the manifest, then each layer (the Docker registry API's GET of a
# manifest is authorised as ecr:BatchGetImage, a blob as ecr:GetDownloadUrlForLayer).
PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
# What Knative's tag-to-digest resolution calls: its keychain logs in through the ECR credential
# helper (GetAuthorizationToken), then it sends one HEAD for the tag's manifest
# (`remote.Head` in knative/serving pkg/reconciler/revision/resolve.go, knative-v1.23.0), which
# ECR authorises as BatchGetImage. No layer is fetched and no ECR API listing is called.
RESOLVE_ACTIONS = ("ecr:BatchGetImage",)
TOKEN_ACTION = "ecr:GetAuthorizationToken"  # account-wide: takes no resource restriction


def _doc(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def repository_arn(partition: str, region: str, account: str, repo_prefix: str) -> str:
    """ARN pattern of every repository under a name prefix (`faas-dev/` or `faas-dev/payments/`)."""
    return f"arn:{partition}:ecr:{region}:{account}:repository/{repo_prefix}*"


def lifecycle_policy(keep: int) -> str:
    """Keep what a traffic block may roll back to.

    Priority 1 protects images a team pinned with a `keep-` tag (a revision it keeps routed for
    longer than `keep` releases): "an image that matches the tagging requirements of a rule
    cannot be expired by a rule with a lower priority" (Amazon ECR user guide, lifecycle
    policies). Priority 2 keeps the newest `keep` tagged images; Knative deletes non-active
    revisions beyond its max-non-active-revisions, so older images serve nothing it could still
    route to (docs/delivery.md). No rule expires untagged images: the pipeline pushes no image
    index, and the untagged children of one would otherwise be expired under their tagged index.
    """
    rules = [
        {
            "rulePriority": 1,
            "description": "pinned rollback targets (keep-*) are never expired",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["keep-*"],
                "countType": "imageCountMoreThan",
                "countNumber": 9999,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"keep the newest {keep} releases: every revision Knative may route to",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["*"],
                "countType": "imageCountMoreThan",
                "countNumber": keep,
            },
            "action": {"type": "expire"},
        },
    ]
    return json.dumps({"rules": rules}, sort_keys=True)


def pull_principals(partition: str, account: str, env: str) -> list[str]:
    """Who pulls an environment's images: each colour's nodes (kubelet) and Knative controller."""
    out = []
    for color in naming.COLORS:
        out.append(f"arn:{partition}:iam::{account}:role/{naming.node_role_pattern(env, color)}")
        out.append(
            f"arn:{partition}:iam::{account}:role/{naming.image_resolver_role_name(env, color)}"
        )
    return out


def repository_policy(partition: str, account: str, env: str, publisher_arn: str | None) -> str:
    """Both colours' nodes (and digest resolvers) may pull; the team's pipeline may push.

    The colours' roles are named by pattern (a node role's name ends in a random suffix, and a
    colour may be deployed after this policy): `Principal *` bound to this account
    (`aws:PrincipalAccount`) and to those role ARNs (`aws:PrincipalArn`), so the policy neither
    names a role that does not exist yet (ECR refuses those) nor opens the repository to anyone
    else. In one account an identity policy alone also grants a pull; this policy keeps the
    colours' pulls working if their node policy is ever narrowed to named repositories."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ColoursPull",
            "Effect": "Allow",
            "Principal": "*",
            "Action": list(PULL_ACTIONS),
            "Condition": {
                "StringEquals": {"aws:PrincipalAccount": account},
                "ArnLike": {"aws:PrincipalArn": pull_principals(partition, account, env)},
            },
        }
    ]
    if publisher_arn:
        statements.append(
            {
                "Sid": "PipelinePush",
                "Effect": "Allow",
                "Principal": {"AWS": publisher_arn},
                "Action": list(PUSH_ACTIONS),
            }
        )
    return _doc(statements)


def oidc_trust(provider_arn: str, issuer: str, audience: str, subjects: list[str]) -> str:
    """Web-identity trust for a pipeline: exactly these subjects, this audience."""
    return _doc(
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{issuer}:aud": audience, f"{issuer}:sub": sorted(subjects)}
                },
            }
        ]
    )


def publisher_policy(partition: str, region: str, account: str, env: str, team: str) -> str:
    """Push to the team's own repositories, nothing else."""
    return _doc(
        [
            {"Sid": "Login", "Effect": "Allow", "Action": TOKEN_ACTION, "Resource": "*"},
            {
                "Sid": "PushOwnRepositories",
                "Effect": "Allow",
                "Action": list(PUSH_ACTIONS),
                "Resource": repository_arn(
                    partition, region, account, naming.repository_prefix(env, team)
                ),
            },
        ]
    )


def resolver_policy(partition: str, region: str, account: str, env: str) -> str:
    """Exactly what tag-to-digest resolution calls, on the environment's repositories only."""
    return _doc(
        [
            {"Sid": "Login", "Effect": "Allow", "Action": TOKEN_ACTION, "Resource": "*"},
            {
                "Sid": "ResolveTags",
                "Effect": "Allow",
                "Action": list(RESOLVE_ACTIONS),
                "Resource": repository_arn(
                    partition, region, account, naming.repository_prefix(env)
                ),
            },
        ]
    )


# The permissions boundary of every team's function role: the most a function may ever do, however
# broad the managed policies its team attaches. Data-plane services functions call; nothing that
# changes identity (iam, sts role hops, organizations), the network or the clusters (ec2, eks),
# and nothing on resources the platform owns (tagged Project=faas-platform).
FUNCTION_SERVICES = (
    "dynamodb:*",
    "events:PutEvents",
    "execute-api:Invoke",
    "firehose:PutRecord*",
    "kinesis:*",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "lambda:InvokeFunction",
    "s3:*",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "sns:Publish",
    "sqs:*",
    "ssm:GetParameter*",
    "states:StartExecution",
    "sts:GetCallerIdentity",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
)
# Within s3:*, what would expose or unprotect data beyond the team: bucket policies, ACLs and the
# public access block (the account's and the buckets').
DENIED_S3_ADMIN = (
    "s3:DeleteBucketPolicy",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutObjectAcl",
)


def function_boundary() -> str:
    return _doc(
        [
            {
                "Sid": "FunctionServices",
                "Effect": "Allow",
                "Action": list(FUNCTION_SERVICES),
                "Resource": "*",
            },
            {
                "Sid": "NoExposure",
                "Effect": "Deny",
                "Action": list(DENIED_S3_ADMIN),
                "Resource": "*",
            },
            {
                "Sid": "NotThePlatform",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/Project": naming.PROJECT}},
            },
        ]
    )


def function_subject(team: str) -> str:
    """The IRSA subject of a team's functions."""
    return f"system:serviceaccount:{team}:{c.FUNCTION_SERVICE_ACCOUNT}"
