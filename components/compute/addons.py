"""EKS managed addons at pinned versions, with IRSA roles for the ones that call AWS APIs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import naming
from components.compute.record import ClusterRecord
from components.shared.iam import irsa_trust
from components.shared.identity import Identity

COMPONENT = "cluster"

# Addons that call AWS APIs, with their service account and the AWS managed policy they need.
# vpc-cni gets the CNI policy through IRSA so the node role does not need it (least privilege).
_IRSA = {
    "vpc-cni": ("kube-system", "aws-node", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"),
    "aws-ebs-csi-driver": (
        "kube-system",
        "ebs-csi-controller-sa",
        "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
    ),
}

_SYSTEM_PLACEMENT = {
    "tolerations": [
        {
            "key": naming.SYSTEM_TAINT["key"],
            "operator": "Equal",
            "value": naming.SYSTEM_TAINT["value"],
            "effect": "NoSchedule",
        }
    ],
    "nodeSelector": {naming.POOL_LABEL: naming.SYSTEM_POOL},
}
# Deployments among the addons run on the system nodes (DaemonSets run everywhere anyway).
_CONFIGURATION = {
    # The VPC CNI enforces Kubernetes NetworkPolicies (the tenants' default-deny) only when asked.
    "vpc-cni": {"enableNetworkPolicy": "true"},
    "coredns": {**_SYSTEM_PLACEMENT, "replicaCount": 2},
    "aws-ebs-csi-driver": {"controller": _SYSTEM_PLACEMENT},
}


@dataclass
class AddonArgs:
    identity: Identity
    cluster: ClusterRecord
    """The cluster; its release gives each add-on's version."""
    addons: list[str] = field(default_factory=list)
    """Add-on names; each is installed at the version the cluster's release pins."""
    after: list[pulumi.Resource] = field(default_factory=list)
    """What must exist before the addons (the node groups, for addons that run Deployments).
    Given to each addon: `depends_on` on a component does not hold back its children."""


class Addons(pulumi.ComponentResource):
    def __init__(self, name: str, args: AddonArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:cluster:Addons", name, None, opts)
        ident = args.identity
        pinned = args.cluster.release.addons
        self.addons: dict[str, aws.eks.Addon] = {}
        for addon in args.addons:
            role_arn = None
            if addon in _IRSA:
                ns, sa, policy = _IRSA[addon]
                role_name = ident.name(addon, "role")
                role = aws.iam.Role(
                    role_name,
                    assume_role_policy=irsa_trust(
                        args.cluster.oidc_provider_arn, args.cluster.oidc_issuer, ns, sa
                    ),
                    tags=ident.tags(role_name, COMPONENT),
                    opts=pulumi.ResourceOptions(parent=self),
                )
                aws.iam.RolePolicyAttachment(
                    role_name,
                    role=role.name,
                    policy_arn=policy,
                    opts=pulumi.ResourceOptions(parent=self),
                )
                role_arn = role.arn
            config = _CONFIGURATION.get(addon)
            self.addons[addon] = aws.eks.Addon(
                ident.name(addon),
                cluster_name=args.cluster.name,
                addon_name=addon,
                addon_version=pinned[addon],
                service_account_role_arn=role_arn,
                configuration_values=json.dumps(config, sort_keys=True) if config else None,
                # Take over what EKS may have put there, but keep manual edits on upgrade.
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="PRESERVE",
                tags=ident.tags(ident.name(addon), COMPONENT),
                opts=pulumi.ResourceOptions(parent=self, depends_on=args.after),
            )
        self.register_outputs({"addons": list(self.addons)})
