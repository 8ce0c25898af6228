"""Admit every function a plan ships, and the reference functions in every team namespace.

For each (namespace, function): build the revision pod (revision.py), apply API defaults and the
namespace's LimitRange, inject the sidecar where the namespace asks for it (injection.py), then
check what the API server checks after mutation (request <= limit), Pod Security at the
namespace's enforce level for the cluster's Kubernetes minor, the LimitRange's bounds, the
ResourceQuota's per-container rules, and count how many such pods the quota holds against the
function's max scale and the platform's `max-scale-limit`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from components import naming, versions
from components.capacity.podsize import Footprint
from components.serving.podsecurity import NEWEST_MINOR, violations
from faas.admission import injection, resources, revision
from faas.contracts import load_chart
from faas.contracts.values import coalesce

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "examples" / "functions"
ENFORCE = "pod-security.kubernetes.io/enforce"
KSVC = "kubernetes:serving.knative.dev/v1:Service"
RELEASE = "kubernetes:helm.sh/v3:Release"
# A function as an author writes it with nothing but an image and a port: everything else comes
# from Knative's defaults and the namespace's LimitRange.
BARE_FUNCTION = {
    "spec": {"containers": [{"image": "registry.example/fn:1", "ports": [{"containerPort": 8080}]}]}
}


@dataclass
class Admission:
    """One function in one namespace, as the cluster would take it."""

    namespace: str
    function: str
    injected: bool
    pod: dict
    """The effective pod spec: containers, init containers, volumes, security contexts."""
    usage: Footprint
    """What one pod counts against the quota."""
    refused: list[str] = field(default_factory=list)
    """Why the API server would refuse the pod (empty: admitted)."""
    fits: int = 0
    """How many such pods the namespace quota holds (its `pods` count included)."""
    max_scale: int = 0
    """The most pods the function may run: its own max-scale, or the platform's limit, whichever
    the quota must hold (0: unbounded)."""

    @property
    def holds_max_scale(self) -> bool:
        return self.max_scale > 0 and self.fits >= self.max_scale


@cache
def reference_functions() -> tuple[tuple[str, dict], ...]:
    """(name, Knative Service) of every example function (examples/functions/*/service.yaml)."""
    found = []
    for path in sorted(FUNCTIONS.glob("*/service.yaml")):
        ksvc = yaml.safe_load(path.read_text())
        found.append((ksvc["metadata"]["name"], ksvc))
    return tuple(found)


def _objects(doc: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    return [
        s["newState"]["inputs"]
        for s in doc["steps"]
        if s["newState"]["type"].startswith("kubernetes:")
        and s["newState"]["type"].endswith(f":{kind}")
    ]


def istiod_values(doc: Mapping[str, Any]) -> dict:
    """The istiod release's values over the pinned chart's defaults (zzz_profile.yaml merges the
    user's values over `_internal_defaults_do_not_set`)."""
    for step in doc["steps"]:
        inputs = step["newState"]["inputs"]
        if step["newState"]["type"] == RELEASE and inputs.get("chart") == "istiod":
            chart = load_chart("istiod", inputs["version"])
            defaults = chart.values.get("_internal_defaults_do_not_set", chart.values)
            return coalesce(defaults, inputs.get("values") or {})
    return {}


def _minor(doc: Mapping[str, Any]) -> str:
    """The Kubernetes minor of the colour's release (`faas:release`, components/versions.py)."""
    release = versions.RELEASES.get(str(doc.get("config", {}).get("faas:release")))
    return release.kubernetes if release else NEWEST_MINOR


def admit(
    namespace: str,
    labels: Mapping[str, str],
    function: str,
    template: Mapping[str, Any],
    context: Mapping[str, Any],
) -> Admission:
    """Admit one revision pod of `template` into `namespace` (`context`: serving config, istiod
    values, LimitRange and quota of the namespace, Kubernetes minor)."""
    config = context["serving"]
    meta, spec = revision.revision_pod(template, config)
    limit_range, hard = context["limit_ranges"].get(namespace), context["quotas"].get(namespace, {})
    spec = resources.limit_range_defaults(resources.api_defaults(spec), limit_range)
    injected = injection.injects(labels, meta)
    if injected:
        spec = resources.api_defaults(
            injection.inject(meta, spec, context["istiod"], context["minor"])
        )
    refused = resources.request_above_limit(spec)
    level = labels.get(ENFORCE, "privileged")
    refused += [
        f"PodSecurity {level}: {v}" for v in violations(spec, level, meta, context["minor"])
    ]
    refused += resources.limit_range_errors(spec, limit_range)
    refused += resources.quota_constraint_errors(spec, hard)
    scale, why = revision.max_scale(meta.get("annotations") or {}, config)
    if why:
        refused.append(f"Knative: {why}")
    usage = resources.pod_usage(spec)
    fits = resources.pods_that_fit(hard, usage) if hard else 0
    if hard and fits < 1:
        refused.append(f"ResourceQuota: one pod ({usage.describe()}) exceeds {dict(hard)}")
    return Admission(namespace, function, injected, spec, usage, refused, fits, scale)


def cluster_context(doc: Mapping[str, Any]) -> dict[str, Any]:
    serving = _objects(doc, "KnativeServing")
    return {
        "serving": ((serving[0].get("spec") or {}).get("config") or {}) if serving else {},
        "istiod": istiod_values(doc),
        "minor": _minor(doc),
        "limit_ranges": {
            o["metadata"]["namespace"]: o["spec"] for o in _objects(doc, "LimitRange")
        },
        "quotas": {
            o["metadata"]["namespace"]: (o.get("spec") or {}).get("hard") or {}
            for o in _objects(doc, "ResourceQuota")
        },
        "namespaces": {
            o["metadata"]["name"]: (o["metadata"].get("labels") or {})
            for o in _objects(doc, "Namespace")
        },
    }


def team_namespaces(context: Mapping[str, Any]) -> list[str]:
    """Namespaces of teams: tenant-labelled, and not the platform's own."""
    return sorted(
        name
        for name, labels in context["namespaces"].items()
        if labels.get(naming.TENANT_LABEL) and name != naming.SMOKE_NAMESPACE
    )


def cluster_admissions(doc: Mapping[str, Any]) -> list[Admission]:
    """Every Knative Service the plan ships, where it ships it; and every reference function plus
    a bare one (image and port only) in every team namespace, held to the platform's limit."""
    context = cluster_context(doc)
    out = []
    for ksvc in _objects(doc, "Service"):
        if ksvc.get("apiVersion") != "serving.knative.dev/v1":
            continue
        ns = ksvc["metadata"]["namespace"]
        labels = context["namespaces"].get(ns, {})
        out.append(admit(ns, labels, ksvc["metadata"]["name"], ksvc["spec"]["template"], context))
    platform_limit = revision.platform_max_scale(context["serving"])
    functions: Sequence[tuple[str, Mapping[str, Any]]] = [
        *reference_functions(),
        ("bare-function", {"spec": {"template": BARE_FUNCTION}}),
    ]
    for ns in team_namespaces(context):
        labels = context["namespaces"][ns]
        for name, ksvc in functions:
            found = admit(ns, labels, name, ksvc["spec"]["template"], context)
            # A team must be able to run any one function as far as the platform allows.
            found.max_scale = platform_limit or found.max_scale
            out.append(found)
    return out


def team_capacity_table(docs: Mapping[str, Mapping[str, Any]]) -> str:
    """The README's table of what a team's quota buys, per cluster stack (markdown)."""
    rows = [
        "| stack | team | quota (cpu / memory / pods) | one default-sized function pod "
        "| pods that fit | platform max scale |",
        "|---|---|---|---|---|---|",
    ]
    for stack, doc in docs.items():
        context = cluster_context(doc)
        for a in cluster_admissions(doc):
            if a.function != "bare-function":
                continue
            hard = context["quotas"][a.namespace]
            quota = f"{hard.get('limits.cpu')} / {hard.get('limits.memory')} / {hard.get('pods')}"
            rows.append(
                f"| {stack} | {a.namespace} | {quota} | {a.usage.describe()} | {a.fits} "
                f"| {a.max_scale} |"
            )
    return "\n".join(rows)
