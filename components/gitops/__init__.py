"""Functions from Git: Flux on every colour, and per team a source it may apply only into its own
namespace.

What it owns: the `flux-system` namespace and the Flux Helm release (source-controller and
kustomize-controller only, on the system nodes, no UI, no webhook receiver), and per team with a
`source` (`faas:serving.teams[].source`): a ServiceAccount, a Role that can write Knative
Services, ConfigMaps and Secrets in the team's namespace and nothing else, its RoleBinding, a
`GitRepository` and a `Kustomization` that applies the repository's folder *as* that
ServiceAccount (`spec.serviceAccountName`). Both colours of an environment get the same sources
(components/config/gitops.py refuses a difference), so they converge on the same functions.

Why Flux and not Argo CD: it has no UI or API server to expose or secure, and its multi-tenancy
is Kubernetes RBAC by impersonation. With the chart's `multitenancy` lockdown the
kustomize-controller runs with `--no-cross-namespace-refs` and
`--default-service-account=default` and has no cluster-admin binding, so a Kustomization can only
reach a source in its own namespace and can only do what its ServiceAccount may do
(https://fluxcd.io/flux/installation/configuration/multitenancy/).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core.v1 import Namespace, ServiceAccount
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
from pulumi_kubernetes.rbac.v1 import PolicyRuleArgs, Role, RoleBinding, RoleRefArgs, SubjectArgs

from components import constants as c
from components import naming
from components.config.serving import TeamConfig
from components.serving import placement
from components.serving.helm import pinned_release
from components.serving.podsecurity import pss_labels
from components.versions import Release

# Names inside each team namespace (the same on every cluster).
RECONCILER = "faas-flux-reconciler"
SOURCE = "functions"
# Flux's default intervals for a team: poll Git every minute, re-apply (and correct drift) every
# ten; a failed apply is retried after two.
SOURCE_INTERVAL = "1m"
APPLY_INTERVAL = "10m"
RETRY_INTERVAL = "2m"
APPLY_TIMEOUT = "5m"

WRITE_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]
# Everything a team's reconciler may do: its functions and what they read. Knative's other kinds
# (Configuration, Route, Revision) are owned by the Service and made by Knative itself.
RECONCILER_RULES = [
    {"apiGroups": ["serving.knative.dev"], "resources": ["services"], "verbs": WRITE_VERBS},
    {"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": WRITE_VERBS},
]


def flux_values() -> dict:
    """Values of the `flux2` chart: only the two controllers functions need, locked down."""
    system = placement.system_placement()
    return {
        "multitenancy": {
            "enabled": True,
            # Kustomizations without a ServiceAccount act as `default`, which is bound to nothing.
            "defaultServiceAccount": "default",
            # No cluster-admin binding: the controllers may only impersonate ServiceAccounts.
            "privileged": False,
        },
        "sourceController": dict(system),
        "kustomizeController": dict(system),
        # The chart's pre-install `flux check --pre` Job.
        "cli": dict(system),
        # Not used: no HelmReleases, no image automation, no notifications or webhook receiver.
        "helmController": {"create": False},
        "imageAutomationController": {"create": False},
        "imageReflectionController": {"create": False},
        "notificationController": {"create": False},
    }


def git_repository_spec(team: TeamConfig) -> dict:
    source = team.source
    assert source is not None
    spec: dict = {"url": source.url, "interval": SOURCE_INTERVAL, "ref": source.git_ref()}
    if source.secret_name:
        spec["secretRef"] = {"name": source.secret_name}
    return spec


def kustomization_spec(team: TeamConfig) -> dict:
    source = team.source
    assert source is not None
    return {
        "interval": APPLY_INTERVAL,
        "retryInterval": RETRY_INTERVAL,
        "timeout": APPLY_TIMEOUT,
        "path": source.path,
        # A function deleted from Git is deleted from the cluster, on every colour alike.
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": SOURCE},
        "targetNamespace": team.name,
        "serviceAccountName": RECONCILER,
    }


@dataclass
class TeamSourceArgs:
    team: TeamConfig
    """The team, with its `source`."""
    namespace: Namespace
    """The team's namespace (components/serving/tenants.py), created first."""
    after: Sequence[pulumi.Resource] = field(default_factory=list)
    """What the first sync needs: the Flux CRDs (the Flux release) and Knative's CRDs."""


