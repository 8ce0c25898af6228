"""Pure-function tests of the serving stack: pod security checker, domains, IAM documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components import naming
from components.config.observability import AlertReceiver, ObservabilityConfig
from components.constants import arn_parts
from components.serving import domains, istio, observability, placement
from components.serving.podsecurity import (
    restricted_container_context,
    restricted_pod_context,
    restricted_violations,
)
from components.shared.iam import irsa_trust_document

ROOT = Path(__file__).resolve().parents[1]


def _good_pod() -> dict:
    return {
        "securityContext": restricted_pod_context(),
        "containers": [{"name": "app", "securityContext": restricted_container_context()}],
    }


def test_checker_accepts_a_restricted_pod():
    assert restricted_violations(_good_pod()) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda p: p.update(hostNetwork=True), "hostNetwork"),
        (lambda p: p.update(hostPID=True), "hostPID"),
        (lambda p: p["containers"][0]["securityContext"].update(privileged=True), "privileged"),
        (
            lambda p: p["containers"][0]["securityContext"].pop("allowPrivilegeEscalation"),
            "allowPrivilegeEscalation",
        ),
        (lambda p: p["containers"][0]["securityContext"].update(capabilities={}), "drop"),
        (
            lambda p: p["containers"][0]["securityContext"].update(
                capabilities={"drop": ["ALL"], "add": ["NET_ADMIN"]}
            ),
            "NET_ADMIN",
        ),
        (lambda p: p.update(volumes=[{"name": "h", "hostPath": {"path": "/"}}]), "hostPath"),
        (lambda p: p["containers"][0].update(ports=[{"hostPort": 80}]), "hostPort"),
        (lambda p: p["securityContext"].update(runAsUser=0), "runAsUser is 0"),
    ],
)
def test_checker_flags_each_restricted_violation(mutate, expected):
    pod = _good_pod()
    mutate(pod)
    assert any(expected in v for v in restricted_violations(pod))


def test_checker_needs_non_root_and_seccomp_somewhere():
    pod = {"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": False}}]}
    found = " ".join(restricted_violations(pod))
    assert "runAsNonRoot" in found and "seccompProfile" in found


def test_example_function_manifest_follows_the_platform_placement():
    """Internal by default (no exposure label) and on the function pool the platform defines."""
    ksvc = yaml.safe_load((ROOT / "examples/functions/hello-python/service.yaml").read_text())
    assert ksvc["apiVersion"] == "serving.knative.dev/v1"
    assert naming.EXPOSURE_LABEL not in ksvc["metadata"].get("labels", {})
    spec = ksvc["spec"]["template"]["spec"]
    assert restricted_violations(spec) == []
    assert spec["nodeSelector"] == placement.function_placement()["nodeSelector"]
    assert spec["tolerations"] == placement.function_placement()["tolerations"]


def test_domains_follow_naming():
    assert domains.env_domains("dev.example.com") == {
        "dmz": "faas.dev.example.com",
        "internal": "internal.faas.dev.example.com",
    }
    assert domains.cluster_domains("dev.example.com", "green")["internal"] == (
        "internal.faas-green.dev.example.com"
    )


def test_config_domain_has_exactly_one_default():
    conf = domains.config_domain("dev.example.com")
    defaults = [d for d, v in conf.items() if v == ""]
    assert defaults == ["internal.faas.dev.example.com"]


def test_config_istio_has_one_unselected_external_gateway():
    conf = domains.config_istio()
    entries = yaml.safe_load(conf["external-gateways"])
    # net-istio refuses a list without exactly one default (no labelSelector) entry.
    assert len([g for g in entries if "labelSelector" not in g]) == 1
    assert all({"name", "namespace", "service"} <= set(g) for g in entries)


def test_config_istio_leaves_local_gateways_to_the_default():
    # The operator would move the knative-local-gateway Service into the entry's `namespace`
    # (knative/operator#2217); net-istio's default keeps it in istio-system with the gateways.
    conf = domains.config_istio()
    assert "local-gateways" not in conf
    assert not [k for k in conf if k.startswith(("gateway.", "local-gateway."))]


def test_cluster_alias_lua_targets_this_colour_only():
    lua = domains.cluster_alias_lua("dev.example.com", "green")
    assert '".faas-green.dev.example.com"' in lua
    assert "faas-blue" not in lua
    assert '".faas.dev.example.com"' in lua


def test_system_tolerations_match_the_node_group_taint():
    tol = placement.system_tolerations()[0]
    assert tol["key"] == naming.SYSTEM_TAINT["key"]
    assert tol["value"] == naming.SYSTEM_TAINT["value"]
    assert tol["effect"] == "NoSchedule"


def test_irsa_trust_pins_sub_and_aud():
    doc = json.loads(irsa_trust_document("arn:p", "issuer/x", "kube-system", "sa"))
    st = doc["Statement"][0]
    assert st["Principal"] == {"Federated": "arn:p"}
    assert st["Condition"]["StringEquals"] == {
        "issuer/x:sub": "system:serviceaccount:kube-system:sa",
        "issuer/x:aud": "sts.amazonaws.com",
    }


def test_arn_parts_reads_partition_and_account():
    arn = "arn:aws-cn:iam::210987654321:oidc-provider/oidc.eks.cn-north-1/id/X"
    assert arn_parts(arn) == ("aws-cn", "210987654321")


def test_cni_values_are_top_level_with_eks_paths():
    values = istio.cni_values()
    # The chart (Istio >= 1.24) reads these at the top level; a `cni:` block is ignored.
    assert "cni" not in values
    assert values["chained"] is True
    assert values["cniBinDir"] == "/opt/cni/bin"
    assert values["cniConfDir"] == "/etc/cni/net.d"
    assert values["tolerations"] == [{"operator": "Exists"}]


def test_pod_monitors_match_real_port_names_and_labels():
    settings = ObservabilityConfig("15d", 50, (AlertReceiver("oncall", "https://alerts.example"),))
    prom = observability.prometheus_values(settings)["prometheus"]
    monitors = {m["name"]: m for m in prom["additionalPodMonitors"]}
    proxies = monitors["istio-proxies"]
    assert proxies["selector"]["matchExpressions"][0]["key"] == "service.istio.io/canonical-name"
    assert proxies["podMetricsEndpoints"][0]["port"] == "http-envoy-prom"
    assert monitors["knative-control-plane"]["podMetricsEndpoints"][0]["port"] == "metrics"
    assert monitors["knative-queue-proxy"]["podMetricsEndpoints"][0]["port"] == "http-usermetric"
