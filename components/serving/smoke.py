"""The platform's own smoke function, the target of the cutover probes.

`smoke` in `faas-smoke` answers `ok` on `/` at `https://smoke-faas-smoke.faas[-<color>].<base>/`.
It is DMZ-exposed (the cutover probes from outside), kept warm (min-scale 1) so a probe measures
the platform and not a cold start, and its pod spec passes the restricted Pod Security Standard
on its own, without relying on Knative's secure-pod-defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core.v1 import Namespace
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components import constants as c
from components import naming, versions
from components.capacity import podsize
from components.serving import domains, placement
from components.serving.podsecurity import pss_labels, restricted_container_context
from components.serving.tenants import fence


def smoke_hosts(base_domain: str, color: str) -> list[str]:
    """Where the smoke service answers on this cluster: environment and colour DMZ names."""
    host = f"{naming.SMOKE_SERVICE}-{naming.SMOKE_NAMESPACE}"
    return [
        f"{host}.{domains.env_domains(base_domain)['dmz']}",
        f"{host}.{domains.cluster_domains(base_domain, color)['dmz']}",
    ]


# http-echo answers a static string: a tenth of a CPU and 64Mi are plenty.
SMOKE_RESOURCES: podsize.Resources = {
    "requests": {"cpu": "10m", "memory": "16Mi"},
    "limits": {"cpu": "100m", "memory": "64Mi"},
}


def smoke_quota() -> dict[str, str]:
    """The smoke namespace's quota: its pod (function + queue-proxy; the namespace has no sidecar
    injection) at max scale, plus one for the next revision during a rollout."""
    pod = podsize.function_pod(SMOKE_RESOURCES, injected=False)
    return podsize.quota_for(pod, c.SMOKE_MAX_SCALE + 1)


def smoke_pod_spec() -> dict:
    return {
        "automountServiceAccountToken": False,
        **placement.function_placement(),
        "containers": [
            {
                "name": "smoke",
                "image": versions.KNATIVE_SMOKE_IMAGE,
                # Knative sets PORT=8080; http-echo takes its address as a flag.
                "args": ["-listen=:8080", "-text=ok"],
                "ports": [{"containerPort": 8080}],
                # Restart a wedged responder instead of letting the cutover probes time out on
                # it. http-echo 1.0.0 answers 200 on /health without logging it (main.go), so the
                # probe adds no log lines. No port: Knative probes the container's one port, and
                # refuses any other (knative.dev docs, "Configuring health checks").
                "livenessProbe": {
                    "httpGet": {"path": "/health"},
                    "periodSeconds": 10,
                    "failureThreshold": 3,
                },
                "resources": podsize.resources_block(SMOKE_RESOURCES),
                # Container level only: Knative gates most pod-level securityContext fields
                # behind a feature flag, container fields are always accepted.
                "securityContext": {**restricted_container_context(), "runAsUser": 65532},
            }
        ],
    }


@dataclass
class SmokeArgs:
    depends_on: list[pulumi.Resource]
    """The KnativeServing resource (Knative's CRDs and webhooks)."""


class SmokeService(pulumi.ComponentResource):
    def __init__(self, name: str, args: SmokeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:serving:SmokeService", name, None, opts)
        ns = Namespace(
            naming.child_name(name, "ns"),
            metadata=ObjectMetaArgs(
                name=naming.SMOKE_NAMESPACE,
                labels={**pss_labels("restricted"), naming.TENANT_LABEL: "platform"},
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Fenced like a team namespace (the policy pack checks every tenant-labelled namespace),
        # with a quota that holds the service at its max scale plus one pod for a rollout.
        hard = smoke_quota()
        fence(
            name, naming.SMOKE_NAMESPACE, hard["limits.cpu"], hard["limits.memory"],
            int(hard["pods"]), self, ns,
        )  # fmt: skip
        CustomResource(
            naming.child_name(name, "ksvc"),
            api_version="serving.knative.dev/v1",
            kind="Service",
            metadata=ObjectMetaArgs(
                name=naming.SMOKE_SERVICE,
                namespace=naming.SMOKE_NAMESPACE,
                labels={naming.EXPOSURE_LABEL: "dmz"},
            ),
            spec={
                "template": {
                    "metadata": {
                        "annotations": {
                            "autoscaling.knative.dev/min-scale": str(c.SMOKE_MIN_SCALE),
                            "autoscaling.knative.dev/max-scale": str(c.SMOKE_MAX_SCALE),
                        }
                    },
                    "spec": smoke_pod_spec(),
                }
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ns, *args.depends_on]),
        )
        self.register_outputs({})
