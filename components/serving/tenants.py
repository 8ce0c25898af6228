"""Team onboarding: one namespace per team, fenced and budgeted, bound to the team's IAM role.

Each namespace enforces the restricted Pod Security Standard (Knative's `secure-pod-defaults` fills
in what authors omit), gets Istio sidecars (possible under `restricted` thanks to istio-cni), a
ResourceQuota and LimitRange from the team's config, a default-deny ingress NetworkPolicy plus the
ingress the platform needs (gateways, activator, Prometheus), and a Role for the team's Kubernetes
group. The group is mapped to the team's IAM role by an EKS access entry in aws.py. The `functions`
service account carries the team's function role (IRSA, components/delivery/identities.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.core.v1 import (
    LimitRange,
    LimitRangeItemArgs,
    LimitRangeSpecArgs,
    Namespace,
    ResourceQuota,
    ResourceQuotaSpecArgs,
    ServiceAccount,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    NetworkPolicy,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicyPeerArgs,
    NetworkPolicySpecArgs,
)
from pulumi_kubernetes.rbac.v1 import (
    PolicyRuleArgs,
    Role,
    RoleBinding,
    RoleRefArgs,
    SubjectArgs,
)

from components import constants as c
from components import naming
from components.capacity import podsize
from components.config.serving import TeamConfig
from components.serving.podsecurity import pss_labels

# Namespaces whose pods legitimately call into function pods.
PLATFORM_INGRESS_NAMESPACES = (
    c.ISTIO_NAMESPACE,  # the dmz/internal gateways
    c.KNATIVE_SERVING_NAMESPACE,  # activator (scale from zero), autoscaler metric scrapes
    c.KNATIVE_EVENTING_NAMESPACE,  # broker/trigger delivery
    c.OBSERVABILITY_NAMESPACE,  # Prometheus
)


def team_group(team: str) -> str:
    """Kubernetes group the team's IAM role maps to (no `system:` prefix: EKS rejects it)."""
    return f"faas-team-{team}"


def namespace_labels(team: str) -> dict[str, str]:
    return {
        **pss_labels("restricted"),
        naming.TENANT_LABEL: team,
        "istio-injection": "enabled",
    }


# What a team may do in its namespace: run functions, read what they produce; no RBAC/quota edits.
DEVELOPER_RULES = [
    PolicyRuleArgs(
        api_groups=["serving.knative.dev"],
        resources=["services", "configurations", "routes", "revisions"],
        verbs=["get", "list", "watch", "create", "update", "patch", "delete"],
    ),
    PolicyRuleArgs(
        api_groups=["eventing.knative.dev", "sources.knative.dev"],
        resources=["brokers", "triggers", "pingsources", "apiserversources"],
        verbs=["get", "list", "watch", "create", "update", "patch", "delete"],
    ),
    PolicyRuleArgs(
        api_groups=[""],
        resources=["configmaps", "secrets"],
        verbs=["get", "list", "watch", "create", "update", "patch", "delete"],
    ),
    PolicyRuleArgs(
        api_groups=["", "events.k8s.io"],
        resources=["pods", "pods/log", "events", "services", "endpoints"],
        verbs=["get", "list", "watch"],
    ),
]


def fence(
    name: str,
    namespace: str,
    cpu: str,
    memory: str,
    pods: int,
    parent: pulumi.Resource,
    ns: Namespace,
) -> None:
    """Quota, default limits, default-deny ingress and the platform's allowed ingress.

    Shared by team namespaces and the platform's own smoke namespace.
    """
    meta = lambda n: ObjectMetaArgs(name=n, namespace=namespace)  # noqa: E731
    child = pulumi.ResourceOptions(parent=parent, depends_on=[ns])
    ResourceQuota(
        naming.child_name(name, "quota"),
        metadata=meta("team-quota"),
        spec=ResourceQuotaSpecArgs(
            hard={
                "requests.cpu": cpu,
                "requests.memory": memory,
                "limits.cpu": cpu,
                "limits.memory": memory,
                "pods": str(pods),
            }
        ),
        opts=child,
    )
    # With a quota on limits every container needs limits; these defaults fill them in for the
    # function container. queue-proxy and the Istio containers bring their own
    # (components/capacity/podsize.py), so the quota counts exactly what the sizes there say.
    LimitRange(
        naming.child_name(name, "limits"),
        metadata=meta("team-defaults"),
        spec=LimitRangeSpecArgs(
            limits=[
                LimitRangeItemArgs(
                    type="Container",
                    default=dict(podsize.FUNCTION_DEFAULT_RESOURCES["limits"]),
                    default_request=dict(podsize.FUNCTION_DEFAULT_RESOURCES["requests"]),
                    max=dict(podsize.CONTAINER_MAX),
                )
            ]
        ),
        opts=child,
    )
    NetworkPolicy(
        naming.child_name(name, "default-deny"),
        metadata=meta("default-deny-ingress"),
        spec=NetworkPolicySpecArgs(pod_selector=LabelSelectorArgs(), policy_types=["Ingress"]),
        opts=child,
    )
    NetworkPolicy(
        naming.child_name(name, "allow-platform"),
        metadata=meta("allow-platform-ingress"),
        spec=NetworkPolicySpecArgs(
            pod_selector=LabelSelectorArgs(),
            policy_types=["Ingress"],
            ingress=[
                NetworkPolicyIngressRuleArgs(
                    from_=[
                        NetworkPolicyPeerArgs(
                            namespace_selector=LabelSelectorArgs(
                                match_labels={"kubernetes.io/metadata.name": src}
                            )
                        )
                        for src in (*PLATFORM_INGRESS_NAMESPACES, namespace)
                    ]
                )
            ],
        ),
        opts=child,
    )


@dataclass
class TenantArgs:
    team: TeamConfig
    function_role_arn: pulumi.Input[str] | None = None
    """The team's function role: the `functions` service account's IRSA annotation."""


class TeamNamespace(pulumi.ComponentResource):
    namespace: Namespace

    def __init__(self, name: str, args: TenantArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:serving:TeamNamespace", name, None, opts)
        t = args.team
        self.namespace = Namespace(
            naming.child_name(name, "ns"),
            metadata=ObjectMetaArgs(name=t.name, labels=namespace_labels(t.name)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        fence(name, t.name, t.cpu, t.memory, t.pods, self, self.namespace)
        meta = lambda n: ObjectMetaArgs(name=n, namespace=t.name)  # noqa: E731
        child = pulumi.ResourceOptions(parent=self, depends_on=[self.namespace])
        role = Role(
            naming.child_name(name, "developer"),
            metadata=meta("faas-developer"),
            rules=DEVELOPER_RULES,
            opts=child,
        )
        RoleBinding(
            naming.child_name(name, "developer-binding"),
            metadata=meta("faas-developer"),
            role_ref=RoleRefArgs(
                api_group="rbac.authorization.k8s.io", kind="Role", name="faas-developer"
            ),
            subjects=[
                SubjectArgs(
                    kind="Group", name=team_group(t.name), api_group="rbac.authorization.k8s.io"
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role]),
        )
        if args.function_role_arn is not None:
            # A function that calls AWS names this account; its pods get the role's web identity
            # token from the EKS webhook, and no Kubernetes API token (functions never call it).
            ServiceAccount(
                naming.child_name(name, "functions-sa"),
                metadata=ObjectMetaArgs(
                    name=c.FUNCTION_SERVICE_ACCOUNT,
                    namespace=t.name,
                    annotations={"eks.amazonaws.com/role-arn": args.function_role_arn},
                ),
                automount_service_account_token=False,
                opts=child,
            )
        self.register_outputs({"namespace": t.name})
