"""Every name the platform gives anything: stacks, logical and physical names, DNS names, tags.

Names are identity (docs/design.md): they are computed only from the environment, the colour and a
fixed role string, never from mutable data such as sizes or versions, so changing a setting never
renames (and so never replaces) a resource. This module imports nothing from Pulumi so that the
scripts (cutover, bootstrap, plan) can use it without loading the SDK.
"""

from __future__ import annotations

import re

PROJECT = "faas-platform"
PREFIX = "faas"
COLORS = ("blue", "green")

# The function-facing entry points. DMZ names are public; internal names resolve to the internal
# load balancer (private addresses) from the same public zone, so one wildcard certificate per
# label covers every service: Knative's template is `{{.Name}}-{{.Namespace}}.{{.Domain}}`, which
# keeps each service exactly one label under the domain.
ENTRY_POINTS = ("dmz", "internal")
INTERNAL_LABEL = "internal"

_ENV_RE = re.compile(r"^[a-z][a-z0-9]{1,11}$")


def valid_environment(env: str) -> bool:
    """Environment names are short lowercase words: they end up in AWS names with length limits."""
    return bool(_ENV_RE.match(env))


def stack_name(env: str, color: str | None = None) -> str:
    return env if color is None else f"{env}-{color}"


def parse_stack_name(stack: str) -> tuple[str, str | None]:
    """`dev` -> ("dev", None); `dev-blue` -> ("dev", "blue"); only a known colour is a suffix."""
    env, sep, tail = stack.rpartition("-")
    if sep and tail in COLORS:
        return env, tail
    return stack, None


def prefix(env: str, color: str | None = None) -> str:
    """The physical-name prefix of one stack: `faas-dev` or `faas-dev-blue`."""
    return "-".join(p for p in (PREFIX, env, color) if p)


def child_name(parent: str, *role: str) -> str:
    """The one naming rule: a name is its owner's name plus the role of the thing inside it.

    Stack-level resources are named under the stack's prefix (`Identity.name`); the children of a
    component under the component's name, so renaming nothing ever moves a child."""
    return "-".join([parent, *role])


def resource_name(env: str, color: str | None, *role: str) -> str:
    """Logical and physical name of one resource: `faas-dev-blue-vpc`, `faas-dev-blue-private-a`."""
    return child_name(prefix(env, color), *role)


def cluster_name(env: str, color: str) -> str:
    return prefix(env, color)


def env_zone_name(base_domain: str) -> str:
    """The environment zone that function authors see: `faas.<baseDomain>`."""
    return f"faas.{base_domain}"


def cluster_zone_name(base_domain: str, color: str) -> str:
    """The colour's own zone, reachable before a cutover: `faas-<color>.<baseDomain>`."""
    return f"faas-{color}.{base_domain}"


def entry_domain(zone: str, entry: str) -> str:
    """The Knative domain of one entry point inside a zone: DMZ at the zone, internal one below."""
    if entry not in ENTRY_POINTS:
        raise ValueError(f"unknown entry point {entry!r}")
    return zone if entry == "dmz" else f"{INTERNAL_LABEL}.{zone}"


def wildcard(domain: str) -> str:
    return f"*.{domain}"


def env_entry_names(base_domain: str) -> dict[str, str]:
    """Wildcard record names of the environment, per entry point (the weighted record sets)."""
    zone = env_zone_name(base_domain)
    return {e: wildcard(entry_domain(zone, e)) for e in ENTRY_POINTS}


def cluster_entry_names(base_domain: str, color: str) -> dict[str, str]:
    zone = cluster_zone_name(base_domain, color)
    return {e: wildcard(entry_domain(zone, e)) for e in ENTRY_POINTS}


def cutover_lock_name(zone: str) -> str:
    """TXT record that holds the cutover lock of one environment zone."""
    return f"_faas-cutover-lock.{zone.rstrip('.')}"


