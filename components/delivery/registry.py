"""The environment's image registry: a repository per team and function, and each team's pusher.

Built by the environment stack `<env>`, never by a colour: blue and green must pull the very same
image by the same digest from one `service.yaml`, and neither colour may own (or, torn down,
delete) what the other runs. The colours' pullers are named by their deterministic role names
(components/naming.py), so `<env>` → colours → `<env>` and independent colour deploys keep working
(docs/delivery.md, docs/edge.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.config.registry import RegistryConfig, TeamRegistry
from components.delivery import documents as d
from components.shared.identity import Identity
from components.shared.kms import EncryptionKey, EncryptionKeyArgs

COMPONENT = "delivery"


@dataclass
class RegistryArgs:
    identity: Identity
    """The environment stack's identity (no colour)."""
    settings: RegistryConfig
    """Teams and their functions (from both colours' stack files) and how many images to keep."""
    region: str
    """Where the repositories live: the region of the environment and of both colours."""


class Registry(pulumi.ComponentResource):
    registry_url: pulumi.Output[str]
    repository_urls: dict[str, pulumi.Output[str]]
    """`<team>/<function>` -> repository URL."""
    publisher_role_arns: dict[str, pulumi.Output[str]]
    """Team -> the role its pipeline assumes to push."""

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:delivery:Registry", name, None, opts)
        ident = args.identity
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        self._keep = args.settings.keep_images
        self.repository_urls = {}
        self.publisher_role_arns = {}
        key = None
        if any(t.functions for t in args.settings.teams):
            # One key for the environment's images: ECR grants itself its use at repository
            # creation, so pullers need no KMS permission (Amazon ECR user guide, encryption at
            # rest).
            key = EncryptionKey(
                ident.name("registry-key"),
                EncryptionKeyArgs(identity=ident, role="registry", component=COMPONENT),
                opts=pulumi.ResourceOptions(parent=self),
            )
        for team in args.settings.teams:
            publisher = self._publisher(ident, team, args.region, account, partition)
            if publisher is not None:
                self.publisher_role_arns[team.team] = publisher
            for fn in team.functions:
                assert key is not None
                url = self._repository(ident, team.team, fn, key, account, partition, publisher)
                self.repository_urls[f"{team.team}/{fn}"] = url
        self.registry_url = pulumi.Output.concat(
            account, ".dkr.ecr.", args.region, ".amazonaws.com"
        )
        self.register_outputs(
            {
                "registryUrl": self.registry_url,
                "repositoryUrls": self.repository_urls,
                "publisherRoleArns": self.publisher_role_arns,
            }
        )

    def _publisher(
        self,
        ident: Identity,
        team: TeamRegistry,
        region: str,
        account: pulumi.Output[str],
        partition: pulumi.Output[str],
    ) -> pulumi.Output[str] | None:
        """The role the team's pipeline assumes through its OIDC issuer; None without `ci`."""
        if team.ci is None:
            return None
        ci = team.ci
        role_name = naming.publisher_role_name(ident.environment, team.team)
        provider = pulumi.Output.concat(
            "arn:", partition, ":iam::", account, ":oidc-provider/", ci.issuer
        )
        role = aws.iam.Role(
            role_name,
            name=role_name,
            description=f"pipeline of team {team.team}: push its images (OIDC, no static keys)",
            assume_role_policy=provider.apply(
                lambda p: d.oidc_trust(p, ci.issuer, ci.audience, list(ci.subjects))
            ),
            max_session_duration=3600,
            tags=ident.tags(role_name, COMPONENT, Team=team.team),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            role_name,
            name=role_name,
            role=role.id,
            policy=pulumi.Output.all(partition, account).apply(
                lambda a: d.publisher_policy(a[0], region, a[1], ident.environment, team.team)
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role.arn

    def _repository(
        self,
        ident: Identity,
        team: str,
        fn: str,
        key: EncryptionKey,
        account: pulumi.Output[str],
        partition: pulumi.Output[str],
        publisher: pulumi.Output[str] | None,
    ) -> pulumi.Output[str]:
        logical = ident.name("repo", team, fn)
        physical = naming.repository_name(ident.environment, team, fn)
        repo = aws.ecr.Repository(
            logical,
            name=physical,
            # A tag is a release: once pushed it always names the same digest (checkov CKV_AWS_51).
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},  # checkov CKV_AWS_163
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
            # A repository that still holds images is never deleted by a config change.
            force_delete=False,
            tags=ident.tags(physical, COMPONENT, Team=team, Function=fn),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.ecr.LifecyclePolicy(
            logical,
            repository=repo.name,
            policy=d.lifecycle_policy(self._keep),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.ecr.RepositoryPolicy(
            logical,
            repository=repo.name,
            policy=pulumi.Output.all(partition, account, publisher).apply(
                lambda a: d.repository_policy(a[0], a[1], ident.environment, a[2])
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return repo.repository_url
