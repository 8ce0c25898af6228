"""Karpenter: the nodes functions run on, launched when Knative scales out, removed when idle.

On the on-demand system nodes (never on a node it launched: the chart's default affinity keeps it
off `karpenter.sh/nodepool` nodes), with its own IAM role through EKS Pod Identity, pinned to this
cluster, its namespace and service account (components/capacity/iam.py for the permissions). It
reads spot interruption warnings and the other events from `InterruptionQueue`. Its nodes use a
separate node role, admitted to the cluster by an `EC2_LINUX` access entry, and the one function
NodePool and EC2NodeClass (components/capacity/nodepool.py).

The static spot node groups stay as a floor (README, "Function capacity"): Karpenter adds and
removes everything above it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core.v1 import Namespace
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components import constants as c
from components import naming, versions
from components.capacity import iam, nodepool
from components.capacity.interruption import InterruptionQueue, InterruptionQueueArgs
from components.compute.nodegroups import NODE_POLICIES
from components.compute.record import ClusterRecord
from components.config.capacity import CapacityConfig
from components.constants import arn_parts
from components.serving import placement
from components.serving.helm import pinned_release
from components.serving.podsecurity import pss_labels
from components.shared.iam import cluster_arn, pod_identity_trust_document, service_trust
from components.shared.identity import Identity

COMPONENT = "capacity"
NODE_CLASS = naming.FUNCTIONS_NODE_POOL


@dataclass
class KarpenterArgs:
    identity: Identity
    settings: CapacityConfig
    """The validated `faas:capacity` section."""
    cluster: ClusterRecord
    """The colour's cluster, with its Kubernetes provider (nodes exist)."""


def controller_values(cluster: ClusterRecord, queue_name: pulumi.Input[str]) -> dict:
    """Values of the `karpenter` chart (settings: charts/karpenter/values.yaml)."""
    return {
        "settings": {
            "clusterName": cluster.name,
            "clusterEndpoint": cluster.endpoint,
            "interruptionQueue": queue_name,
        },
        "serviceAccount": {"create": True, "name": c.KARPENTER_SERVICE_ACCOUNT},
        "replicas": 2,
        # The system pool, like every control plane (docs/design.md, known traps).
        "nodeSelector": placement.system_node_selector(),
        "tolerations": [
            *placement.system_tolerations(),
            {"key": "CriticalAddonsOnly", "operator": "Exists"},
        ],
        "controller": {
            "resources": {
                "requests": {"cpu": "250m", "memory": "512Mi"},
                "limits": {"cpu": "1", "memory": "1Gi"},
            }
        },
    }


