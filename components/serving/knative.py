"""Knative Serving and Eventing, installed by the Knative Operator (Helm) and two custom resources.

Everything that shapes how functions behave is in the `KnativeServing` spec below, so the plan
shows it: domains and the DMZ selector (domains.py), scale to zero, default concurrency, revision
GC, tag routing, secure pod defaults, tracing, and the control plane's placement and HA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core.v1 import Namespace
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components import constants as c
from components import naming
from components.capacity import podsize
from components.config.serving import ServingConfig
from components.serving import domains, placement
from components.serving.helm import pinned_release
from components.versions import Release

# Control-plane Deployments the operator renders; each gets system placement and 2 replicas.
SERVING_WORKLOADS = (
    "activator",
    "autoscaler",
    "autoscaler-hpa",
    "controller",
    "webhook",
    "net-istio-controller",
    "net-istio-webhook",
)
EVENTING_WORKLOADS = (
    "eventing-controller",
    "eventing-webhook",
    "imc-controller",
    "imc-dispatcher",
    "mt-broker-controller",
    "mt-broker-filter",
    "mt-broker-ingress",
)
HA_REPLICAS = 2


@dataclass
class KnativeArgs:
    settings: ServingConfig
    base_domain: str
    color: str
    depends_on: list[pulumi.Resource]
    """Istio gateway releases: Knative's Gateway objects and probes need them."""
    release: Release
    """The colour's release: the operator chart and the Knative version it installs."""
    serving_after: Sequence[pulumi.Resource] = ()
    """What KnativeServing alone waits for: the controller's Pod Identity association, since EKS
    gives credentials only to pods created after it (components/delivery/identities.py)."""


def _workloads(names: tuple[str, ...]) -> list[dict]:
    return [{"name": n, "replicas": HA_REPLICAS, **placement.system_placement()} for n in names]


def serving_spec(settings: ServingConfig, base_domain: str, knative_version: str) -> dict:
    """The `KnativeServing` spec (operator.knative.dev/v1beta1)."""
    internal_gw = c.gateway_selector("internal")
    return {
        "version": knative_version,
        "high-availability": {"replicas": HA_REPLICAS},
        "ingress": {
            "istio": {
                "enabled": True,
                # The operator's default Gateway objects select the internal gateway pods; the
                # local gateway Service must follow, or it targets `istio: ingressgateway`
                # (knative/operator#1206).
                "knative-ingress-gateway": {"selector": internal_gw},
                "knative-local-gateway": {"selector": internal_gw},
            }
        },
        "workloads": _workloads(SERVING_WORKLOADS),
        # The activator's default PDB (minAvailable 80%) blocks node drains with 2 replicas.
        "podDisruptionBudgets": [
            {"name": "activator-pdb", "minAvailable": 1},
            {"name": "webhook-pdb", "minAvailable": 1},
        ],
        "config": {
            "network": {
                "ingress-class": "istio.ingress.networking.knative.dev",
                "domain-template": domains.DOMAIN_TEMPLATE,
                "tag-template": domains.TAG_TEMPLATE,
                # TLS ends at the NLB; the gateways speak HTTP, URLs are still https://.
                "default-external-scheme": "https",
            },
            "domain": domains.config_domain(base_domain),
            "istio": domains.config_istio(),
            "autoscaler": {
                "enable-scale-to-zero": str(settings.scale_to_zero).lower(),
                "scale-to-zero-grace-period": settings.scale_to_zero_grace,
                # The default for revisions without the annotation, and the most one may ask
                # for (config/core/configmaps/autoscaler.yaml): team quotas are sized to hold
                # one function at this scale (components/config/serving.py).
                "max-scale": str(settings.max_scale),
                "max-scale-limit": str(settings.max_scale),
            },
            # queue-proxy's requests and limits (pkg/deployment/config.go keys); without them it
            # has a 25m CPU request only and the tenants' LimitRange would fill in the rest.
            "deployment": queue_proxy_config(),
            "defaults": {"container-concurrency": str(settings.container_concurrency)},
            "gc": {
                "min-non-active-revisions": str(settings.revision_min_non_active),
                "max-non-active-revisions": str(settings.revision_max_non_active),
                "retain-since-last-active-time": settings.revision_retain_since_last_active,
            },
            "features": {
                "secure-pod-defaults": "enabled",
                "tag-header-based-routing": "enabled",
                # Lets functions opt into spot explicitly (placement.function_placement()).
                "kubernetes.podspec-nodeselector": "enabled",
                "kubernetes.podspec-tolerations": "enabled",
            },
            # Knative >= 1.18 exports traces over OTLP (config-observability).
            "observability": {
                "tracing-protocol": "grpc",
                "tracing-endpoint": f"http://{c.otel_grpc_endpoint()}",
                "tracing-sampling-rate": str(settings.tracing.sample_rate),
                "metrics-protocol": "prometheus",
                # queue-proxy serves the request metrics of each revision (port 9091,
                # `http-usermetric`) only with this set; upstream's default is none
                # (pkg/reconciler/revision/resources/queue.go, knative/pkg observability).
                "request-metrics-protocol": "prometheus",
            },
        },
    }


