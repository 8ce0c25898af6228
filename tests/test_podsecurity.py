"""The Pod Security checker covers every check of the standard, each one able to fail, at the
Kubernetes minors the platform runs (components/serving/podsecurity.py)."""

from __future__ import annotations

import copy

import pytest

from components.serving.podsecurity import CHECKS, restricted_violations, violations

# The check ids registered by kubernetes/pod-security-admission policy/ at v0.35.6 (Kubernetes
# 1.35): every one must be implemented.
UPSTREAM_CHECKS = {
    "allowPrivilegeEscalation",
    "appArmorProfile",
    "capabilities_baseline",
    "capabilities_restricted",
    "hostNamespaces",
    "hostPathVolumes",
    "hostPorts",
    "hostProbesAndHostLifecycle",
    "privileged",
    "procMount",
    "procMount_restricted",
    "restrictedVolumes",
    "runAsNonRoot",
    "runAsUser",
    "seLinuxOptions",
    "seccompProfile_baseline",
    "seccompProfile_restricted",
    "sysctls",
    "windowsHostProcess",
}


def good() -> dict:
    return {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [{"name": "init", "securityContext": _container_sc()}],
        "containers": [{"name": "app", "securityContext": _container_sc()}],
        "volumes": [{"name": "v", "emptyDir": {}}, {"name": "p", "projected": {"sources": []}}],
    }


def _container_sc() -> dict:
    return {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def test_every_upstream_check_is_implemented():
    assert {c[0] for c in CHECKS} == UPSTREAM_CHECKS


def test_a_restricted_pod_passes_at_every_supported_minor():
    for minor in ("1.33", "1.34", "1.35"):
        assert restricted_violations(good(), minor=minor) == []


def _app(pod: dict) -> dict:
    return pod["containers"][0]


def _sc(pod: dict) -> dict:
    return _app(pod)["securityContext"]


CASES = [
    ("hostNamespaces", lambda p: p.update(hostIPC=True)),
    ("privileged", lambda p: _sc(p).update(privileged=True)),
    ("restrictedVolumes", lambda p: p["volumes"].append({"name": "n", "nfs": {"path": "/"}})),
    ("restrictedVolumes", lambda p: p["volumes"].append({"name": "h", "hostPath": {"path": "/"}})),
    ("hostPorts", lambda p: _app(p).update(ports=[{"containerPort": 80, "hostPort": 80}])),
    ("appArmorProfile", lambda p: _sc(p).update(appArmorProfile={"type": "Unconfined"})),
    ("appArmorProfile", lambda p: p["securityContext"].update(appArmorProfile={"type": "X"})),
    ("seLinuxOptions", lambda p: _sc(p).update(seLinuxOptions={"type": "spc_t"})),
    ("seLinuxOptions", lambda p: p["securityContext"].update(seLinuxOptions={"user": "root"})),
    ("procMount", lambda p: _sc(p).update(procMount="Unmasked")),
    ("sysctls", lambda p: p["securityContext"].update(sysctls=[{"name": "kernel.msgmax"}])),
    ("windowsHostProcess", lambda p: _sc(p).update(windowsOptions={"hostProcess": True})),
    (
        "hostProbesAndHostLifecycle",
        lambda p: _app(p).update(readinessProbe={"httpGet": {"host": "10.0.0.1", "port": 80}}),
    ),
    (
        "hostProbesAndHostLifecycle",
        lambda p: _app(p).update(lifecycle={"preStop": {"tcpSocket": {"host": "x", "port": 1}}}),
    ),
    ("allowPrivilegeEscalation", lambda p: _sc(p).pop("allowPrivilegeEscalation")),
    ("runAsNonRoot", lambda p: p["securityContext"].pop("runAsNonRoot")),
    ("runAsNonRoot", lambda p: _sc(p).update(runAsNonRoot=False)),
    ("runAsUser", lambda p: _sc(p).update(runAsUser=0)),
    ("runAsUser", lambda p: p["securityContext"].update(runAsUser=0)),
    ("seccompProfile_restricted", lambda p: p["securityContext"].pop("seccompProfile")),
    ("seccompProfile_restricted", lambda p: _sc(p).update(seccompProfile={"type": "Unconfined"})),
    ("capabilities_restricted", lambda p: _sc(p).update(capabilities={"drop": ["NET_RAW"]})),
    (
        "capabilities_restricted",
        lambda p: _sc(p).update(capabilities={"drop": ["ALL"], "add": ["CHOWN"]}),
    ),
    ("capabilities_restricted", lambda p: p["initContainers"][0].pop("securityContext")),
]


@pytest.mark.parametrize(
    ("check", "mutate"), CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASES)]
)
def test_each_check_refuses_what_it_guards(check, mutate):
    pod = good()
    mutate(pod)
    found = restricted_violations(pod, minor="1.34")
    assert any(v.startswith(f"{check}:") for v in found), found


def test_ephemeral_containers_are_checked_too():
    pod = good()
    pod["ephemeralContainers"] = [{"name": "debug", "securityContext": {"privileged": True}}]
    found = restricted_violations(pod)
    assert any("container debug: privileged" in v for v in found)


def test_apparmor_annotations_are_checked():
    meta = {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}}
    assert any(v.startswith("appArmorProfile:") for v in restricted_violations(good(), meta))
    meta = {
        "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}
    }
    assert restricted_violations(good(), meta) == []


def test_baseline_allows_what_only_restricted_forbids():
    pod = good()
    _sc(pod).update(capabilities={"add": ["CHOWN"]}, allowPrivilegeEscalation=True)
    pod["securityContext"] = {}
    assert violations(pod, "baseline") == []
    _sc(pod)["capabilities"] = {"add": ["NET_ADMIN"]}
    assert [v.split(":")[0] for v in violations(pod, "baseline")] == ["capabilities_baseline"]
    assert violations(pod, "privileged") == []


def test_checks_follow_the_kubernetes_minor():
    probe = good()
    _app(probe)["livenessProbe"] = {"tcpSocket": {"host": "1.2.3.4", "port": 1}}
    assert restricted_violations(probe, minor="1.33") == []  # the check exists from 1.34
    assert restricted_violations(probe, minor="1.34")
    sysctl = good()
    sysctl["securityContext"]["sysctls"] = [{"name": "net.ipv4.tcp_rmem"}]  # allowed from 1.32
    assert restricted_violations(sysctl, minor="1.33") == []
    engine = good()
    _sc(engine)["seLinuxOptions"] = {"type": "container_engine_t"}  # allowed from 1.31
    assert restricted_violations(engine, minor="1.33") == []


def test_user_namespace_pods_may_run_as_root_from_1_35_only():
    pod = good()
    pod["hostUsers"] = False
    _sc(pod).update(runAsUser=0, runAsNonRoot=False, procMount="Unmasked")
    at_134 = {v.split(":")[0] for v in restricted_violations(pod, minor="1.34")}
    assert {"runAsUser", "runAsNonRoot", "procMount"} <= at_134
    at_135 = {v.split(":")[0] for v in restricted_violations(pod, minor="1.35")}
    # Root is allowed in a user namespace; an unmasked /proc still is not under restricted.
    assert at_135 == {"procMount_restricted"}
    assert violations(pod, "baseline", minor="1.35") == []


def test_windows_pods_are_exempt_from_the_linux_only_checks():
    pod = copy.deepcopy(good())
    pod["os"] = {"name": "windows"}
    pod["securityContext"] = {"runAsNonRoot": True}
    _app(pod)["securityContext"] = {}
    pod["initContainers"][0]["securityContext"] = {}
    assert restricted_violations(pod) == []
