"""The AWS seam of the serving stack: load balancer binding, IRSA roles, CloudWatch, access entries.

Everything cloud-specific that the serving stack needs lives here, so istio/knative/observability/
auth/tenants/smoke could run on another cloud's cluster with a different seam.

* `LoadBalancerBinding`: the AWS Load Balancer Controller (Helm) only reconciles
  TargetGroupBinding here: it registers the Istio gateway pod IPs in the NLB target groups the
  edge created, and opens the node security group to the NLBs. Its IRSA role grants exactly that.
  Region and VPC are passed explicitly because our nodes keep the IMDSv2 hop limit at 1, which
  stops pods from reading instance metadata
  (https://docs.aws.amazon.com/eks/latest/userguide/best-practices-security.html).
* `LogShipping`: Fluent Bit to a KMS-encrypted CloudWatch log group with retention, via IRSA.
* `TeamAccess`: one EKS access entry per team, mapping its IAM role to its Kubernetes group.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components import constants as c
from components import naming
from components.compute.record import ClusterRecord
from components.config.serving import TeamConfig
from components.constants import arn_parts
from components.edge import EntryPointRecord
from components.serving import placement
from components.serving.helm import pinned_release
from components.serving.tenants import team_group
from components.shared.iam import irsa_trust
from components.shared.identity import Identity
from components.shared.logs import EncryptedLogGroup, EncryptedLogGroupArgs

# Read-only calls TargetGroupBinding makes: resolve the target group and its health, the VPC and
# subnets (ip targets must be in-VPC), and the ENIs/instances behind pod IPs to find the security
# group to open. Describe calls support no resource-level restriction, so they take "*".
TGB_DESCRIBE_ACTIONS = [
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
]


def lbc_policy(
    target_group_arns: list[str], node_sg_id: str, region: str, partition: str, account: str
) -> str:
    """Least privilege for TargetGroupBinding: no wildcard actions; writes on named resources."""
    sg_arn = f"arn:{partition}:ec2:{region}:{account}:security-group/{node_sg_id}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Describe",
                    "Effect": "Allow",
                    "Action": TGB_DESCRIBE_ACTIONS,
                    "Resource": "*",
                },
                {
                    "Sid": "RegisterGatewayPods",
                    "Effect": "Allow",
                    "Action": [
                        "elasticloadbalancing:DeregisterTargets",
                        "elasticloadbalancing:RegisterTargets",
                    ],
                    "Resource": sorted(target_group_arns),
                },
                {
                    "Sid": "OpenNodeSecurityGroupToNlbs",
                    "Effect": "Allow",
                    "Action": [
                        "ec2:AuthorizeSecurityGroupIngress",
                        "ec2:RevokeSecurityGroupIngress",
                    ],
                    "Resource": sg_arn,
                },
            ],
        },
        sort_keys=True,
    )


def target_group_binding_spec(entry: str, target_group_arn: str, lb_sg: str) -> dict:
    return {
        "targetGroupARN": target_group_arn,
        "targetType": "ip",
        "serviceRef": {"name": c.gateway_service(entry), "port": c.GATEWAY_HTTP_PORT},
        # The controller adds these ingress rules (traffic + health checks) to the pods' security
        # group, allowing only the NLB's own security group as the source.
        "networking": {
            "ingress": [
                {
                    "from": [{"securityGroup": {"groupID": lb_sg}}],
                    "ports": [
                        {"protocol": "TCP", "port": c.GATEWAY_HTTP_TARGET_PORT},
                        {"protocol": "TCP", "port": c.GATEWAY_STATUS_PORT},
                    ],
                }
            ]
        },
    }


@dataclass
class LoadBalancerBindingArgs:
    identity: Identity
    cluster: ClusterRecord
    vpc_id: pulumi.Input[str]
    entry_points: dict[str, EntryPointRecord]
    """Per entry point (dmz, internal): the NLB target group and security group of the edge."""
    gateways: dict[str, pulumi.Resource]
    """Gateway Helm releases per entry point: each binding needs its Service to exist."""


class LoadBalancerBinding(pulumi.ComponentResource):
    role: aws.iam.Role

    def __init__(
        self, name: str, args: LoadBalancerBindingArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:serving:LoadBalancerBinding", name, None, opts)
        ident, cluster = args.identity, args.cluster
        role_name = ident.name("lb-controller")
        self.role = aws.iam.Role(
            role_name,
            name=role_name,
            description="AWS Load Balancer Controller (TargetGroupBinding only) via IRSA",
            assume_role_policy=irsa_trust(
                cluster.oidc_provider_arn,
                cluster.oidc_issuer,
                c.LBC_NAMESPACE,
                c.LBC_SERVICE_ACCOUNT,
            ),
            tags=ident.tags(role_name, "serving"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            role_name,
            name=role_name,
            role=self.role.id,
            policy=pulumi.Output.all(
                cluster.oidc_provider_arn,
                cluster.security_group_id,
                *[args.entry_points[e].target_group_arn for e in c.GATEWAYS],
            ).apply(lambda a: lbc_policy(list(a[2:]), a[1], cluster.region, *arn_parts(a[0]))),
            opts=pulumi.ResourceOptions(parent=self),
        )
        controller = pinned_release(
            "aws-load-balancer-controller",
            "aws-load-balancer-controller",
            c.LBC_NAMESPACE,
            {
                "clusterName": cluster.name,
                "region": cluster.region,
                "vpcId": args.vpc_id,
                "replicaCount": 2,
                "podDisruptionBudget": {"maxUnavailable": 1},
                "serviceAccount": {
                    "create": True,
                    "name": c.LBC_SERVICE_ACCOUNT,
                    "annotations": {"eks.amazonaws.com/role-arn": self.role.arn},
                },
                # The NLBs belong to the edge stack: never let the controller create load
                # balancers from Services or Ingresses, nor call WAF/Shield (not in its policy).
                # The Service reconciler has a feature gate; the Ingress reconciler has none, so
                # it gets no IngressClass, no IngressClassParams and no `alb` annotation, and an
                # Ingress that still reaches it fails closed on the IAM policy (docs/deploy/
                # configurations.md in kubernetes-sigs/aws-load-balancer-controller).
                "controllerConfig": {"featureGates": {"EnableServiceController": False}},
                "enableServiceMutatorWebhook": False,
                "createIngressClassResource": False,
                "ingressClassParams": {"create": False},
                "disableIngressClassAnnotation": True,
                "enableShield": False,
                "enableWaf": False,
                "enableWafv2": False,
                **placement.system_placement(),
            },
            pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            release=cluster.release,
        )
        for entry in c.GATEWAYS:
            CustomResource(
                naming.child_name(name, entry),
                api_version="elbv2.k8s.aws/v1beta1",
                kind="TargetGroupBinding",
                metadata=ObjectMetaArgs(name=f"{entry}-gateway", namespace=c.ISTIO_NAMESPACE),
                spec=pulumi.Output.all(
                    args.entry_points[entry].target_group_arn,
                    args.entry_points[entry].security_group_id,
                ).apply(lambda a, e=entry: target_group_binding_spec(e, a[0], a[1])),
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[controller, args.gateways[entry]]
                ),
            )
        self.register_outputs({"roleArn": self.role.arn})


@dataclass
class LogShippingArgs:
    identity: Identity
    cluster: ClusterRecord
    retention_days: int
    namespace: pulumi.Resource
    """The observability namespace the Fluent Bit DaemonSet runs in."""


def log_group_name(ident: Identity) -> str:
    return f"/faas/{ident.name()}/containers"


class LogShipping(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: LogShippingArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:serving:LogShipping", name, None, opts)
        ident, cluster = args.identity, args.cluster
        group_name = log_group_name(ident)
        log_group = EncryptedLogGroup(
            ident.name("container-logs"),
            EncryptedLogGroupArgs(
                identity=ident, role="container-logs", component="serving",
                log_name=group_name, retention_days=args.retention_days,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )  # fmt: skip
        role_name = ident.name("fluent-bit")
        role = aws.iam.Role(
            role_name,
            name=role_name,
            description="Fluent Bit: ship container logs to CloudWatch via IRSA",
            assume_role_policy=irsa_trust(
                cluster.oidc_provider_arn,
                cluster.oidc_issuer,
                c.OBSERVABILITY_NAMESPACE,
                c.FLUENT_BIT_SERVICE_ACCOUNT,
            ),
            tags=ident.tags(role_name, "serving"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The group is created here, so the role cannot create groups; it writes to this one only.
        policy = aws.iam.RolePolicy(
            role_name,
            name=role_name,
            role=role.id,
            policy=log_group.arn.apply(
                lambda g: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:DescribeLogStreams",
                                    "logs:PutLogEvents",
                                ],
                                "Resource": [g, f"{g}:log-stream:*"],
                            }
                        ],
                    },
                    sort_keys=True,
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        pinned_release(
            "aws-for-fluent-bit",
            "aws-for-fluent-bit",
            c.OBSERVABILITY_NAMESPACE,
            {
                "serviceAccount": {
                    "create": True,
                    "name": c.FLUENT_BIT_SERVICE_ACCOUNT,
                    "annotations": {"eks.amazonaws.com/role-arn": role.arn},
                },
                "cloudWatchLogs": {
                    "enabled": True,
                    "region": cluster.region,
                    "logGroupName": group_name,
                    "autoCreateGroup": False,
                },
                "firehose": {"enabled": False},
                "kinesis": {"enabled": False},
                "elasticsearch": {"enabled": False},
                # A DaemonSet: every node, including the tainted system group.
                "tolerations": placement.everywhere_tolerations(),
            },
            pulumi.ResourceOptions(parent=self, depends_on=[policy, args.namespace]),
            release=cluster.release,
        )
        self.register_outputs({"logGroupName": group_name})


@dataclass
class TeamAccessArgs:
    identity: Identity
    cluster: ClusterRecord
    teams: tuple[TeamConfig, ...]


class TeamAccess(pulumi.ComponentResource):
    """EKS access entries: team IAM role -> the Kubernetes group tenants.py binds to a Role."""

    def __init__(self, name: str, args: TeamAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:serving:TeamAccess", name, None, opts)
        for team in args.teams:
            entry_name = args.identity.name("team", team.name)
            aws.eks.AccessEntry(
                entry_name,
                cluster_name=args.cluster.name,
                principal_arn=team.iam_role_arn,
                type="STANDARD",
                kubernetes_groups=[team_group(team.name)],
                tags=args.identity.tags(entry_name, "serving"),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
