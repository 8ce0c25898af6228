"""Istio: base CRDs, istiod, the CNI node agent and two ingress gateways (dmz, internal).

The CNI plugin replaces the privileged `istio-init` container, so namespaces with sidecars can
enforce the restricted Pod Security Standard; the `istio-cni-node` DaemonSet needs hostPath, hence
istio-system is labelled `privileged`
(https://istio.io/latest/docs/setup/additional-setup/pod-security-admission/).
Gateways are ClusterIP Services: the NLBs are created by the edge and bound to gateway pods with
TargetGroupBinding (see aws.py), so nothing here asks the cloud for a load balancer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core.v1 import Namespace
from pulumi_kubernetes.helm.v3 import Release
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components import constants as c
from components import naming
from components.capacity import podsize
from components.serving import placement
from components.serving.helm import pinned_release
from components.serving.podsecurity import pss_labels
from components.versions import Release as PinnedRelease


@dataclass
class IstioArgs:
    tracing_sample_percent: float
    """Share of requests the gateways and sidecars trace (0..100)."""
    release: PinnedRelease
    """The colour's release: the Istio chart versions."""


def gateway_values(entry: str) -> dict:
    """Values of the `gateway` chart for one entry point."""
    return {
        "name": c.gateway_service(entry),
        "labels": {**c.gateway_selector(entry), "app": c.gateway_service(entry)},
        "service": {
            "type": "ClusterIP",
            "ports": [
                {
                    "name": "status-port",
                    "port": c.GATEWAY_STATUS_PORT,
                    "targetPort": c.GATEWAY_STATUS_PORT,
                    "protocol": "TCP",
                },
                {
                    "name": "http2",
                    "port": c.GATEWAY_HTTP_PORT,
                    "targetPort": c.GATEWAY_HTTP_TARGET_PORT,
                    "protocol": "TCP",
                },
            ],
        },
        "autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 10},
        "podDisruptionBudget": {"minAvailable": 1},
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": c.gateway_selector(entry)},
            }
        ],
        **placement.system_placement(),
    }


# Amazon Linux 2023 EKS nodes: the VPC CNI installs its binaries in /opt/cni/bin and its
# conflist (10-aws.conflist) in /etc/cni/net.d, the chart's own defaults; pinned here so a chart
# default change cannot silently move the plugin off the directories kubelet reads.
CNI_BIN_DIR = "/opt/cni/bin"
CNI_CONF_DIR = "/etc/cni/net.d"


def cni_values() -> dict:
    """Values of the `cni` chart.

    Since Istio 1.24 the chart reads these at the top level (`.Values.chained`, `.Values.cniBinDir`
    in templates/daemonset.yaml and configmap-cni.yaml); the older `cni.chained` nesting is
    silently ignored (https://github.com/istio/istio/tree/master/manifests/charts/istio-cni).
    """
    return {
        # Chain onto the VPC CNI's conflist instead of writing a standalone one.
        "chained": True,
        "cniBinDir": CNI_BIN_DIR,
        "cniConfDir": CNI_CONF_DIR,
        # A node agent: every node, the tainted system group included.
        "tolerations": placement.everywhere_tolerations(),
    }


# Providers of Istio's Telemetry API: Prometheus is Istio's own built-in metrics provider
# (pkg/config/mesh/mesh.go DefaultMeshConfig lists it among the extension providers), the
# OpenTelemetry collector is ours for traces.
PROMETHEUS_PROVIDER = "prometheus"


def istiod_values() -> dict:
    """Values of the `istiod` chart.

    * `meshConfig.defaultProviders`: once set, the chart no longer adds the default
      `metrics: [prometheus]` (templates/_helpers.tpl "default-prometheus" requires
      `not .Values.meshConfig.defaultProviders`), so the metrics provider is listed with tracing.
    * `global.proxy.seccompProfile`: the injection template gives `istio-proxy` and
      `istio-validation` a seccomp profile only when this is set
      (files/injection-template.yaml; https://github.com/istio/istio/issues/57004), and Pod
      Security `restricted` refuses containers without one.
    * `global.proxy.resources`: both injected containers take this block
      (injection-template.yaml, `resources` template); sized in components/capacity/podsize.py
      so tenant quotas count what the sidecar really asks for.
    """
    return {
        "pilot": {
            "cni": {"enabled": True},
            "autoscaleEnabled": True,
            "autoscaleMin": 2,
            "replicaCount": 2,
            **placement.system_placement(),
        },
        "global": {
            "defaultPodDisruptionBudget": {"enabled": True},
            "proxy": {
                "seccompProfile": {"type": "RuntimeDefault"},
                "resources": podsize.resources_block(podsize.ISTIO_PROXY_RESOURCES),
            },
        },
        "meshConfig": {
            "defaultProviders": {
                "metrics": [PROMETHEUS_PROVIDER],
                "tracing": [c.OTEL_COLLECTOR],
            },
            "extensionProviders": [
                {
                    "name": c.OTEL_COLLECTOR,
                    "opentelemetry": {
                        "service": f"{c.OTEL_COLLECTOR}.{c.OBSERVABILITY_NAMESPACE}"
                        ".svc.cluster.local",
                        "port": c.OTLP_GRPC_PORT,
                    },
                }
            ],
        },
    }


class IstioMesh(pulumi.ComponentResource):
    gateways: dict[str, Release]
    """Gateway releases by entry point; bindings and Knative wait on them."""
    istiod: Release

    def __init__(self, name: str, args: IstioArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:serving:IstioMesh", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = Namespace(
            naming.child_name(name, "ns"),
            metadata=ObjectMetaArgs(name=c.ISTIO_NAMESPACE, labels=pss_labels("privileged")),
            opts=child,
        )
        after_ns = pulumi.ResourceOptions(parent=self, depends_on=[ns])
        base = pinned_release(
            "istio-base",
            "istio-base",
            c.ISTIO_NAMESPACE,
            {"defaultRevision": "default"},
            after_ns,
            release=args.release,
        )
        cni = pinned_release(
            "istio-cni",
            "istio-cni",
            c.ISTIO_NAMESPACE,
            cni_values(),
            pulumi.ResourceOptions(parent=self, depends_on=[base]),
            release=args.release,
        )
        self.istiod = pinned_release(
            "istiod",
            "istiod",
            c.ISTIO_NAMESPACE,
            istiod_values(),
            pulumi.ResourceOptions(parent=self, depends_on=[base, cni]),
            release=args.release,
        )
        # Mesh-wide sampling through the Telemetry API (the successor of meshConfig sampling):
        # https://istio.io/latest/docs/tasks/observability/distributed-tracing/telemetry-api/
        CustomResource(
            naming.child_name(name, "telemetry"),
            api_version="telemetry.istio.io/v1",
            kind="Telemetry",
            metadata=ObjectMetaArgs(name="mesh-default", namespace=c.ISTIO_NAMESPACE),
            spec={
                "tracing": [
                    {
                        "providers": [{"name": c.OTEL_COLLECTOR}],
                        "randomSamplingPercentage": args.tracing_sample_percent,
                    }
                ]
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.istiod]),
        )
        self.gateways = {
            entry: pinned_release(
                c.gateway_service(entry),
                "istio-gateway",
                c.ISTIO_NAMESPACE,
                gateway_values(entry),
                pulumi.ResourceOptions(parent=self, depends_on=[self.istiod]),
                release=args.release,
            )
            for entry in c.GATEWAYS
        }
        self.register_outputs({"gatewayServices": {e: c.gateway_service(e) for e in c.GATEWAYS}})