class Karpenter(pulumi.ComponentResource):
    node_pool: CustomResource

    def __init__(self, name: str, args: KarpenterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:capacity:Karpenter", name, None, opts)
        ident, cluster, cfg = args.identity, args.cluster, args.settings
        cname = naming.cluster_name(ident.environment, ident.color)
        child = pulumi.ResourceOptions(parent=self)

        # Function nodes: their own role (the managed groups' role is EKS's to manage), the
        # same two policies; vpc-cni has its own IRSA role, so no CNI policy here.
        node_role_name = ident.name("karpenter-node")
        node_role = aws.iam.Role(
            node_role_name,
            name=node_role_name,
            assume_role_policy=service_trust("ec2.amazonaws.com"),
            tags=ident.tags(node_role_name, COMPONENT),
            opts=child,
        )
        for key, arn in NODE_POLICIES.items():
            aws.iam.RolePolicyAttachment(
                ident.name("karpenter-node", key), role=node_role.name, policy_arn=arn, opts=child
            )
        node_access = aws.eks.AccessEntry(
            node_role_name,
            cluster_name=cluster.name,
            principal_arn=node_role.arn,
            type="EC2_LINUX",
            tags=ident.tags(node_role_name, COMPONENT),
            opts=child,
        )
        # The cluster security group is EKS's; tagging it lets the EC2NodeClass find it.
        aws.ec2.Tag(
            ident.name("karpenter-discovery-sg"),
            resource_id=cluster.security_group_id,
            key=naming.KARPENTER_DISCOVERY_TAG,
            value=cname,
            opts=child,
        )

        interruptions = InterruptionQueue(
            naming.child_name(name, "interruptions"), InterruptionQueueArgs(identity=ident), child
        )
        queue = interruptions.queue

        role_name = ident.name("karpenter-controller")
        arn = cluster.oidc_provider_arn.apply(
            lambda p: cluster_arn(arn_parts(p)[0], cluster.region, arn_parts(p)[1], cname)
        )
        role = aws.iam.Role(
            role_name,
            name=role_name,
            description="Karpenter controller via EKS Pod Identity",
            assume_role_policy=arn.apply(
                lambda arn: pod_identity_trust_document(
                    arn, c.KARPENTER_NAMESPACE, c.KARPENTER_SERVICE_ACCOUNT
                )
            ),
            tags=ident.tags(role_name, COMPONENT),
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            role_name,
            name=role_name,
            role=role.id,
            policy=pulumi.Output.all(cluster.oidc_provider_arn, node_role.arn, queue.arn).apply(
                lambda a: iam.controller_policy(cname, cluster.region, *arn_parts(a[0]), a[1], a[2])
            ),
            opts=child,
        )
        association = aws.eks.PodIdentityAssociation(
            role_name,
            cluster_name=cluster.name,
            namespace=c.KARPENTER_NAMESPACE,
            service_account=c.KARPENTER_SERVICE_ACCOUNT,
            role_arn=role.arn,
            tags=ident.tags(role_name, COMPONENT),
            opts=child,
        )

        # Karpenter's pods meet `restricted` (charts/karpenter/templates/deployment.yaml).
        ns = Namespace(
            naming.child_name(name, "ns"),
            metadata=ObjectMetaArgs(name=c.KARPENTER_NAMESPACE, labels=pss_labels("restricted")),
            opts=child,
        )
        crds = pinned_release(
            "karpenter-crd",
            "karpenter-crd",
            c.KARPENTER_NAMESPACE,
            {},
            pulumi.ResourceOptions(parent=self, depends_on=[ns]),
            release=cluster.release,
        )
        controller = pinned_release(
            "karpenter",
            "karpenter",
            c.KARPENTER_NAMESPACE,
            controller_values(cluster, queue.name),
            pulumi.ResourceOptions(
                parent=self, depends_on=[ns, crds, policy, association, node_access]
            ),
            skip_crds=True,
            release=cluster.release,
        )
        after = pulumi.ResourceOptions(parent=self, depends_on=[crds, controller])
        CustomResource(
            naming.child_name(name, "node-class"),
            api_version="karpenter.k8s.aws/v1",
            kind=nodepool.NODE_CLASS_KIND,
            metadata=ObjectMetaArgs(name=NODE_CLASS),
            spec=node_role.name.apply(
                lambda role_name_: nodepool.node_class_spec(
                    cfg, cname, role_name_, versions.KARPENTER_NODE_AMI_ALIAS, _node_tags(ident)
                )
            ),
            opts=after,
        )
        self.node_pool = CustomResource(
            naming.child_name(name, "node-pool"),
            api_version="karpenter.sh/v1",
            kind="NodePool",
            metadata=ObjectMetaArgs(
                name=naming.FUNCTIONS_NODE_POOL,
                annotations={nodepool.EXPECTED_CPU_ANNOTATION: cfg.expected_cpu},
            ),
            spec=nodepool.node_pool_spec(cfg, NODE_CLASS),
            opts=after,
        )
        self.register_outputs({"interruptionQueue": queue.name, "nodeRoleArn": node_role.arn})


def _node_tags(ident: Identity) -> dict[str, str]:
    """Tags on every function node and volume, for cost and ownership reports. Karpenter sets
    `Name` and its own keys itself and refuses ours for those."""
    tags = ident.tags("unused", COMPONENT, ManagedBy="karpenter")
    tags.pop("Name")
    return tags
