"""The Kubernetes Pod Security Standards, every check of `baseline` and `restricted`, as a function.

Mirrors kubernetes/pod-security-admission `policy/` (the admission plugin's own checks) at the
versions the platform runs: v0.33.x, v0.34.9 and v0.35.6 (Kubernetes 1.33, 1.34, 1.35; file
names below are that package's). A check applies from its minimum version, and a `restricted`
check replaces the `baseline` check it overrides, as `policy/registry.go` evaluates them:

  baseline: hostNamespaces, privileged, capabilities_baseline, hostPathVolumes, hostPorts,
    appArmorProfile, seLinuxOptions, procMount, seccompProfile_baseline, sysctls,
    windowsHostProcess, hostProbesAndHostLifecycle (1.34+)
  restricted, in addition: restrictedVolumes (overrides hostPathVolumes),
    allowPrivilegeEscalation, runAsNonRoot, runAsUser, seccompProfile_restricted (overrides
    seccompProfile_baseline), capabilities_restricted (overrides capabilities_baseline),
    procMount_restricted (1.35+, overrides procMount)

Version-dependent details: the sysctl allow-list grows at 1.27, 1.29 and 1.32; `container_engine_t`
joins the SELinux types at 1.31; from 1.35 a pod in a user namespace (`hostUsers: false`) may run
as root and baseline no longer checks its procMount (before 1.35 that relaxation needs an apiserver
opt-in, off by default, so it is not applied). Windows pods (`spec.os.name: windows`) are exempt
from the Linux-only restricted checks since 1.25.

Pure Python, pod specs as the API takes them (camelCase); no Pulumi.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from components import versions

PodSpec = Mapping[str, Any]
Meta = Mapping[str, Any]

_RESTRICTED_VOLUMES_OK = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
_SECCOMP_OK = {"RuntimeDefault", "Localhost"}
_APPARMOR_OK = {"RuntimeDefault", "Localhost"}
_APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
# check_capabilities_baseline.go: the container runtime's default set.
_DEFAULT_CAPABILITIES = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}  # fmt: skip
# check_sysctls.go: the "safe" sysctls, by the version that allowed them.
_SYSCTLS = {
    (1, 0): {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    },
    (1, 27): {"net.ipv4.ip_local_reserved_ports"},
    (1, 29): {
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    },
    (1, 32): {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"},
}
_SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t"}


def _version(minor: str) -> tuple[int, int]:
    major, _, rest = minor.partition(".")
    return int(major), int(rest)


def _sc(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return (obj or {}).get("securityContext") or {}


def containers(pod: PodSpec) -> Iterator[Mapping[str, Any]]:
    """Init containers, containers and ephemeral containers, in policy/visitor.go's order."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from pod.get(key) or []


def _windows(pod: PodSpec) -> bool:
    return ((pod.get("os") or {}).get("name")) == "windows"


def _user_namespace(pod: PodSpec, v: tuple[int, int]) -> bool:
    return v >= (1, 35) and pod.get("hostUsers") is False


# --- baseline ----------------------------------------------------------------------------------
def _host_namespaces(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key):
            yield f"spec.{key} is true"


