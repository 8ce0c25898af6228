"""A model of Kubernetes RBAC authorization, built from the Roles and bindings a plan renders.

It follows the RBAC authorizer (kubernetes/plugin/pkg/auth/authorizer/rbac and
pkg/registry/rbac/validation/rule.go, https://kubernetes.io/docs/reference/access-authn-authz/rbac/):

* a request is allowed if any rule reachable for the user allows it; there are no denies;
* a ClusterRoleBinding grants its ClusterRole's rules everywhere, cluster-scoped objects included;
* a RoleBinding in namespace N grants its Role's (or ClusterRole's) rules only to requests in N;
  a request for a cluster-scoped object has no namespace, so no RoleBinding ever grants it;
* a rule matches on verb, API group, resource (`*` matches any) and resourceNames (empty: any);
* a ServiceAccount is the user `system:serviceaccount:<ns>:<name>` in the groups
  `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`; this is also
  the identity Flux's kustomize-controller impersonates for `spec.serviceAccountName`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

RBAC = "kubernetes:rbac.authorization.k8s.io/v1:"

# Cluster-scoped resources of the Kubernetes API (`kubectl api-resources --namespaced=false` on
# 1.34) that matter for escalation, plus the cluster-scoped CRDs in contracts/crds.
CLUSTER_SCOPED = {
    ("", "namespaces"),
    ("", "nodes"),
    ("", "persistentvolumes"),
    ("rbac.authorization.k8s.io", "clusterroles"),
    ("rbac.authorization.k8s.io", "clusterrolebindings"),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"),
    ("storage.k8s.io", "storageclasses"),
    ("scheduling.k8s.io", "priorityclasses"),
    ("certificates.k8s.io", "certificatesigningrequests"),
    ("networking.k8s.io", "ingressclasses"),
    ("networking.internal.knative.dev", "clusterdomainclaims"),
    ("karpenter.sh", "nodepools"),
}


@dataclass(frozen=True)
class Rule:
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    resource_names: tuple[str, ...] = ()

    def allows(self, verb: str, group: str, resource: str, name: str = "") -> bool:
        return (
            ("*" in self.verbs or verb in self.verbs)
            and ("*" in self.api_groups or group in self.api_groups)
            and ("*" in self.resources or resource in self.resources)
            and (not self.resource_names or name in self.resource_names)
        )


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = ()

    @classmethod
    def service_account(cls, namespace: str, name: str) -> User:
        return cls(
            f"system:serviceaccount:{namespace}:{name}",
            (
                "system:serviceaccounts",
                f"system:serviceaccounts:{namespace}",
                "system:authenticated",
            ),
        )

    @classmethod
    def member_of(cls, group: str) -> User:
        return cls("someone@example.com", (group, "system:authenticated"))


def _rules(raw: Iterable[Mapping[str, Any]] | None) -> list[Rule]:
    return [
        Rule(
            tuple(r.get("apiGroups") or ()),
            tuple(r.get("resources") or ()),
            tuple(r.get("verbs") or ()),
            tuple(r.get("resourceNames") or ()),
        )
        for r in raw or []
    ]


@dataclass
class Binding:
    namespace: str | None  # None: a ClusterRoleBinding
    role_kind: str
    role_name: str
    subjects: list[Mapping[str, Any]]

    def names(self, user: User) -> bool:
        for s in self.subjects:
            kind = s.get("kind")
            if kind == "User" and s.get("name") == user.name:
                return True
            if kind == "Group" and s.get("name") in user.groups:
                return True
            if kind == "ServiceAccount":
                ns = s.get("namespace") or self.namespace
                if user.name == f"system:serviceaccount:{ns}:{s.get('name')}":
                    return True
        return False


@dataclass
class Rbac:
    roles: dict[tuple[str, str], list[Rule]] = field(default_factory=dict)
    cluster_roles: dict[str, list[Rule]] = field(default_factory=dict)
    bindings: list[Binding] = field(default_factory=list)

    @classmethod
    def from_plan(cls, doc: Mapping[str, Any]) -> Rbac:
        model = cls()
        for step in doc["steps"]:
            state = step["newState"]
            kind = state["type"].removeprefix(RBAC)
            if kind == state["type"]:
                continue
            obj = state["inputs"]
            meta = obj.get("metadata") or {}
            if kind == "Role":
                model.roles[(meta["namespace"], meta["name"])] = _rules(obj.get("rules"))
            elif kind == "ClusterRole":
                model.cluster_roles[meta["name"]] = _rules(obj.get("rules"))
            elif kind in ("RoleBinding", "ClusterRoleBinding"):
                ref = obj["roleRef"]
                model.bindings.append(
                    Binding(
                        meta.get("namespace") if kind == "RoleBinding" else None,
                        ref["kind"],
                        ref["name"],
                        list(obj.get("subjects") or []),
                    )
                )
        return model

    def _bound_rules(self, b: Binding) -> list[Rule]:
        if b.role_kind == "ClusterRole":
            return self.cluster_roles.get(b.role_name, [])
        # A RoleBinding can only reference a Role of its own namespace.
        return self.roles.get((b.namespace or "", b.role_name), [])

    def rules_for(self, user: User, namespace: str | None) -> list[Rule]:
        """Every rule that applies to `user` for a request in `namespace` (None: cluster-scoped)."""
        out: list[Rule] = []
        for b in self.bindings:
            if not b.names(user):
                continue
            if b.namespace is not None and b.namespace != namespace:
                continue  # a RoleBinding only reaches requests in its own namespace
            out.extend(self._bound_rules(b))
        return out

    def allowed(
        self,
        user: User,
        verb: str,
        group: str,
        resource: str,
        namespace: str | None,
        name: str = "",
    ) -> bool:
        if (group, resource) in CLUSTER_SCOPED:
            namespace = None  # the API server drops a namespace on cluster-scoped requests
        return any(r.allows(verb, group, resource, name) for r in self.rules_for(user, namespace))

    def grants(self, user: User, namespace: str) -> set[tuple[str, str, str]]:
        """(group, resource, verb) triples as written in the rules reaching `namespace`."""
        return {
            (g, res, v)
            for rule in self.rules_for(user, namespace)
            for g in rule.api_groups
            for res in rule.resources
            for v in rule.verbs
        }
