"""Alert rules for what the platform runs beside Kubernetes: Knative, Istio and Karpenter.

kube-prometheus-stack brings its default rules for Kubernetes itself (nodes, kubelet, workloads);
these add the serving stack. Pure data, rendered into one `PrometheusRule` (observability.py).

Where the metrics come from, at the pinned versions:
  * Deployment health: kube-state-metrics `kube_deployment_status_replicas_available`
    (labels `namespace`, `deployment`).
  * Function requests: queue-proxy's `kn.serving.invocation.duration` histogram, attribute
    `http.response.status_code` (knative/serving pkg/queue/request_metric.go), served in
    Prometheus form (`request-metrics-protocol: prometheus`) as
    `kn_serving_invocation_duration_seconds_*` with label `http_response_status_code`; revisions
    are labelled `kn_service_name` (pkg/metrics/key.go). Pending pods per revision:
    `kn.revision.pods.pending.count` of the autoscaler (pkg/reconciler/autoscaling/kpa/metrics.go).
  * Istio: the standard `istio_requests_total` (reporter, source_workload, response_code) and
    istiod's `sidecar_injection_failure_total` (pkg/kube/inject/monitoring.go).
"""

from __future__ import annotations

from components import constants as c


def _down(namespace: str, deployments: str) -> str:
    return (
        "min by (namespace, deployment) (kube_deployment_status_replicas_available"
        f'{{namespace="{namespace}", deployment=~"{deployments}"}}) < 1'
    )


def _rule(alert: str, expr: str, duration: str, severity: str, summary: str) -> dict:
    return {
        "alert": alert,
        "expr": expr,
        "for": duration,
        "labels": {"severity": severity},
        "annotations": {"summary": summary},
    }


_GATEWAYS = "|".join(c.gateway_service(e) for e in c.GATEWAYS)
_FN_ERRORS = (
    "sum by (namespace, kn_service_name) (rate(kn_serving_invocation_duration_seconds_count"
    '{http_response_status_code=~"5.."}[5m]))'
    " / sum by (namespace, kn_service_name) (rate(kn_serving_invocation_duration_seconds_count"
    "[5m])) > 0.05"
)
_GATEWAY_ERRORS = (
    "sum by (source_workload) (rate(istio_requests_total"
    f'{{reporter="source", source_workload=~"{_GATEWAYS}", response_code=~"5.."}}[5m]))'
    " / sum by (source_workload) (rate(istio_requests_total"
    f'{{reporter="source", source_workload=~"{_GATEWAYS}"}}[5m])) > 0.05'
)


def rule_groups() -> list[dict]:
    """The `spec.groups` of the platform's PrometheusRule."""
    knative = [
        _rule(
            "KnativeServingControlPlaneDown",
            _down(c.KNATIVE_SERVING_NAMESPACE, "activator|autoscaler|controller|webhook"),
            "5m",
            "critical",
            "A Knative Serving control-plane deployment has no available replica: functions "
            "cannot scale from zero or be changed.",
        ),
        _rule(
            "KnativeEventingControlPlaneDown",
            _down(c.KNATIVE_EVENTING_NAMESPACE, "eventing-controller|eventing-webhook"),
            "5m",
            "critical",
            "A Knative Eventing control-plane deployment has no available replica.",
        ),
        _rule(
            "FunctionErrorRateHigh",
            _FN_ERRORS,
            "10m",
            "warning",
            "More than 5% of a function's requests answer 5xx.",
        ),
        _rule(
            "FunctionPodsPending",
            "sum by (namespace, kn_revision_name) (kn_revision_pods_pending_count) > 0",
            "10m",
            "warning",
            "Function pods have been Pending for 10 minutes: the team's quota is full or "
            "function capacity (Karpenter NodePool limits) is exhausted.",
        ),
    ]
    istio = [
        _rule(
            "IstiodDown",
            _down(c.ISTIO_NAMESPACE, "istiod"),
            "5m",
            "critical",
            "istiod has no available replica: no new pod gets a sidecar or configuration.",
        ),
        _rule(
            "IstioGatewayDown",
            _down(c.ISTIO_NAMESPACE, _GATEWAYS),
            "5m",
            "critical",
            "An ingress gateway has no available replica: its entry point answers nothing.",
        ),
        _rule(
            "IstioGatewayErrorRateHigh",
            _GATEWAY_ERRORS,
            "10m",
            "warning",
            "More than 5% of an ingress gateway's requests answer 5xx.",
        ),
        _rule(
            "IstioSidecarInjectionFailing",
            "sum(increase(sidecar_injection_failure_total[10m])) > 0",
            "0m",
            "warning",
            "istiod failed to inject sidecars: pods in team namespaces are created without one "
            "or refused.",
        ),
    ]
    karpenter = [
        _rule(
            "KarpenterDown",
            _down(c.KARPENTER_NAMESPACE, "karpenter"),
            "5m",
            "critical",
            "Karpenter has no available replica: function capacity neither grows nor handles "
            "spot interruptions.",
        ),
    ]
    return [
        {"name": "faas-knative", "rules": knative},
        {"name": "faas-istio", "rules": istio},
        {"name": "faas-karpenter", "rules": karpenter},
    ]
