"""Kubernetes rules (Pod Security Standards, CIS EKS 4.2/4.3.2/4.5, checkov CKV_K8S_16..21)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from components import constants, naming
from policies.framework import (
    Hit,
    Resource,
    deferred_hit,
    get,
    items,
    of_type,
    resource_rule,
    stack_rule,
)

NAMESPACE = "kubernetes:core/v1:Namespace"
QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
RELEASE = "kubernetes:helm.sh/v3:Release"
KNATIVE_SERVING = "kubernetes:operator.knative.dev/v1beta1:KnativeServing"
WORKLOADS = (
    "kubernetes:core/v1:Pod",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
)

TENANT_LABEL = naming.TENANT_LABEL
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
# The only namespaces that may enforce `privileged`: see components/constants.py for why.
PRIVILEGED_NAMESPACES = list(constants.PRIVILEGED_NAMESPACES)
PSS_LEVELS = ("privileged", "baseline", "restricted")
# Kinds without a namespace; every other kubernetes:* resource lands in one.
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "PersistentVolume",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
}
_VERSION_RANGE_CHARS = set("^~*<>|xX ")

_PRIVILEGED_CONFIG = {
    "privilegedNamespaces": {
        "type": "array",
        "items": {"type": "string"},
        "default": PRIVILEGED_NAMESPACES,
    }
}


def kind_of(resource_type: str) -> str:
    return resource_type.rsplit(":", 1)[-1]


def is_tenant(ns: Resource) -> bool:
    return bool(get(ns.props, "metadata", "labels", TENANT_LABEL))


@resource_rule(
    "k8s-namespace-pod-security",
    [NAMESPACE],
    description=(
        "Namespaces enforce a Pod Security level: tenants 'restricted', only allow-listed "
        "system namespaces 'privileged'."
    ),
    source="Pod Security Standards (restricted); CIS EKS 4.2.1-4.2.5",
    severity="high",
    level="mandatory",
    fix=(
        "Label the namespace pod-security.kubernetes.io/enforce=restricted (tenants) or "
        "baseline; add to privilegedNamespaces only with a documented reason."
    ),
    config=_PRIVILEGED_CONFIG,
)
def namespace_pod_security(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    name = get(res.props, "metadata", "name", default=res.name)
    level = get(res.props, "metadata", "labels", ENFORCE_LABEL)
    if level not in PSS_LEVELS:
        yield f"namespace {name} has no valid {ENFORCE_LABEL} label"
    elif is_tenant(res) and level != "restricted":
        yield f"tenant namespace {name} enforces {level}, not restricted"
    elif level == "privileged" and name not in settings["privilegedNamespaces"]:
        yield f"namespace {name} is privileged but not allow-listed"


def _namespace_names(ns: Resource) -> set[str]:
    name = get(ns.props, "metadata", "name")
    return {str(name)} if name else set()


def _tenant_coverage(resources: Sequence[Resource], kind: str, what: str) -> Iterator[Hit]:
    """Each tenant namespace has at least one object of `kind` inside it."""
    namespaces = {}
    for ns in of_type(resources, NAMESPACE):
        try:
            if is_tenant(ns):
                namespaces[ns.urn] = ns
        except UnknownValueError as error:
            yield deferred_hit(error, ns.urn)
    covered: set[str] = set()
    pending: list[Hit] = []
    for obj in of_type(resources, kind):
        # In a preview the namespace name is often an unknown Output of the Namespace, so the
        # property dependency on `metadata` is the link; a known name also counts.
        linked = {u for u in obj.property_dependencies.get("metadata", ()) if u in namespaces}
        try:
            target = get(obj.props, "metadata", "namespace")
            linked |= {u for u, ns in namespaces.items() if str(target) in _namespace_names(ns)}
        except UnknownValueError as error:
            if not linked:
                pending.append(deferred_hit(error, obj.urn))
        covered |= linked
    uncovered = [ns for urn, ns in namespaces.items() if urn not in covered]
    if uncovered and pending:
        yield from pending  # an object we could not place may be the missing one
        return
    for ns in uncovered:
        yield Hit(f"tenant namespace {ns.name} has no {what}", ns.urn)


@stack_rule(
    "k8s-tenant-resource-quota",
    description="Every tenant namespace has a ResourceQuota.",
    source="platform invariant; CIS EKS 4.5.1 (namespaces as boundaries)",
    severity="high",
    level="mandatory",
    fix="Create a ResourceQuota in each namespace labelled faas.platform/tenant.",
)
def tenant_quota(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    yield from _tenant_coverage(resources, QUOTA, "ResourceQuota")


@stack_rule(
    "k8s-tenant-limit-range",
    description="Every tenant namespace has a LimitRange, so pods without requests fit the quota.",
    source="platform invariant (Kubernetes: a quota on requests rejects pods that set none)",
    severity="medium",
    level="mandatory",
    fix="Create a LimitRange with default requests/limits in each tenant namespace.",
)
def tenant_limit_range(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    yield from _tenant_coverage(resources, LIMIT_RANGE, "LimitRange")


@stack_rule(
    "k8s-tenant-network-policy",
    description="Every tenant namespace has a NetworkPolicy.",
    source="CIS EKS 4.3.2; checkov CKV2_K8S_6",
    severity="high",
    level="mandatory",
    fix="Create a default-deny NetworkPolicy (plus the allows Knative needs) per tenant.",
)
def tenant_network_policy(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    yield from _tenant_coverage(resources, NETWORK_POLICY, "NetworkPolicy")


@resource_rule(
    "knative-secure-pod-defaults",
    [KNATIVE_SERVING],
    description="Knative Serving applies secure pod defaults aligned with 'restricted'.",
    source="Pod Security Standards (restricted); Knative config-features secure-pod-defaults",
    severity="high",
    level="mandatory",
    fix="Set spec.config.features['secure-pod-defaults']='enabled'.",
)
def knative_secure_defaults(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    value = get(res.props, "spec", "config", "features", "secure-pod-defaults")
    if value != "enabled":
        yield f"secure-pod-defaults is {value or 'unset'}"


@resource_rule(
    "helm-release-pinned",
    [RELEASE],
    description="Helm releases pin an exact chart version and an explicit namespace.",
    source="platform invariant (docs/design.md: pinned versions in components/versions.py)",
    severity="medium",
    level="mandatory",
    fix="Set version=<exact chart version from components/versions.py> and namespace.",
)
def helm_pinned(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    version = str(get(res.props, "version", default=""))
    if not version or _VERSION_RANGE_CHARS & set(version):
        yield f"chart {get(res.props, 'chart')} version {version or 'unset'} is not exact"
    if not get(res.props, "namespace"):
        yield "release has no namespace"


@resource_rule(
    "k8s-no-default-namespace",
    [
        QUOTA,
        LIMIT_RANGE,
        NETWORK_POLICY,
        RELEASE,
        KNATIVE_SERVING,
        *WORKLOADS,
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:core/v1:Secret",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    ],
    description="Namespaced objects never land in the 'default' namespace.",
    source="CIS EKS 4.5.2; checkov CKV_K8S_21",
    severity="low",
    level="mandatory",
    fix="Set metadata.namespace (Release: namespace) to the owning namespace.",
)
def no_default_namespace(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if kind_of(res.type) in CLUSTER_SCOPED:
        return
    path = ("namespace",) if res.type == RELEASE else ("metadata", "namespace")
    namespace = get(res.props, *path)
    if namespace in (None, "", "default"):
        yield f"{kind_of(res.type)} is in namespace {namespace or 'default (unset)'}"


def _containers(spec: Any) -> list[Any]:
    return items(spec, "containers") + items(spec, "initContainers")


def pod_spec(res: Resource) -> Any:
    if res.type.endswith(":Pod"):
        return get(res.props, "spec")
    if res.type.endswith(":CronJob"):
        return get(res.props, "spec", "jobTemplate", "spec", "template", "spec")
    return get(res.props, "spec", "template", "spec")


@resource_rule(
    "k8s-workload-baseline",
    list(WORKLOADS),
    description="Workloads avoid host namespaces, hostPath and privileged (bar allow-listed ns).",
    source="Pod Security Standards (baseline); checkov CKV_K8S_16, 17, 18, 19",
    severity="high",
    level="mandatory",
    fix="Drop privileged/hostNetwork/hostPID/hostIPC/hostPath, or use an allow-listed namespace.",
    config=_PRIVILEGED_CONFIG,
)
def workload_baseline(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "metadata", "namespace") in settings["privilegedNamespaces"]:
        return
    spec = pod_spec(res)
    if spec is None:
        return
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if get(spec, flag) is True:
            yield f"pod spec sets {flag}"
    if any(get(v, "hostPath") for v in items(spec, "volumes")):
        yield "pod spec mounts a hostPath volume"
    for container in _containers(spec):
        if get(container, "securityContext", "privileged") is True:
            yield f"container {get(container, 'name')} is privileged"


RULES = [
    namespace_pod_security,
    tenant_quota,
    tenant_limit_range,
    tenant_network_policy,
    knative_secure_defaults,
    helm_pinned,
    no_default_namespace,
    workload_baseline,
]