class TeamSource(pulumi.ComponentResource):
    """One team's source and the identity Flux applies it as."""

    def __init__(self, name: str, args: TeamSourceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:gitops:TeamSource", name, None, opts)
        ns = args.team.name
        meta = lambda n: ObjectMetaArgs(name=n, namespace=ns)  # noqa: E731
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=[args.namespace])
        account = ServiceAccount(
            naming.child_name(name, "reconciler"),
            metadata=meta(RECONCILER),
            automount_service_account_token=False,
            opts=in_ns,
        )
        role = Role(
            naming.child_name(name, "reconciler-role"),
            metadata=meta(RECONCILER),
            rules=[
                PolicyRuleArgs(
                    api_groups=r["apiGroups"], resources=r["resources"], verbs=r["verbs"]
                )
                for r in RECONCILER_RULES
            ],
            opts=in_ns,
        )
        binding = RoleBinding(
            naming.child_name(name, "reconciler-binding"),
            metadata=meta(RECONCILER),
            role_ref=RoleRefArgs(
                api_group="rbac.authorization.k8s.io", kind="Role", name=RECONCILER
            ),
            subjects=[SubjectArgs(kind="ServiceAccount", name=RECONCILER, namespace=ns)],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role, account]),
        )
        repo = CustomResource(
            naming.child_name(name, "git"),
            api_version="source.toolkit.fluxcd.io/v1",
            kind="GitRepository",
            metadata=meta(SOURCE),
            spec=git_repository_spec(args.team),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.namespace, *args.after]),
        )
        CustomResource(
            naming.child_name(name, "sync"),
            api_version="kustomize.toolkit.fluxcd.io/v1",
            kind="Kustomization",
            metadata=meta(SOURCE),
            spec=kustomization_spec(args.team),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[repo, binding, *args.after]),
        )
        self.register_outputs({"namespace": ns})


@dataclass
class FunctionSyncArgs:
    teams: tuple[TeamConfig, ...]
    """The validated `faas:serving.teams`; a team without `source` gets nothing here."""
    namespaces: Mapping[str, Namespace]
    """Team name -> its namespace (ServingPlatform.team_namespaces)."""
    release: Release
    """The colour's release: the flux2 chart version."""
    after: Sequence[pulumi.Resource] = field(default_factory=list)
    """Knative Serving: the first sync creates Knative Services."""


class FunctionSync(pulumi.ComponentResource):
    """Flux on the cluster and one `TeamSource` per team with a source."""

    def __init__(
        self, name: str, args: FunctionSyncArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:gitops:FunctionSync", name, None, opts)
        ns = Namespace(
            naming.child_name(name, "ns"),
            metadata=ObjectMetaArgs(name=c.FLUX_NAMESPACE, labels=pss_labels("restricted")),
            opts=pulumi.ResourceOptions(parent=self),
        )
        flux = pinned_release(
            "flux",
            "flux2",
            c.FLUX_NAMESPACE,
            flux_values(),
            pulumi.ResourceOptions(parent=self, depends_on=[ns]),
            release=args.release,
        )
        synced = []
        for team in args.teams:
            if team.source is None:
                continue
            TeamSource(
                naming.child_name(name, "team", team.name),
                TeamSourceArgs(
                    team=team,
                    namespace=args.namespaces[team.name],
                    after=[flux, *args.after],
                ),
                pulumi.ResourceOptions(parent=self),
            )
            synced.append(team.name)
        self.synced_teams = synced
        """Teams whose functions Flux applies on this colour."""
        self.register_outputs({"syncedTeams": synced})
