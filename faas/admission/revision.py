"""The pod Knative Serving 1.23 builds for a revision, as far as admission cares.

Sources (knative/serving, tag knative-v1.23.0):
  * pkg/apis/serving/v1/revision_defaults.go: container names (config-defaults
    `container-name-template`, default `user-container`), `defaultSecurityContext` under
    `secure-pod-defaults` (container-level allowPrivilegeEscalation=false, seccomp RuntimeDefault
    unless the pod sets one, capabilities drop ALL (+NET_BIND_SERVICE for a port below 1024) when
    none are set, runAsNonRoot=true unless pod or container set it), and config-defaults'
    `revision-{cpu,memory}-{request,limit}` for containers that set none.
  * pkg/reconciler/revision/resources/queue.go: the `queue-proxy` container, its fixed security
    context (no privilege escalation, read-only root, non-root, drop ALL, seccomp RuntimeDefault)
    and `createQueueResources` from config-deployment's `queue-sidecar-*` keys.
  * pkg/deployment/config.go: without those keys queue-proxy asks for a 25m CPU request and
    nothing else (`queueproxy.resource-defaults` is disabled in config-features by default).
  * config/core/configmaps/autoscaler.yaml: `max-scale` (default for revisions without the
    annotation; 0 = unbounded) and `max-scale-limit` (the most a revision may ask for).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

USER_CONTAINER = "user-container"
QUEUE_CONTAINER = "queue-proxy"
QUEUE_CPU_REQUEST_DEFAULT = "25m"
MAX_SCALE_ANNOTATION = "autoscaling.knative.dev/max-scale"
QUEUE_SECURITY_CONTEXT = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
# queue-proxy's ports (queue.go `queueNonServingPorts`, the serving and HTTPS ports; values in
# pkg/networking/constants.go); none is a host port.
QUEUE_PORTS = [
    {"name": "http-autometric", "containerPort": 9090},
    {"name": "http-usermetric", "containerPort": 9091},
    {"name": "queue-port", "containerPort": 8012},
    {"name": "https-port", "containerPort": 8112},
]


def _section(config: Mapping[str, Any], name: str) -> Mapping[str, str]:
    """A KnativeServing `spec.config` section, under either of the names the operator accepts."""
    return config.get(name) or config.get(f"config-{name}") or {}


def _secure_defaults(container: dict, pod_sc: Mapping[str, Any]) -> None:
    sc = dict(container.get("securityContext") or {})
    sc.setdefault("allowPrivilegeEscalation", False)
    if not (pod_sc.get("seccompProfile") or {}).get("type"):
        profile = dict(sc.get("seccompProfile") or {})
        profile.setdefault("type", "RuntimeDefault")
        sc["seccompProfile"] = profile
    if sc.get("capabilities") is None:
        caps: dict[str, list[str]] = {"drop": ["ALL"]}
        if any(p.get("containerPort", 65535) < 1024 for p in container.get("ports") or []):
            caps["add"] = ["NET_BIND_SERVICE"]
        sc["capabilities"] = caps
    if pod_sc.get("runAsNonRoot") is None:
        sc.setdefault("runAsNonRoot", True)
    container["securityContext"] = sc


def _revision_resources(container: dict, defaults: Mapping[str, str]) -> None:
    resources = container.setdefault("resources", {})
    for kind, key in (("requests", "request"), ("limits", "limit")):
        for res in ("cpu", "memory"):
            value = defaults.get(f"revision-{res}-{key}")
            if value and res not in (resources.get(kind) or {}):
                resources.setdefault(kind, {})[res] = value


def queue_proxy(config: Mapping[str, Any]) -> dict:
    deployment = _section(config, "deployment")
    resources: dict[str, dict[str, str]] = {"requests": {}, "limits": {}}
    for kind, key in (("requests", "request"), ("limits", "limit")):
        for res in ("cpu", "memory"):
            value = deployment.get(f"queue-sidecar-{res}-{key}")
            if value:
                resources[kind][res] = value
    resources["requests"].setdefault("cpu", QUEUE_CPU_REQUEST_DEFAULT)
    return {
        "name": QUEUE_CONTAINER,
        "ports": copy.deepcopy(QUEUE_PORTS),
        "resources": {k: v for k, v in resources.items() if v},
        "securityContext": copy.deepcopy(QUEUE_SECURITY_CONTEXT),
        "readinessProbe": {"httpGet": {"port": 8012}},
    }


def revision_pod(template: Mapping[str, Any], config: Mapping[str, Any]) -> tuple[dict, dict]:
    """(metadata, spec) of the pod a revision of `template` (a Knative Service's
    `spec.template`) runs as, before the API server and admission see it."""
    meta = copy.deepcopy(dict(template.get("metadata") or {}))
    spec = copy.deepcopy(dict(template.get("spec") or {}))
    features = _section(config, "features")
    defaults = _section(config, "defaults")
    pod_sc = spec.get("securityContext") or {}
    users = spec.get("containers") or []
    for i, container in enumerate(users):
        if not container.get("name"):
            container["name"] = USER_CONTAINER if len(users) == 1 else f"{USER_CONTAINER}-{i}"
        if features.get("secure-pod-defaults") in ("enabled", "allow-root-bounded"):
            _secure_defaults(container, pod_sc)
        _revision_resources(container, defaults)
    spec["containers"] = [*users, queue_proxy(config)]
    spec.setdefault("enableServiceLinks", False)
    return meta, spec


def max_scale(annotations: Mapping[str, str], config: Mapping[str, Any]) -> tuple[int, str]:
    """(the most pods this revision may run, 0 = unbounded; why not, if Knative refuses it)."""
    autoscaler = _section(config, "autoscaler")
    limit = int(autoscaler.get("max-scale-limit") or 0)
    default = int(autoscaler.get("max-scale") or 0)
    asked = annotations.get(MAX_SCALE_ANNOTATION)
    value = int(asked) if asked is not None else default
    if limit and (value == 0 or value > limit):
        return value, f"max-scale {value or 'unbounded'} is above max-scale-limit {limit}"
    return value, ""


def platform_max_scale(config: Mapping[str, Any]) -> int:
    """The most pods the platform lets any one function run (0 = unbounded)."""
    autoscaler = _section(config, "autoscaler")
    return int(autoscaler.get("max-scale-limit") or 0)
