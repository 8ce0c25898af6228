"""Metrics and traces: kube-prometheus-stack scraping Istio and Knative; an OpenTelemetry collector.

Istio (meshConfig extension provider) and Knative (config-observability) send OTLP to the
in-cluster collector, which batches and exports to the configured backend (`tracing.otlpEndpoint`),
so changing backend is one setting and no workload restarts. Prometheus keeps its samples on an
encrypted gp3 volume for `observability.prometheusRetention`; Alertmanager sends to the configured
receivers, with alert rules for Knative, Istio and Karpenter beside the chart's Kubernetes rules
(alerts.py). Log shipping is cloud-specific and sits in aws.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core.v1 import Namespace
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
from pulumi_kubernetes.storage.v1 import StorageClass

from components import constants as c
from components import naming
from components.config.observability import NULL_RECEIVER, ObservabilityConfig
from components.config.serving import TracingConfig
from components.serving import alerts, placement
from components.serving.helm import pinned_release
from components.serving.podsecurity import pss_labels
from components.versions import Release


@dataclass
class ObservabilityArgs:
    tracing: TracingConfig
    """Where traces go and how many are kept."""
    settings: ObservabilityConfig
    """Prometheus retention and volume, Alertmanager receivers (`faas:serving.observability`)."""
    release: Release
    """The colour's release: the Prometheus stack and collector chart versions."""


def _pod_monitor(name: str, namespace_selector: dict, selector: dict, port: str, path: str) -> dict:
    return {
        "name": name,
        "namespaceSelector": namespace_selector,
        "selector": selector,
        "podMetricsEndpoints": [{"port": port, "path": path, "interval": "30s"}],
    }


ISTIO_PROXY_LABEL = "service.istio.io/canonical-name"
KNATIVE_METRICS_PORT = "metrics"
# The k8s distribution of the collector: OTLP receivers/exporters, batch and memory_limiter.
OTEL_IMAGE = "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s"
OTEL_COMMAND = "otelcol-k8s"


# EBS volumes through the EBS CSI add-on, encrypted, gp3 (the in-tree default class is gp2 and
# unencrypted unless the account enforces EBS encryption by default).
STORAGE_CLASS = "gp3-encrypted"
EBS_CSI_PROVISIONER = "ebs.csi.aws.com"


def storage_class_parameters() -> dict[str, str]:
    """The EBS CSI driver's StorageClass parameters (docs/parameters.md of aws-ebs-csi-driver)."""
    return {"type": "gp3", "encrypted": "true"}


