"""Per colour: the identities functions and digest resolution use, built from the cluster record.

* `FunctionIdentities`: one IAM role per team that the team's functions assume through IRSA, its
  trust pinned to `system:serviceaccount:<team>:functions` (and STS as audience), inside a
  permissions boundary the platform owns; the team's config names its extra managed policies.
* `ImageResolver`: the Knative controller's role, so it can resolve tags in the environment's
  private registry to digests. The operator creates the controller's service account and
  KnativeServing has no field to annotate it (its `workloads[]` overrides reach Deployments and
  pods only; contracts/crds), so the role is bound by EKS Pod Identity, which needs no annotation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import constants as c
from components import naming
from components.compute.record import ClusterRecord
from components.config.delivery import policy_slug
from components.config.serving import TeamConfig
from components.constants import arn_parts
from components.delivery import documents as d
from components.shared.iam import cluster_arn, irsa_trust, pod_identity_trust_document
from components.shared.identity import Identity

COMPONENT = "delivery"


@dataclass
class FunctionIdentitiesArgs:
    identity: Identity
    cluster: ClusterRecord
    """The colour's cluster: its OIDC provider and issuer make the IRSA trusts."""
    teams: tuple[TeamConfig, ...]
    """Each team gets a role; its `policies` are attached to it."""


class FunctionIdentities(pulumi.ComponentResource):
    role_arns: dict[str, pulumi.Output[str]]
    """Team -> its function role (the `functions` service account's annotation)."""

    def __init__(
        self, name: str, args: FunctionIdentitiesArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:delivery:FunctionIdentities", name, None, opts)
        self.role_arns = {}
        if args.teams:
            self._roles(args)
        self.register_outputs({"roleArns": self.role_arns})

    def _roles(self, args: FunctionIdentitiesArgs) -> None:
        ident, cluster = args.identity, args.cluster
        child = pulumi.ResourceOptions(parent=self)
        boundary_name = ident.name("function-boundary")
        boundary = aws.iam.Policy(
            boundary_name,
            name=boundary_name,
            description="permissions boundary of every team's function role (docs/delivery.md)",
            policy=d.function_boundary(),
            tags=ident.tags(boundary_name, COMPONENT),
            opts=child,
        )
        for team in args.teams:
            role_name = naming.function_role_name(ident.environment, ident.color, team.name)
            role = aws.iam.Role(
                role_name,
                name=role_name,
                description=f"functions of team {team.name} (IRSA, namespace {team.name})",
                assume_role_policy=irsa_trust(
                    cluster.oidc_provider_arn,
                    cluster.oidc_issuer,
                    team.name,
                    c.FUNCTION_SERVICE_ACCOUNT,
                ),
                permissions_boundary=boundary.arn,
                tags=ident.tags(role_name, COMPONENT, Team=team.name),
                opts=child,
            )
            for arn in team.policies:
                aws.iam.RolePolicyAttachment(
                    naming.child_name(role_name, policy_slug(arn)),
                    role=role.name,
                    policy_arn=arn,
                    opts=child,
                )
            self.role_arns[team.name] = role.arn


@dataclass
class ImageResolverArgs:
    identity: Identity
    cluster: ClusterRecord
    """The colour's cluster: the association is made in it, the trust names its ARN."""


class ImageResolver(pulumi.ComponentResource):
    association: aws.eks.PodIdentityAssociation
    """KnativeServing must wait for it: EKS injects credentials only into pods created after."""

    def __init__(
        self, name: str, args: ImageResolverArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:delivery:ImageResolver", name, None, opts)
        ident, cluster = args.identity, args.cluster
        role_name = naming.image_resolver_role_name(ident.environment, ident.color)
        child = pulumi.ResourceOptions(parent=self)
        parts = cluster.oidc_provider_arn.apply(arn_parts)
        role = aws.iam.Role(
            role_name,
            name=role_name,
            description="Knative controller: resolve image tags to digests (EKS Pod Identity)",
            assume_role_policy=pulumi.Output.all(parts, cluster.name).apply(
                lambda a: pod_identity_trust_document(
                    cluster_arn(a[0][0], cluster.region, a[0][1], a[1]),
                    c.KNATIVE_SERVING_NAMESPACE,
                    c.KNATIVE_CONTROLLER_SERVICE_ACCOUNT,
                )
            ),
            tags=ident.tags(role_name, COMPONENT),
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            role_name,
            name=role_name,
            role=role.id,
            policy=parts.apply(
                lambda p: d.resolver_policy(p[0], cluster.region, p[1], ident.environment)
            ),
            opts=child,
        )
        self.association = aws.eks.PodIdentityAssociation(
            role_name,
            cluster_name=cluster.name,
            namespace=c.KNATIVE_SERVING_NAMESPACE,
            service_account=c.KNATIVE_CONTROLLER_SERVICE_ACCOUNT,
            role_arn=role.arn,
            tags=ident.tags(role_name, COMPONENT),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.role_arn = role.arn
        self.register_outputs({"roleArn": role.arn})
