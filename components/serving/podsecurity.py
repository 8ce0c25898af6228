"""A checker of the Kubernetes `restricted` Pod Security Standard for pod specs we render ourselves.

Mirrors the checks in kubernetes/pod-security-admission `policy/` (baseline + restricted): host
namespaces, privileged, capabilities, hostPath and non-allow-listed volumes, host ports,
allowPrivilegeEscalation (must be explicitly false), runAsNonRoot, runAsUser != 0, seccomp
RuntimeDefault/Localhost. Helm releases are opaque here; this covers the Deployments and Knative
Services the project writes itself. Pure Python so tests and the policy pack can share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_ALLOWED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
_SECCOMP_OK = {"RuntimeDefault", "Localhost"}


def _get(m: Mapping[str, Any] | None, key: str, default: Any = None) -> Any:
    return default if m is None else m.get(key, default)


def restricted_violations(pod_spec: Mapping[str, Any]) -> list[str]:
    """Every way `pod_spec` (camelCase, as the API takes it) breaks the restricted profile."""
    bad: list[str] = []
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if pod_spec.get(host):
            bad.append(f"spec.{host} is true")
    pod_sc = pod_spec.get("securityContext") or {}
    for vol in pod_spec.get("volumes") or []:
        kinds = set(vol) - {"name"}
        if not kinds <= _ALLOWED_VOLUMES:
            bad.append(f"volume {vol.get('name')!r} uses {sorted(kinds - _ALLOWED_VOLUMES)}")
    pod_non_root = _get(pod_sc, "runAsNonRoot") is True
    pod_seccomp = _get(_get(pod_sc, "seccompProfile"), "type") in _SECCOMP_OK
    if _get(pod_sc, "runAsUser") == 0:
        bad.append("spec.securityContext.runAsUser is 0")
    containers = [*(pod_spec.get("initContainers") or []), *(pod_spec.get("containers") or [])]
    if not containers:
        bad.append("no containers")
    for c in containers:
        name = c.get("name", "?")
        sc = c.get("securityContext") or {}
        if sc.get("privileged"):
            bad.append(f"container {name}: privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            bad.append(f"container {name}: allowPrivilegeEscalation is not false")
        if not (
            sc.get("runAsNonRoot") is True or (pod_non_root and sc.get("runAsNonRoot") is None)
        ):
            bad.append(f"container {name}: runAsNonRoot is not true")
        if sc.get("runAsUser") == 0:
            bad.append(f"container {name}: runAsUser is 0")
        seccomp = _get(sc.get("seccompProfile"), "type")
        if not (seccomp in _SECCOMP_OK or (pod_seccomp and seccomp is None)):
            bad.append(f"container {name}: seccompProfile is not RuntimeDefault/Localhost")
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            bad.append(f"container {name}: capabilities.drop does not include ALL")
        extra = set(caps.get("add") or []) - {"NET_BIND_SERVICE"}
        if extra:
            bad.append(f"container {name}: adds capabilities {sorted(extra)}")
        for p in c.get("ports") or []:
            if p.get("hostPort"):
                bad.append(f"container {name}: hostPort {p['hostPort']}")
    return bad


def restricted_container_context() -> dict[str, Any]:
    """The container securityContext every platform-rendered container uses."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def restricted_pod_context(uid: int = 65532) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def pss_labels(level: str) -> dict[str, str]:
    """Namespace labels that enforce (and audit, warn) one Pod Security level."""
    return {f"pod-security.kubernetes.io/{mode}": level for mode in ("enforce", "audit", "warn")}