def queue_proxy_config() -> dict[str, str]:
    """`config-deployment` keys for queue-proxy, from components/capacity/podsize.py."""
    qp = podsize.QUEUE_PROXY_RESOURCES
    return {
        f"queue-sidecar-{res}-{'request' if kind == 'requests' else 'limit'}": qp[kind][res]
        for kind in ("requests", "limits")
        for res in podsize.TRACKED
    }


# Knative Eventing's own broker default delivery (config-br-defaults in
# cmd/operator/kodata/knative-eventing/1.23.0/2-eventing-core.yaml): overriding the ConfigMap
# replaces it whole, so the platform repeats it. Ten retries, exponential from 200 ms.
BROKER_DELIVERY = {"retry": 10, "backoffPolicy": "exponential", "backoffDelay": "PT0.2S"}


def eventing_spec(settings: ServingConfig, knative_version: str) -> dict:
    return {
        "version": knative_version,
        "high-availability": {"replicas": HA_REPLICAS},
        "workloads": _workloads(EVENTING_WORKLOADS),
        "defaultBrokerClass": "MTChannelBasedBroker",
        "config": {
            "config-br-defaults": {
                "default-br-config": (
                    "clusterDefault:\n"
                    "  brokerClass: MTChannelBasedBroker\n"
                    "  apiVersion: v1\n"
                    "  kind: ConfigMap\n"
                    "  name: config-br-default-channel\n"
                    f"  namespace: {c.KNATIVE_EVENTING_NAMESPACE}\n"
                    "  delivery:\n"
                    f"    retry: {BROKER_DELIVERY['retry']}\n"
                    f"    backoffPolicy: {BROKER_DELIVERY['backoffPolicy']}\n"
                    f"    backoffDelay: {BROKER_DELIVERY['backoffDelay']}\n"
                )
            },
            "observability": {
                "tracing-protocol": "grpc",
                "tracing-endpoint": f"http://{c.otel_grpc_endpoint()}",
                "tracing-sampling-rate": str(settings.tracing.sample_rate),
                # Eventing's controllers and broker pods export nothing without it (default
                # none, knative/pkg observability/metrics/config.go); Prometheus scrapes them.
                "metrics-protocol": "prometheus",
            },
        },
    }