def cutover_state_name(zone: str) -> str:
    """TXT record that holds the outcome of the last cutover of one environment zone."""
    return f"_faas-cutover-state.{zone.rstrip('.')}"


def tags(env: str, color: str | None, name: str, component: str) -> dict[str, str]:
    """Tags on every taggable AWS resource; `Name` is the physical name."""
    t = {
        "Name": name,
        "Project": PROJECT,
        "Environment": env,
        "Component": component,
        "ManagedBy": "pulumi",
    }
    if color:
        t["Color"] = color
    return t


REQUIRED_TAGS = ("Name", "Project", "Environment", "Component", "ManagedBy")


# Placement: the on-demand system group carries a NoSchedule taint, so only platform components
# (which tolerate it) run there and anything without the toleration, i.e. every function, lands on
# spot. Spot groups add a soft taint so stray platform pods prefer to stay off reclaimable capacity.
POOL_LABEL = "faas.platform/pool"
SYSTEM_POOL = "system"
FUNCTIONS_POOL = "functions"
SYSTEM_TAINT = {"key": "faas.platform/system", "value": "true", "effect": "NO_SCHEDULE"}
SPOT_TAINT = {"key": "faas.platform/capacity", "value": "spot", "effect": "PREFER_NO_SCHEDULE"}
# The same taints as Kubernetes spells them (EKS node groups take the enum spelling above).
K8S_TAINT_EFFECT = {"NO_SCHEDULE": "NoSchedule", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
# Karpenter finds the subnets and security groups of function nodes by this tag, valued with the
# cluster name (components/capacity/karpenter.py); the NodePool of functions has this name.
KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery"
FUNCTIONS_NODE_POOL = "functions"
TENANT_LABEL = "faas.platform/tenant"
# A function author sets this label on a Knative Service to expose it on the DMZ (internet) gateway;
# without it a service is internal only.
EXPOSURE_LABEL = "faas.platform/exposure"
SMOKE_NAMESPACE = "faas-smoke"
SMOKE_SERVICE = "smoke"


# --- delivery: the environment's image registry and the roles around it (docs/delivery.md) ---
# Deterministic physical names, so the environment stack and both colour stacks can name each
# other's roles and repositories without a StackReference: either side deploys first.


def repository_name(env: str, team: str, function: str) -> str:
    """ECR repository of one function: `faas-dev/payments/hello-python` (owned by `<env>`)."""
    return f"{prefix(env)}/{team}/{function}"


def repository_prefix(env: str, team: str | None = None) -> str:
    """Repository-name prefix of an environment's (or one team's) repositories, for IAM ARNs."""
    return f"{prefix(env)}/{team}/" if team else f"{prefix(env)}/"


def publisher_role_name(env: str, team: str) -> str:
    """The role a team's pipeline assumes (OIDC) to push its images (owned by `<env>`)."""
    return resource_name(env, None, "publisher", team)


def function_role_name(env: str, color: str, team: str) -> str:
    """The role a team's functions assume through IRSA on one colour (owned by `<env>-<color>`)."""
    return resource_name(env, color, "fn", team)


def image_resolver_role_name(env: str, color: str) -> str:
    """The Knative controller's role for tag-to-digest resolution (owned by `<env>-<color>`)."""
    return resource_name(env, color, "image-resolver")


def node_role_pattern(env: str, color: str) -> str:
    """The node role's physical name as a pattern: Pulumi auto-names it (logical name + `-` + a
    random suffix), so only the prefix is deterministic."""
    return f"{resource_name(env, color, 'node-role')}-*"


def state_bucket_name(account_id: str, region: str) -> str:
    """S3 bucket of the Pulumi state backend (`pulumi login s3://...`): bucket names are global, so
    account and region make it unique; both are fixed for the account's lifetime."""
    return f"{PROJECT}-state-{account_id}-{region}"


def state_key_alias() -> str:
    """KMS alias of the key behind the state bucket and the `awskms://` secrets provider."""
    return f"alias/{PROJECT}-state"
