"""What istiod's sidecar injector adds to a pod, for the fields admission checks.

Sources (istio/istio, tag 1.30.1, commit 10229c76):
  * manifests/charts/istio-control/istio-discovery/files/injection-template.yaml: the
    `istio-validation` init container (with istio-cni; `istio-init` without it) and the
    `istio-proxy` container; both take their resources from the `resources` template (the
    `sidecar.istio.io/proxy{CPU,Memory}[Limit]` annotations when any is set, else
    `global.proxy.resources`, nils omitted) and a `seccompProfile` only when
    `global.proxy.seccompProfile` is set (https://github.com/istio/istio/issues/57004); their
    securityContext (REDIRECT interception, no capNetBindService): allowPrivilegeEscalation and
    privileged = `global.proxy.privileged`, drop ALL, read-only root, uid/gid 1337, non-root; and
    the volumes (emptyDir, downwardAPI, projected token, the CA configMaps).
  * pkg/kube/inject/webhook.go `DetectNativeSidecar`: with ENABLE_NATIVE_SIDECARS at its default
    `auto`, nodes of Kubernetes 1.33+ get `istio-proxy` as an init container with
    `restartPolicy: Always`; `reorderPod` puts istio-validation first, then istio-proxy.
    `applyRunAsUser` gives istio-validation the uid/gid the app container runs as.
  * The webhook injects where the namespace is labelled `istio-injection=enabled` unless the pod
    says `sidecar.istio.io/inject: "false"`; its `reinvocationPolicy` is `Never` (istiod chart
    `sidecarInjectorWebhook.reinvocationPolicy`), and the API server runs LimitRanger before
    mutating webhooks (pkg/kubeapiserver/options/plugins.go `AllOrderedPlugins`), so the
    injected containers never get LimitRange defaults: they carry what the injector gives them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

PROXY = "istio-proxy"
VALIDATION = "istio-validation"
INIT = "istio-init"
PROXY_UID = 1337
_ANNOTATION_RESOURCES = {
    "sidecar.istio.io/proxyCPU": ("requests", "cpu"),
    "sidecar.istio.io/proxyMemory": ("requests", "memory"),
    "sidecar.istio.io/proxyCPULimit": ("limits", "cpu"),
    "sidecar.istio.io/proxyMemoryLimit": ("limits", "memory"),
}
_VOLUMES = [
    {"name": "workload-socket", "emptyDir": {}},
    {"name": "credential-socket", "emptyDir": {}},
    {"name": "workload-certs", "emptyDir": {}},
    {"name": "istio-envoy", "emptyDir": {"medium": "Memory"}},
    {"name": "istio-data", "emptyDir": {}},
    {"name": "istio-podinfo", "downwardAPI": {"items": []}},
    {"name": "istio-token", "projected": {"sources": [{"serviceAccountToken": {}}]}},
    {"name": "istiod-ca-cert", "configMap": {"name": "istio-ca-root-cert"}},
    {"name": "istio-ca-crl", "configMap": {"name": "istio-ca-crl", "optional": True}},
]


def injects(namespace_labels: Mapping[str, str], pod_meta: Mapping[str, Any]) -> bool:
    annotations = pod_meta.get("annotations") or {}
    labels = pod_meta.get("labels") or {}
    opted_out = "false" in (
        annotations.get("sidecar.istio.io/inject"),
        labels.get("sidecar.istio.io/inject"),
    )
    return namespace_labels.get("istio-injection") == "enabled" and not opted_out


def _resources(values: Mapping[str, Any], annotations: Mapping[str, str]) -> dict:
    if any(k in annotations for k in _ANNOTATION_RESOURCES):
        out: dict[str, dict[str, str]] = {}
        for key, (kind, res) in _ANNOTATION_RESOURCES.items():
            if key in annotations:
                out.setdefault(kind, {})[res] = annotations[key]
        return out
    block = ((values.get("global") or {}).get("proxy") or {}).get("resources") or {}
    return {
        kind: {r: v for r, v in (block.get(kind) or {}).items() if v is not None}
        for kind in ("requests", "limits")
        if block.get(kind)
    }


def _security_context(values: Mapping[str, Any], cni: bool, uid: int, gid: int) -> dict:
    proxy = (values.get("global") or {}).get("proxy") or {}
    privileged = bool(proxy.get("privileged"))
    sc: dict[str, Any] = {
        "allowPrivilegeEscalation": privileged,
        "privileged": privileged,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": gid,
    }
    if not cni:  # istio-init rewrites iptables itself: root with NET_ADMIN/NET_RAW
        sc["capabilities"] = {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]}
        sc.update(readOnlyRootFilesystem=False, runAsNonRoot=False, runAsUser=0, runAsGroup=0)
    if proxy.get("seccompProfile"):
        sc["seccompProfile"] = copy.deepcopy(proxy["seccompProfile"])
    return sc


def native_sidecars(minor: str, annotations: Mapping[str, str]) -> bool:
    asked = annotations.get("sidecar.istio.io/nativeSidecar")
    if asked in ("true", "false"):
        return asked == "true"
    return int(minor.split(".")[1]) >= 33


def inject(
    meta: Mapping[str, Any], spec: Mapping[str, Any], values: Mapping[str, Any], minor: str
) -> dict:
    """`spec` with the sidecar injected (istiod `values`: the chart's defaults merged with the
    release's values)."""
    annotations = meta.get("annotations") or {}
    out = copy.deepcopy(dict(spec))
    cni = bool(((values.get("pilot") or {}).get("cni") or {}).get("enabled"))
    resources = _resources(values, annotations)
    app_sc = ((out.get("containers") or [{}])[0].get("securityContext")) or {}
    uid, gid = app_sc.get("runAsUser", PROXY_UID), app_sc.get("runAsGroup", PROXY_UID)
    init = {
        "name": VALIDATION if cni else INIT,
        "resources": copy.deepcopy(resources),
        "securityContext": _security_context(values, cni, uid if cni else 0, gid if cni else 0),
    }
    proxy_sc = _security_context(values, True, PROXY_UID, PROXY_UID)
    proxy = {
        "name": PROXY,
        "ports": [{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/healthz/ready", "port": 15021}},
        "startupProbe": {"httpGet": {"path": "/healthz/ready", "port": 15021}},
        "resources": copy.deepcopy(resources),
        "securityContext": proxy_sc,
    }
    inits = list(out.get("initContainers") or [])
    if native_sidecars(minor, annotations):
        proxy["restartPolicy"] = "Always"
        out["initContainers"] = [init, proxy, *inits]
    else:
        out["initContainers"] = [init, *inits]
        out["containers"] = [*(out.get("containers") or []), proxy]
    out["volumes"] = [*(out.get("volumes") or []), *copy.deepcopy(_VOLUMES)]
    return out
