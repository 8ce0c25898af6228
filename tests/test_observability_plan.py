"""Metrics that are really on: Istio's Prometheus provider beside tracing, queue-proxy and Eventing
metrics, the broker's retry/backoff, Prometheus on an encrypted volume, Alertmanager receivers and
the platform's alert rules, asserted on the plan of every cluster stack."""

from __future__ import annotations

import copy

import pytest
import yaml

from components import config
from components.config.stackfile import read_stack_file
from components.serving import alerts, istio, knative, observability
from tests.support.plans import one, plan, states

CLUSTER_STACKS = ("dev-blue", "dev-green", "prod-blue", "prod-green")
RELEASE = "kubernetes:helm.sh/v3:Release"


def effective_metrics_providers(istiod_values: dict) -> list[str]:
    """The mesh's metrics providers as istiod 1.30's chart renders them: the default
    `[prometheus]` only while `meshConfig.defaultProviders` is unset
    (istio-discovery templates/_helpers.tpl "default-prometheus", telemetry enabled by default),
    otherwise exactly what `defaultProviders.metrics` lists."""
    providers = (istiod_values.get("meshConfig") or {}).get("defaultProviders")
    if not providers:
        return ["prometheus"]
    return list(providers.get("metrics") or [])


def serving_config(doc) -> dict:
    (serving,) = [
        s["inputs"] for s in states(doc, "kubernetes:operator.knative.dev/v1beta1:KnativeServing")
    ]
    return serving["spec"]["config"]


@pytest.mark.parametrize("stack", CLUSTER_STACKS)
def test_istio_keeps_its_prometheus_metrics_provider_next_to_tracing(stack):
    values = one(plan(stack), RELEASE, "istiod")["inputs"]["values"]
    assert "prometheus" in effective_metrics_providers(values)
    assert values["meshConfig"]["defaultProviders"]["tracing"] == ["otel-collector"]


def test_a_default_providers_block_without_metrics_turns_metrics_off():
    values = istio.istiod_values()
    assert effective_metrics_providers(values) == [istio.PROMETHEUS_PROVIDER]
    broken = copy.deepcopy(values)
    del broken["meshConfig"]["defaultProviders"]["metrics"]
    assert effective_metrics_providers(broken) == []
    assert effective_metrics_providers({}) == ["prometheus"]  # the chart's default, untouched


@pytest.mark.parametrize("stack", CLUSTER_STACKS)
def test_knative_serves_request_and_eventing_metrics(stack):
    doc = plan(stack)
    obs = serving_config(doc)["observability"]
    assert obs["metrics-protocol"] == "prometheus"
    assert obs["request-metrics-protocol"] == "prometheus"
    (eventing,) = [
        s["inputs"] for s in states(doc, "kubernetes:operator.knative.dev/v1beta1:KnativeEventing")
    ]
    assert eventing["spec"]["config"]["observability"]["metrics-protocol"] == "prometheus"
    # The broker keeps upstream's delivery (config-br-defaults of knative-eventing 1.23.0).
    broker = yaml.safe_load(eventing["spec"]["config"]["config-br-defaults"]["default-br-config"])
    assert broker["clusterDefault"]["delivery"] == {
        "retry": 10,
        "backoffPolicy": "exponential",
        "backoffDelay": "PT0.2S",
    }
    assert broker["clusterDefault"]["delivery"] == knative.BROKER_DELIVERY
    # The queue-proxy PodMonitor scrapes the port request metrics are served on.
    prom = one(doc, RELEASE, "kube-prometheus-stack")["inputs"]["values"]["prometheus"]
    monitors = {m["name"]: m for m in prom["additionalPodMonitors"]}
    assert monitors["knative-queue-proxy"]["podMetricsEndpoints"][0]["port"] == "http-usermetric"


@pytest.mark.parametrize("stack", CLUSTER_STACKS)
def test_prometheus_keeps_metrics_on_an_encrypted_gp3_volume(stack):
    doc = plan(stack)
    settings = config.load(stack, read_stack_file(stack)).serving.observability
    spec = one(doc, RELEASE, "kube-prometheus-stack")["inputs"]["values"]["prometheus"][
        "prometheusSpec"
    ]
    assert spec["retention"] == settings.prometheus_retention
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == observability.STORAGE_CLASS
    assert claim["resources"]["requests"]["storage"] == f"{settings.prometheus_storage_gb}Gi"
    (sc,) = [s["inputs"] for s in states(doc, "kubernetes:storage.k8s.io/v1:StorageClass")]
    assert sc["metadata"]["name"] == observability.STORAGE_CLASS
    assert sc["provisioner"] == "ebs.csi.aws.com"
    assert sc["parameters"] == {"type": "gp3", "encrypted": "true"}


@pytest.mark.parametrize("stack", CLUSTER_STACKS)
def test_alertmanager_sends_to_the_configured_receivers(stack):
    doc = plan(stack)
    settings = config.load(stack, read_stack_file(stack)).serving.observability
    am = one(doc, RELEASE, "kube-prometheus-stack")["inputs"]["values"]["alertmanager"]["config"]
    first = settings.alert_receivers[0]
    assert am["route"]["receiver"] == first.name
    hooks = {r["name"]: r.get("webhook_configs") for r in am["receivers"]}
    assert hooks[first.name] == [{"url": first.webhook_url, "send_resolved": True}]
    # The chart's always-firing Watchdog still goes to the null receiver, as upstream routes it.
    assert {"receiver": "null", "matchers": ['alertname = "Watchdog"']} in am["route"]["routes"]


@pytest.mark.parametrize("stack", CLUSTER_STACKS)
def test_alert_rules_cover_knative_istio_and_karpenter(stack):
    doc = plan(stack)
    (rule,) = [
        s["inputs"] for s in states(doc, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    ]
    assert rule["metadata"]["namespace"] == "observability"
    groups = {g["name"]: [r["alert"] for r in g["rules"]] for g in rule["spec"]["groups"]}
    assert {"faas-knative", "faas-istio", "faas-karpenter"} <= set(groups)
    assert "KnativeServingControlPlaneDown" in groups["faas-knative"]
    assert "IstiodDown" in groups["faas-istio"]
    # Prometheus picks the rule up without the chart's release label.
    spec = one(doc, RELEASE, "kube-prometheus-stack")["inputs"]["values"]["prometheus"][
        "prometheusSpec"
    ]
    assert spec["ruleSelectorNilUsesHelmValues"] is False


def test_every_alert_has_a_severity_and_a_summary():
    for group in alerts.rule_groups():
        for rule in group["rules"]:
            assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
            assert rule["annotations"]["summary"] and rule["expr"], rule["alert"]
