"""The contract checks fail where they must, and their documented rules hold (docs/contracts.md)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from components import versions
from faas.contracts import (
    eks_addon_evidence,
    load_chart,
    missing_contracts,
    published,
    schema_errors,
    unpublished_pins,
    unread_value_paths,
    validate_cr,
    validate_k8s,
)
from tests.support.plans import plan, states

ROOT = Path(__file__).resolve().parents[1]


def release_values(chart: str) -> dict[str, Any]:
    for release in states(plan("dev-blue"), "kubernetes:helm.sh/v3:Release"):
        if release["inputs"]["chart"] == chart:
            return copy.deepcopy(release["inputs"]["values"])
    raise AssertionError(chart)


def resource(kind: str) -> dict[str, Any]:
    doc = plan("dev-blue")
    for step in doc["steps"]:
        if step["newState"]["type"].endswith(f":{kind}"):
            return copy.deepcopy(step["newState"]["inputs"])
    raise AssertionError(kind)


# -- Helm value paths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chart", "version", "path"),
    [
        ("istiod", "1.30.1", ("pilot", "nodeSelectr")),
        ("istiod", "1.30.1", ("meshConfigg", "x")),
        ("kube-prometheus-stack", "86.2.0", ("prometheus", "prometheusSpec", "retentionn")),
        ("kube-prometheus-stack", "86.2.0", ("grafana", "bogus")),
        ("kube-prometheus-stack", "86.2.0", ("kube-state-metrics", "nodeSelectorr")),
        ("aws-load-balancer-controller", "1.17.1", ("serviceAccount", "annotationz")),
        ("knative-operator", "v1.23.0", ("knative_operator", "knative_operator", "tolerationz")),
    ],
)
def test_a_wrong_value_path_is_reported(chart: str, version: str, path: tuple[str, ...]) -> None:
    values: dict[str, Any] = {}
    node = values
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = "x"
    assert unread_value_paths(chart, version, values) == [".".join(path)]


@pytest.mark.parametrize(
    ("chart", "version", "values"),
    [
        # istiod copies `pilot.*` to the top level (zzy_descope_legacy.yaml).
        ("istiod", "1.30.1", {"pilot": {"nodeSelector": {"a": "b"}, "replicaCount": 2}}),
        # istio defaults live under _internal_defaults_do_not_set (zzz_profile.yaml merges them).
        ("istiod", "1.30.1", {"_internal_defaults_do_not_set": {"replicaCount": 2}}),
        # keys of a user-data map are data, not value names.
        ("aws-load-balancer-controller", "1.17.1", {"serviceAccount": {"annotations": {"k": "v"}}}),
        # a subchart reads its own values; the dependency condition is read by Helm.
        ("kube-prometheus-stack", "86.2.0", {"grafana": {"enabled": False, "replicas": 2}}),
        ("kube-prometheus-stack", "86.2.0", {"prometheus-node-exporter": {"hostNetwork": False}}),
        # `global` reaches every subchart: read if any of them reads it.
        ("kube-prometheus-stack", "86.2.0", {"global": {"imageRegistry": "r.example.com"}}),
    ],
)
def test_value_path_rules_accept_what_the_chart_reads(
    chart: str, version: str, values: dict[str, Any]
) -> None:
    assert unread_value_paths(chart, version, values) == []


def test_an_unread_key_of_a_list_item_is_reported() -> None:
    values = release_values("kube-prometheus-stack")
    values["prometheus"]["additionalPodMonitors"][0]["podMetricEndpoints"] = []
    assert unread_value_paths("kube-prometheus-stack", "86.2.0", values) == [
        "prometheus.additionalPodMonitors[0].podMetricEndpoints"
    ]


def test_a_release_value_typo_is_caught_on_the_shipped_values() -> None:
    values = release_values("istiod")
    values["pilot"]["autoscaleMinn"] = 2
    assert unread_value_paths("istiod", "1.30.1", values) == ["pilot.autoscaleMinn"]


def test_the_values_schema_refuses_what_helm_would() -> None:
    values = release_values("gateway")
    assert schema_errors("istio-gateway", "1.30.1", values) == []
    values["replicas"] = 2  # the gateway chart's schema has no such key
    assert any("replicas" in e for e in schema_errors("istio-gateway", "1.30.1", values))


# -- custom resources --------------------------------------------------------------------------


def test_an_unknown_cr_field_is_an_error() -> None:
    gateway = resource("Gateway")
    assert validate_cr(gateway) == []
    gateway["spec"]["servers"][0]["hostz"] = ["*"]
    assert validate_cr(gateway) == [
        "spec.servers.0: Additional properties are not allowed ('hostz' was unexpected)"
    ]


def test_cr_types_enums_required_and_metadata_are_checked() -> None:
    policy = resource("AuthorizationPolicy")
    policy["action"] = "ALLOW"  # misplaced: belongs under spec
    policy["spec"]["action"] = "PERMIT"
    errors = validate_cr(policy)
    assert any(e.startswith("<root>: Additional properties") and "action" in e for e in errors)
    assert any(e.startswith("spec.action: 'PERMIT' is not one of") for e in errors)
    binding = resource("TargetGroupBinding")
    del binding["spec"]["serviceRef"]["name"]
    binding["spec"]["serviceRef"]["port"] = 80.5
    binding["metadata"]["labelz"] = {}
    errors = validate_cr(binding)
    assert "spec.serviceRef: 'name' is a required property" in errors
    assert any(e.startswith("spec.serviceRef.port:") for e in errors)
    assert any(e.startswith("metadata:") and "labelz" in e for e in errors)


def test_preserved_unknown_fields_are_accepted() -> None:
    serving = resource("KnativeServing")
    serving["spec"]["config"]["network"] = {"any-key": "value"}  # config: map of string maps
    assert validate_cr(serving) == []


def test_a_cr_without_a_stored_crd_is_an_error() -> None:
    assert "no CRD schema" in validate_cr({"apiVersion": "example.com/v1", "kind": "Thing"})[0]


NEW_PINS = [
    {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "functions"},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {
                        "group": "karpenter.k8s.aws",
                        "kind": "EC2NodeClass",
                        "name": "d",
                    },
                    "requirements": [
                        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]}
                    ],
                }
            },
            "limits": {"cpu": "100"},
        },
    },
    {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": "default"},
        "spec": {
            "role": "KarpenterNodeRole",
            "amiSelectorTerms": [{"alias": "al2023@latest"}],
            "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "faas"}}],
            "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "faas"}}],
        },
    },
    {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "platform", "namespace": "flux-system"},
        "spec": {
            "interval": "1m0s",
            "url": "https://example.com/platform.git",
            "ref": {"branch": "main"},
        },
    },
    {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "platform", "namespace": "flux-system"},
        "spec": {
            "interval": "10m0s",
            "path": "./clusters/dev",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "platform"},
        },
    },
    {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "faas", "namespace": "observability"},
        "spec": {"groups": [{"name": "faas", "rules": [{"alert": "Down", "expr": "up == 0"}]}]},
    },
    {
        "apiVersion": "monitoring.coreos.com/v1alpha1",
        "kind": "AlertmanagerConfig",
        "metadata": {"name": "faas", "namespace": "observability"},
        "spec": {"route": {"receiver": "null"}, "receivers": [{"name": "null"}]},
    },
]


@pytest.mark.parametrize("obj", NEW_PINS, ids=[o["kind"] for o in NEW_PINS])
def test_crds_of_the_new_pins_are_stored_and_strict(obj: dict[str, Any]) -> None:
    assert validate_cr(obj) == []
    wrong = copy.deepcopy(obj)
    wrong["spec"]["unknownField"] = True
    assert validate_cr(wrong) == [
        "spec: Additional properties are not allowed ('unknownField' was unexpected)"
    ]


# -- core objects ------------------------------------------------------------------------------


def test_an_unknown_core_field_and_a_wrong_type_are_errors() -> None:
    quota = resource("ResourceQuota")
    assert validate_k8s(quota, "1.34") == []
    quota["spec"]["hardd"] = {}
    quota["metadata"]["name"] = 7
    errors = validate_k8s(quota, "1.34")
    assert any("hardd" in e for e in errors) and any(e.startswith("metadata.name:") for e in errors)
    assert (
        "not a Kubernetes 1.34 kind"
        in validate_k8s({"apiVersion": "v1", "kind": "Nope"}, "1.34")[0]
    )


# -- pins --------------------------------------------------------------------------------------


def test_an_unpublished_chart_version_fails() -> None:
    repo = versions.CHARTS_2026_11["knative-operator"]["repo"]
    assert published(repo, "knative-operator", "v1.23.0")
    assert not published(repo, "knative-operator", "v1.23.1")
    pins = copy.deepcopy(versions.CHARTS_2026_11)
    pins["knative-operator"]["version"] = "v1.23.1"
    assert unpublished_pins(pins)[0].startswith(
        "knative-operator: knative-operator v1.23.1 is not in the index of "
        "https://knative.github.io/operator (newest listed: v1.23.0"
    )


def test_an_operator_component_version_it_does_not_bundle_fails() -> None:
    found = unpublished_pins(operator_versions={"knative-serving": "1.24"})
    assert found == [
        "knative-serving 1.24: not bundled by knative-operator v1.23.0 "
        "(bundles 1.20.0, 1.20.1, 1.20.2, 1.20.3, 1.21.0, 1.21.1, 1.21.2, 1.21.3, 1.22.0, "
        "1.22.1, 1.23.0)"
    ]


def test_a_pin_without_contracts_fails_with_the_fetch_command() -> None:
    pins = {"istiod": {**versions.CHARTS_2026_11["istiod"], "version": "1.31.0"}}
    (message,) = missing_contracts(pins)
    assert "python -m faas.contracts.refresh chart istiod 1.31.0 --git-dir" in message
    assert "github.com/istio/istio" in message


def test_an_addon_version_without_public_evidence_fails() -> None:
    assert eks_addon_evidence({"1.35": {"kube-proxy": "v1.35.0-eksbuild.1"}}) == [
        "1.35 kube-proxy v1.35.0-eksbuild.1: NOT confirmed"
    ]
    assert eks_addon_evidence({"1.35": {"kube-proxy": "v9.9.9-eksbuild.9"}}) == [
        "1.35 kube-proxy v9.9.9-eksbuild.9: no evidence recorded"
    ]


def test_stored_contracts_carry_their_provenance() -> None:
    chart = load_chart("karpenter", "1.14.1")
    assert chart.provenance["repo"] == "aws/karpenter-provider-aws"
    assert chart.provenance["ref"] == "v1.14.1" and len(chart.provenance["commit"]) == 40