def _namespace(name: str, resource: str, parent: pulumi.Resource) -> Namespace:
    # Control-plane pods are restricted-compliant upstream, but enforce only baseline so an
    # upstream regression surfaces as a warning instead of a stuck rollout.
    labels = {
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
    return Namespace(
        resource,
        metadata=ObjectMetaArgs(name=name, labels=labels),
        opts=pulumi.ResourceOptions(parent=parent),
    )


class KnativePlatform(pulumi.ComponentResource):
    serving: CustomResource

    def __init__(self, name: str, args: KnativeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:serving:KnativePlatform", name, None, opts)
        op_ns = _namespace(
            c.KNATIVE_OPERATOR_NAMESPACE, naming.child_name(name, "operator-ns"), self
        )
        operator_placement = {
            "tolerations": placement.system_tolerations(),
            "affinity": placement.system_affinity(),
        }
        operator = pinned_release(
            "knative-operator",
            "knative-operator",
            c.KNATIVE_OPERATOR_NAMESPACE,
            {
                "knative_operator": {
                    "knative_operator": operator_placement,
                    "operator_webhook": operator_placement,
                }
            },
            pulumi.ResourceOptions(parent=self, depends_on=[op_ns]),
            release=args.release,
        )
        serving_ns = _namespace(
            c.KNATIVE_SERVING_NAMESPACE, naming.child_name(name, "serving-ns"), self
        )
        eventing_ns = _namespace(
            c.KNATIVE_EVENTING_NAMESPACE, naming.child_name(name, "eventing-ns"), self
        )
        after = [operator, *args.depends_on]
        self.serving = CustomResource(
            naming.child_name(name, "serving"),
            api_version="operator.knative.dev/v1beta1",
            kind="KnativeServing",
            metadata=ObjectMetaArgs(name="knative-serving", namespace=c.KNATIVE_SERVING_NAMESPACE),
            spec=serving_spec(args.settings, args.base_domain, args.release.knative),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[serving_ns, *after, *args.serving_after]
            ),
        )
        # The DMZ Gateway object that config-istio's selected entry points at.
        CustomResource(
            naming.child_name(name, "dmz-gateway"),
            api_version="networking.istio.io/v1",
            kind="Gateway",
            metadata=ObjectMetaArgs(
                name=c.KNATIVE_DMZ_GATEWAY, namespace=c.KNATIVE_SERVING_NAMESPACE
            ),
            spec={
                "selector": c.gateway_selector("dmz"),
                "servers": [
                    {
                        "port": {"number": c.GATEWAY_HTTP_PORT, "name": "http", "protocol": "HTTP"},
                        "hosts": ["*"],
                    }
                ],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[serving_ns, *args.depends_on]),
        )
        CustomResource(
            naming.child_name(name, "cluster-alias"),
            api_version="networking.istio.io/v1alpha3",
            kind="EnvoyFilter",
            metadata=ObjectMetaArgs(name="faas-cluster-alias", namespace=c.ISTIO_NAMESPACE),
            spec={
                "configPatches": [
                    {
                        "applyTo": "HTTP_FILTER",
                        "match": {
                            "context": "GATEWAY",
                            "listener": {
                                "filterChain": {
                                    "filter": {
                                        "name": "envoy.filters.network.http_connection_manager"
                                    }
                                }
                            },
                        },
                        # First in the chain: JWT checks, authorization and routing all see the
                        # environment name.
                        "patch": {
                            "operation": "INSERT_FIRST",
                            "value": {
                                "name": "envoy.filters.http.lua",
                                "typed_config": {
                                    "@type": "type.googleapis.com/"
                                    "envoy.extensions.filters.http.lua.v3.Lua",
                                    "default_source_code": {
                                        "inline_string": domains.cluster_alias_lua(
                                            args.base_domain, args.color
                                        )
                                    },
                                },
                            },
                        },
                    }
                ]
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.depends_on),
        )
        self.eventing = CustomResource(
            naming.child_name(name, "eventing"),
            api_version="operator.knative.dev/v1beta1",
            kind="KnativeEventing",
            metadata=ObjectMetaArgs(
                name="knative-eventing", namespace=c.KNATIVE_EVENTING_NAMESPACE
            ),
            spec=eventing_spec(args.settings, args.release.knative),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[eventing_ns, operator]),
        )
        self.register_outputs({"domains": domains.env_domains(args.base_domain)})