def alertmanager_config(settings: ObservabilityConfig) -> dict:
    """Alertmanager's configuration: everything to the first configured receiver, the chart's
    always-firing Watchdog to the null receiver (as the chart's default config routes it)."""
    receivers = [
        {"name": r.name, "webhook_configs": [{"url": r.webhook_url, "send_resolved": True}]}
        for r in settings.alert_receivers
    ]
    default = settings.alert_receivers[0].name if settings.alert_receivers else NULL_RECEIVER
    return {
        "global": {"resolve_timeout": "5m"},
        "route": {
            "receiver": default,
            "group_by": ["alertname", "namespace"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": [{"receiver": NULL_RECEIVER, "matchers": ['alertname = "Watchdog"']}],
        },
        "receivers": [{"name": NULL_RECEIVER}, *receivers],
    }


def prometheus_values(settings: ObservabilityConfig) -> dict:
    sys = placement.system_placement()
    gb = settings.prometheus_storage_gb
    return {
        "prometheus": {
            "prometheusSpec": {
                "replicas": 2,
                "retention": settings.prometheus_retention,
                # Stop at 90% of the volume so a busy week cannot fill the disk before the
                # retention time removes old blocks.
                "retentionSize": f"{gb * 9 // 10}GiB",
                "storageSpec": {
                    "volumeClaimTemplate": {
                        "spec": {
                            "storageClassName": STORAGE_CLASS,
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": f"{gb}Gi"}},
                        }
                    }
                },
                # Pick up every PodMonitor/ServiceMonitor and rule, not only those labelled for
                # this release.
                "podMonitorSelectorNilUsesHelmValues": False,
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
                **sys,
            },
            # Istio: envoy stats on every proxy (gateways and sidecars), istiod's monitoring port.
            # Knative: control plane and queue-proxy metrics.
            "additionalPodMonitors": [
                _pod_monitor(
                    "istio-proxies",
                    {"any": True},
                    # Both injection templates (sidecar and gateway) label the pod with its
                    # canonical name; `istio.io/rev` is only an *annotation* on injected pods
                    # (istio-discovery files/gateway-injection-template.yaml), so selecting on it
                    # matched no pod at all.
                    {"matchExpressions": [{"key": ISTIO_PROXY_LABEL, "operator": "Exists"}]},
                    "http-envoy-prom",
                    "/stats/prometheus",
                ),
                _pod_monitor(
                    "knative-control-plane",
                    {"matchNames": [c.KNATIVE_SERVING_NAMESPACE, c.KNATIVE_EVENTING_NAMESPACE]},
                    {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
                    # A PodMonitor matches *container* port names: Knative names the container
                    # port `metrics` (knative/serving config/core/deployments/controller.yaml);
                    # `http-metrics` is only the Service port that upstream's ServiceMonitors use
                    # (knative-extensions/monitoring config/serving-monitors.yaml).
                    KNATIVE_METRICS_PORT,
                    "/metrics",
                ),
                _pod_monitor(
                    "knative-queue-proxy",
                    {"any": True},
                    {
                        "matchExpressions": [
                            {"key": "serving.knative.dev/revision", "operator": "Exists"}
                        ]
                    },
                    "http-usermetric",
                    "/metrics",
                ),
            ],
            "additionalServiceMonitors": [
                {
                    "name": "istiod",
                    "namespaceSelector": {"matchNames": [c.ISTIO_NAMESPACE]},
                    "selector": {"matchLabels": {"app": "istiod"}},
                    "endpoints": [{"port": "http-monitoring", "interval": "30s"}],
                },
                # The Karpenter chart's Service names its port `http-metrics` and carries the
                # chart's selector labels (charts/karpenter/templates/service.yaml).
                {
                    "name": "karpenter",
                    "namespaceSelector": {"matchNames": [c.KARPENTER_NAMESPACE]},
                    "selector": {"matchLabels": {"app.kubernetes.io/name": "karpenter"}},
                    "endpoints": [{"port": "http-metrics", "interval": "30s"}],
                },
            ],
        },
        "prometheusOperator": {
            **sys,
            "admissionWebhooks": {"patch": sys},
        },
        "alertmanager": {
            "alertmanagerSpec": {"replicas": 2, **sys},
            "config": alertmanager_config(settings),
        },
        "grafana": {**sys},
        "kube-state-metrics": {**sys},
        # node-exporter is a DaemonSet: every node, whatever its taints.
        "prometheus-node-exporter": {"tolerations": placement.everywhere_tolerations()},
    }


def collector_values(tracing: TracingConfig) -> dict:
    exporter = {"endpoint": tracing.otlp_endpoint} if tracing.otlp_endpoint else None
    exporters = {"otlp/backend": exporter} if exporter else {"debug": {}}
    return {
        "mode": "deployment",
        "fullnameOverride": c.OTEL_COLLECTOR,
        # Recent charts refuse to render without `image.repository` (see the chart's UPGRADING.md),
        # and the container runs `/<command.name>`: the k8s image ships `otelcol-k8s`, not the
        # chart's default binary, so both are set together or the pod cannot start.
        "image": {"repository": OTEL_IMAGE},
        "command": {"name": OTEL_COMMAND},
        "replicaCount": 2,
        "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
        **placement.system_placement(),
        "config": {
            "receivers": {
                "otlp": {
                    "protocols": {
                        "grpc": {"endpoint": f"0.0.0.0:{c.OTLP_GRPC_PORT}"},
                        "http": {"endpoint": "0.0.0.0:4318"},
                    }
                }
            },
            "processors": {
                "batch": {},
                "memory_limiter": {
                    "check_interval": "1s",
                    "limit_percentage": 80,
                    "spike_limit_percentage": 20,
                },
            },
            "exporters": exporters,
            "service": {
                "pipelines": {
                    "traces": {
                        "receivers": ["otlp"],
                        "processors": ["memory_limiter", "batch"],
                        "exporters": list(exporters),
                    }
                }
            },
        },
    }


class Observability(pulumi.ComponentResource):
    namespace: Namespace

    def __init__(
        self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("faas:serving:Observability", name, None, opts)
        # node-exporter and Fluent Bit need host namespaces / hostPath.
        self.namespace = Namespace(
            naming.child_name(name, "ns"),
            metadata=ObjectMetaArgs(
                name=c.OBSERVABILITY_NAMESPACE, labels=pss_labels("privileged")
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        after_ns = pulumi.ResourceOptions(parent=self, depends_on=[self.namespace])
        storage = StorageClass(
            naming.child_name(name, "storage-class"),
            metadata=ObjectMetaArgs(name=STORAGE_CLASS),
            provisioner=EBS_CSI_PROVISIONER,
            parameters=storage_class_parameters(),
            reclaim_policy="Delete",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        stack = pinned_release(
            "kube-prometheus-stack",
            "kube-prometheus-stack",
            c.OBSERVABILITY_NAMESPACE,
            prometheus_values(args.settings),
            pulumi.ResourceOptions(parent=self, depends_on=[self.namespace, storage]),
            release=args.release,
        )
        CustomResource(
            naming.child_name(name, "alert-rules"),
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata=ObjectMetaArgs(name="faas-platform", namespace=c.OBSERVABILITY_NAMESPACE),
            spec={"groups": alerts.rule_groups()},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[stack]),
        )
        pinned_release(
            c.OTEL_COLLECTOR,
            "opentelemetry-collector",
            c.OBSERVABILITY_NAMESPACE,
            collector_values(args.tracing),
            after_ns,
            release=args.release,
        )
        self.register_outputs({"otlpEndpoint": c.otel_grpc_endpoint()})