def _privileged(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    for c in containers(pod):
        if _sc(c).get("privileged") is True:
            yield f"container {c.get('name')}: privileged"


def _capabilities_baseline(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    for c in containers(pod):
        extra = set((_sc(c).get("capabilities") or {}).get("add") or []) - _DEFAULT_CAPABILITIES
        if extra:
            yield f"container {c.get('name')}: adds capabilities {sorted(extra)}"


def _host_path_volumes(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    for vol in pod.get("volumes") or []:
        if vol.get("hostPath") is not None:
            yield f"volume {vol.get('name')!r} is a hostPath volume"


def _host_ports(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    for c in containers(pod):
        for port in c.get("ports") or []:
            if port.get("hostPort"):
                yield f"container {c.get('name')}: hostPort {port['hostPort']}"


def _app_armor(pod: PodSpec, meta: Meta, _: tuple[int, int]) -> Iterator[str]:
    pod_type = _sc({"securityContext": pod.get("securityContext")}).get("appArmorProfile") or {}
    if pod_type and pod_type.get("type") not in _APPARMOR_OK:
        yield f"pod appArmorProfile.type is {pod_type.get('type')!r}"
    for c in containers(pod):
        profile = _sc(c).get("appArmorProfile")
        if profile is not None and profile.get("type") not in _APPARMOR_OK:
            yield f"container {c.get('name')}: appArmorProfile.type is {profile.get('type')!r}"
    for key, value in ((meta or {}).get("annotations") or {}).items():
        ok = not value or value == "runtime/default" or str(value).startswith("localhost/")
        if key.startswith(_APPARMOR_ANNOTATION) and not ok:
            yield f"annotation {key}={value!r}"


def _se_linux(pod: PodSpec, _: Meta, v: tuple[int, int]) -> Iterator[str]:
    allowed = _SELINUX_TYPES | ({"container_engine_t"} if v >= (1, 31) else set())
    setters = [("pod", pod.get("securityContext") or {})]
    setters += [(f"container {c.get('name')}", _sc(c)) for c in containers(pod)]
    for who, sc in setters:
        opts = sc.get("seLinuxOptions")
        if opts is None:
            continue
        if opts.get("type", "") not in allowed:
            yield f"{who}: seLinuxOptions.type {opts.get('type')!r} is not allowed"
        if opts.get("user") or opts.get("role"):
            yield f"{who}: seLinuxOptions sets user or role"


def _proc_mount(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    for c in containers(pod):
        mount = _sc(c).get("procMount")
        if mount is not None and mount != "Default":
            yield f"container {c.get('name')}: procMount is {mount!r}"


def _proc_mount_baseline(pod: PodSpec, meta: Meta, v: tuple[int, int]) -> Iterator[str]:
    if not _user_namespace(pod, v):
        yield from _proc_mount(pod, meta, v)


def _seccomp_baseline(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    pod_profile = (pod.get("securityContext") or {}).get("seccompProfile")
    if pod_profile is not None and pod_profile.get("type") not in _SECCOMP_OK:
        yield f"pod seccompProfile.type is {pod_profile.get('type')!r}"
    for c in containers(pod):
        profile = _sc(c).get("seccompProfile")
        if profile is not None and profile.get("type") not in _SECCOMP_OK:
            yield f"container {c.get('name')}: seccompProfile.type is {profile.get('type')!r}"


def _sysctls(pod: PodSpec, _: Meta, v: tuple[int, int]) -> Iterator[str]:
    allowed = set().union(*(names for since, names in _SYSCTLS.items() if v >= since))
    for sysctl in (pod.get("securityContext") or {}).get("sysctls") or []:
        if sysctl.get("name") not in allowed:
            yield f"sysctl {sysctl.get('name')!r} is not allowed"


def _windows_host_process(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    setters = [("pod", pod.get("securityContext") or {})]
    setters += [(f"container {c.get('name')}", _sc(c)) for c in containers(pod)]
    for who, sc in setters:
        if (sc.get("windowsOptions") or {}).get("hostProcess") is True:
            yield f"{who}: windowsOptions.hostProcess is true"


def _host_probes(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    for c in containers(pod):
        handlers = [c.get(p) for p in ("livenessProbe", "readinessProbe", "startupProbe")]
        handlers += [(c.get("lifecycle") or {}).get(h) for h in ("postStart", "preStop")]
        for handler in handlers:
            for kind in ("httpGet", "tcpSocket"):
                host = ((handler or {}).get(kind) or {}).get("host")
                if host:
                    yield f"container {c.get('name')}: probe or lifecycle {kind}.host {host!r}"


# --- restricted --------------------------------------------------------------------------------
def _restricted_volumes(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    for vol in pod.get("volumes") or []:
        kinds = set(vol) - {"name"}
        if not kinds & _RESTRICTED_VOLUMES_OK:
            yield f"volume {vol.get('name')!r} uses {sorted(kinds) or ['an unknown source']}"


def _allow_privilege_escalation(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    if _windows(pod):
        return
    for c in containers(pod):
        if _sc(c).get("allowPrivilegeEscalation") is not False:
            yield f"container {c.get('name')}: allowPrivilegeEscalation is not false"


def _run_as_non_root(pod: PodSpec, _: Meta, v: tuple[int, int]) -> Iterator[str]:
    if _user_namespace(pod, v):
        return
    pod_value = (pod.get("securityContext") or {}).get("runAsNonRoot")
    if pod_value is False:
        yield "pod runAsNonRoot is false"
    for c in containers(pod):
        value = _sc(c).get("runAsNonRoot")
        if value is False or (value is None and pod_value is not True):
            yield f"container {c.get('name')}: runAsNonRoot is not true"


def _run_as_user(pod: PodSpec, _: Meta, v: tuple[int, int]) -> Iterator[str]:
    if _user_namespace(pod, v):
        return
    if (pod.get("securityContext") or {}).get("runAsUser") == 0:
        yield "spec.securityContext.runAsUser is 0"
    for c in containers(pod):
        if _sc(c).get("runAsUser") == 0:
            yield f"container {c.get('name')}: runAsUser is 0"


def _seccomp_restricted(pod: PodSpec, meta: Meta, v: tuple[int, int]) -> Iterator[str]:
    if _windows(pod):
        return
    yield from _seccomp_baseline(pod, meta, v)
    pod_profile = (pod.get("securityContext") or {}).get("seccompProfile") or {}
    pod_ok = pod_profile.get("type") in _SECCOMP_OK
    for c in containers(pod):
        if _sc(c).get("seccompProfile") is None and not pod_ok:
            yield f"container {c.get('name')}: seccompProfile is not RuntimeDefault/Localhost"


def _capabilities_restricted(pod: PodSpec, _: Meta, __: tuple[int, int]) -> Iterator[str]:
    if _windows(pod):
        return
    for c in containers(pod):
        caps = _sc(c).get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            yield f"container {c.get('name')}: capabilities.drop does not include ALL"
        extra = set(caps.get("add") or []) - {"NET_BIND_SERVICE"}
        if extra:
            yield f"container {c.get('name')}: adds capabilities {sorted(extra)}"


Check = Callable[[PodSpec, Meta, tuple[int, int]], Iterator[str]]
# (id, level, minimum version, check, ids it overrides), as policy/check_*.go register them.
CHECKS: tuple[tuple[str, str, tuple[int, int], Check, tuple[str, ...]], ...] = (
    ("hostNamespaces", "baseline", (1, 0), _host_namespaces, ()),
    ("privileged", "baseline", (1, 0), _privileged, ()),
    ("capabilities_baseline", "baseline", (1, 0), _capabilities_baseline, ()),
    ("hostPathVolumes", "baseline", (1, 0), _host_path_volumes, ()),
    ("hostPorts", "baseline", (1, 0), _host_ports, ()),
    ("appArmorProfile", "baseline", (1, 0), _app_armor, ()),
    ("seLinuxOptions", "baseline", (1, 0), _se_linux, ()),
    ("procMount", "baseline", (1, 0), _proc_mount_baseline, ()),
    ("seccompProfile_baseline", "baseline", (1, 19), _seccomp_baseline, ()),
    ("sysctls", "baseline", (1, 0), _sysctls, ()),
    ("windowsHostProcess", "baseline", (1, 0), _windows_host_process, ()),
    ("hostProbesAndHostLifecycle", "baseline", (1, 34), _host_probes, ()),
    ("restrictedVolumes", "restricted", (1, 0), _restricted_volumes, ("hostPathVolumes",)),
    ("allowPrivilegeEscalation", "restricted", (1, 8), _allow_privilege_escalation, ()),
    ("runAsNonRoot", "restricted", (1, 0), _run_as_non_root, ()),
    ("runAsUser", "restricted", (1, 23), _run_as_user, ()),
    (
        "seccompProfile_restricted",
        "restricted",
        (1, 19),
        _seccomp_restricted,
        ("seccompProfile_baseline",),
    ),
    (
        "capabilities_restricted",
        "restricted",
        (1, 22),
        _capabilities_restricted,
        ("capabilities_baseline",),
    ),
    ("procMount_restricted", "restricted", (1, 35), _proc_mount, ("procMount",)),
)
LEVELS = ("privileged", "baseline", "restricted")
# Without a minor, the newest the platform supports: the strictest set of checks.
NEWEST_MINOR = max(
    versions.SUPPORTED_KUBERNETES_VERSIONS, key=lambda m: tuple(map(int, m.split(".")))
)


def violations(
    pod_spec: PodSpec,
    level: str = "restricted",
    metadata: Meta | None = None,
    minor: str = NEWEST_MINOR,
) -> list[str]:
    """Every way `pod_spec` breaks the `level` standard of Kubernetes `minor`, as
    `"<check id>: <what>"`; empty when the pod is admitted."""
    if level not in LEVELS:
        raise ValueError(f"unknown Pod Security level {level!r}")
    v = _version(minor)
    wanted = LEVELS[1 : LEVELS.index(level) + 1]
    active = [c for c in CHECKS if c[1] in wanted and v >= c[2]]
    overridden = {o for c in active for o in c[4]}
    found = []
    for check_id, _, _, check, _ in active:
        if check_id not in overridden:
            found.extend(f"{check_id}: {msg}" for msg in check(pod_spec, metadata or {}, v))
    if not list(containers(pod_spec)) and level != "privileged":
        found.append("spec: no containers")
    return found


def restricted_violations(
    pod_spec: PodSpec,
    metadata: Meta | None = None,
    minor: str = NEWEST_MINOR,
) -> list[str]:
    """Every way `pod_spec` breaks the `restricted` standard."""
    return violations(pod_spec, "restricted", metadata, minor)


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
