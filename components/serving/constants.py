"""In-cluster names the serving modules share (namespaces, gateway Services, ports).

Kubernetes names, not AWS ones: they are the same on every cluster, so blue and green (separate
clusters, separate stacks) never collide. AWS-side names come from `components.naming`.
"""

from __future__ import annotations

ISTIO_NAMESPACE = "istio-system"
KNATIVE_OPERATOR_NAMESPACE = "knative-operator"
KNATIVE_SERVING_NAMESPACE = "knative-serving"
KNATIVE_EVENTING_NAMESPACE = "knative-eventing"
OBSERVABILITY_NAMESPACE = "observability"
LBC_NAMESPACE = "kube-system"
LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller"
FLUENT_BIT_SERVICE_ACCOUNT = "aws-for-fluent-bit"

# Entry points: one Istio ingress gateway Deployment + ClusterIP Service per NLB. The gateway
# chart names the Service after `name` and labels pods `istio: <selector>`.
GATEWAYS = ("dmz", "internal")


def gateway_service(entry: str) -> str:
    return f"istio-{entry}-gateway"


def gateway_selector(entry: str) -> dict[str, str]:
    return {"istio": f"{entry}-gateway"}


# The gateway Service maps port 80 to container port 8080 (plain HTTP: TLS ends at the NLB);
# 15021 is Istio's readiness endpoint that the NLB target groups health-check.
GATEWAY_HTTP_PORT = 80
GATEWAY_HTTP_TARGET_PORT = 8080
GATEWAY_STATUS_PORT = 15021

# Knative's Istio Gateway objects (in knative-serving): the operator owns the default
# `knative-ingress-gateway` (bound to the internal gateway pods); we add one for the DMZ.
KNATIVE_INTERNAL_GATEWAY = "knative-ingress-gateway"
KNATIVE_DMZ_GATEWAY = "knative-dmz-gateway"
KNATIVE_LOCAL_GATEWAY = "knative-local-gateway"

OTEL_COLLECTOR = "otel-collector"
OTLP_GRPC_PORT = 4317


def otel_grpc_endpoint() -> str:
    return f"{OTEL_COLLECTOR}.{OBSERVABILITY_NAMESPACE}.svc.cluster.local:{OTLP_GRPC_PORT}"
