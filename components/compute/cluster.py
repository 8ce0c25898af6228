"""The EKS control plane of one colour: IAM, secrets encryption, logs, access, IRSA, kubeconfig.

`Cluster` returns one `ClusterRecord`, the facts every later component needs about the cluster
(name, endpoint, OIDC provider and issuer, region, security group, kubeconfig and, once the nodes
exist, the Kubernetes provider), so they are passed as one value, never as loose fields
(docs/design.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components import naming
from components.compute.addons import AddonArgs, Addons
from components.compute.record import ClusterRecord
from components.config import ClusterConfig
from components.shared.iam import policy_json, service_trust
from components.shared.identity import Identity
from components.shared.kms import EncryptionKey, EncryptionKeyArgs
from components.shared.logs import EncryptedLogGroup, EncryptedLogGroupArgs
from components.versions import Release

COMPONENT = "cluster"
# checkov CKV_AWS_37 / CIS EKS 2.1.1: every control-plane log type.
LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


@dataclass
class ClusterArgs:
    identity: Identity
    settings: ClusterConfig
    release: Release
    """The colour's release: the control plane's Kubernetes minor and the add-on versions."""
    region: str
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets: the control plane's network interfaces and the nodes live there."""


class Cluster(pulumi.ComponentResource):
    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:cluster:Cluster", name, None, opts)
        ident, cfg = args.identity, args.settings
        cname = naming.cluster_name(ident.environment, ident.color)
        child = pulumi.ResourceOptions(parent=self)

        role_name = ident.name("cluster-role")
        role = aws.iam.Role(
            role_name,
            assume_role_policy=service_trust("eks.amazonaws.com"),
            tags=ident.tags(role_name, COMPONENT),
            opts=child,
        )
        attachment = aws.iam.RolePolicyAttachment(
            role_name,
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            opts=child,
        )

        secrets_key = EncryptionKey(
            ident.name("secrets-key"),
            EncryptionKeyArgs(identity=ident, role="secrets", component=COMPONENT),
            opts=child,
        )
        # AmazonEKSClusterPolicy grants no KMS actions, and EKS uses the cluster role to check the
        # secrets key (ListGrants/DescribeKey from its health-check session) and to use it; the
        # key policy delegates to IAM (account root), so the role's own policy is what allows it.
        # Scoped to this one key. https://github.com/terraform-aws-modules/terraform-aws-eks/issues/1913
        key_access = aws.iam.RolePolicy(
            ident.name("cluster-role", "secrets-key"),
            role=role.id,
            policy=policy_json(
                [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "kms:Encrypt",
                            "kms:Decrypt",
                            "kms:ListGrants",
                            "kms:DescribeKey",
                        ],
                        "Resource": secrets_key.arn,
                    }
                ]
            ),
            opts=child,
        )
        log_name = f"/aws/eks/{cname}/cluster"
        # Created before the cluster with EKS's own name, so EKS writes into a group that has a
        # retention and a key instead of creating an unencrypted, never-expiring one.
        log_group = EncryptedLogGroup(
            ident.name("control-plane-logs"),
            EncryptedLogGroupArgs(
                identity=ident, role="control-plane-logs", component=COMPONENT,
                log_name=log_name, retention_days=cfg.log_retention_days,
            ),
            opts=child,
        )  # fmt: skip

        self.eks = aws.eks.Cluster(
            cname,
            name=cname,
            role_arn=role.arn,
            version=args.release.kubernetes,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=list(args.subnet_ids),
                endpoint_private_access=True,
                # CIS EKS 5.4.2 / checkov CKV_AWS_38, 39: public endpoint off unless an allow-list
                # is configured (config validation refuses 0.0.0.0/0).
                endpoint_public_access=bool(cfg.public_access_cidrs),
                public_access_cidrs=list(cfg.public_access_cidrs) or None,
            ),
            enabled_cluster_log_types=LOG_TYPES,
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=secrets_key.arn),
            ),
            # API-only authentication: access entries instead of the aws-auth ConfigMap, and the
            # creator gets no hidden admin binding (admins are explicit below).
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False
            ),
            kubernetes_network_config=aws.eks.ClusterKubernetesNetworkConfigArgs(
                service_ipv4_cidr=cfg.service_cidr
            ),
            # The managed addons below own vpc-cni, kube-proxy and coredns with pinned versions.
            bootstrap_self_managed_addons=False,
            # Never drift into extended support ($0.60/h instead of $0.10/h): upgrade by blue/green.
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            tags=ident.tags(cname, COMPONENT),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[attachment, key_access, log_group.group]
            ),
        )

        for i, admin in enumerate(cfg.admin_role_arns):
            entry = aws.eks.AccessEntry(
                ident.name("admin", str(i)),
                cluster_name=self.eks.name,
                principal_arn=admin,
                type="STANDARD",
                tags=ident.tags(ident.name("admin", str(i)), COMPONENT),
                opts=child,
            )
            aws.eks.AccessPolicyAssociation(
                ident.name("admin", str(i)),
                cluster_name=self.eks.name,
                principal_arn=admin,
                policy_arn=ADMIN_POLICY,
                access_scope={"type": "cluster"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
            )

        issuer_url = self.eks.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            ident.name("oidc"),
            url=issuer_url,
            client_id_lists=["sts.amazonaws.com"],
            tags=ident.tags(ident.name("oidc"), COMPONENT),
            opts=child,
        )

        kubeconfig_json = pulumi.Output.secret(
            pulumi.Output.all(
                self.eks.name,
                self.eks.endpoint,
                self.eks.certificate_authority.data,
            ).apply(lambda a: kubeconfig(a[0], a[1], a[2], args.region))
        )
        self.record = ClusterRecord(
            name=self.eks.name,
            endpoint=self.eks.endpoint,
            oidc_provider_arn=self.oidc_provider.arn,
            oidc_issuer=issuer_url.apply(lambda u: u.removeprefix("https://")),
            region=args.region,
            security_group_id=self.eks.vpc_config.cluster_security_group_id,
            kubeconfig=kubeconfig_json,
            release=args.release,
        )
        # Addons the nodes need to become Ready (networking); coredns and the EBS CSI driver need
        # running nodes and are added after the node groups (components/platform.py).
        self.base_addons = Addons(
            ident.name("base-addons"),
            AddonArgs(
                identity=ident,
                cluster=self.record,
                addons=["vpc-cni", "kube-proxy", "eks-pod-identity-agent"],
            ),
            opts=child,
        )

        self.register_outputs(
            {
                "name": self.record.name,
                "endpoint": self.record.endpoint,
                "oidc_provider_arn": self.record.oidc_provider_arn,
                "kubeconfig": self.record.kubeconfig,
            }
        )


def with_kubernetes_provider(
    ident: Identity, cluster: Cluster, after: list[pulumi.Resource]
) -> ClusterRecord:
    """The cluster's record with the Kubernetes provider every in-cluster component uses. The
    provider depends on `after` (the node groups and the addons that need nodes): each Kubernetes
    resource uses it, so none is sent to the API before there are nodes to run it, without
    repeating depends_on on each."""
    provider = k8s.Provider(
        ident.name("k8s"),
        kubeconfig=cluster.record.kubeconfig,
        enable_server_side_apply=True,
        opts=pulumi.ResourceOptions(parent=cluster, depends_on=after),
    )
    return replace(cluster.record, provider=provider)


def kubeconfig(name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig that gets short-lived tokens from `aws eks get-token` (no static secrets)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": name,
            "clusters": [
                {
                    "name": name,
                    "cluster": {"server": endpoint, "certificate-authority-data": ca_data},
                }
            ],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                name,
                                "--region",
                                region,
                            ],
                        }
                    },
                }
            ],
        }
    )


__all__ = ["Cluster", "ClusterArgs", "ClusterRecord", "with_kubernetes_provider"]
