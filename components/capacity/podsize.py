"""What one function pod costs a namespace's quota, and Kubernetes quantity arithmetic.

A function pod is more than the function: Knative adds `queue-proxy`, and in a namespace with
sidecar injection Istio adds `istio-proxy` (a native sidecar on Kubernetes 1.33+) and the
`istio-validation` init container. All of them count against the namespace's ResourceQuota, and a
quota on `limits.*` refuses any container without limits, so the platform sets every one of them
here and renders the same numbers everywhere (istiod `global.proxy.resources`, Knative
`config-deployment`, the tenants' LimitRange); config validation sizes team quotas from them.

Upstream defaults these replace (why they cannot stay):
  * istiod 1.30.1 `global.proxy.resources`: requests 100m/128Mi, limits 2000m/1024Mi (chart
    values.yaml). Both injected containers take them (injection-template.yaml, the `resources`
    template), so one pod would spend two CPUs of limit on its proxy.
  * Knative Serving 1.23 queue-proxy: a 25m CPU request and nothing else
    (pkg/deployment/config.go `QueueSidecarCPURequestDefault`; `queueproxy.resource-defaults` is
    disabled), so a LimitRange default fills its limits.

Pure Python: the config readers import it without the Pulumi SDK.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

# --- quantities (k8s.io/apimachinery/pkg/api/resource: decimal SI, binary SI, exponent) -------
_QUANTITY = re.compile(
    r"^(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?:(?P<exp>[eE][+-]?\d+)|(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$"
)
_SUFFIX = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}
MI = 2**20
GI = 2**30


def parse(quantity: Any) -> Fraction:
    """The exact value of a Kubernetes quantity (`500m`, `1.5`, `128Mi`, `1e3`); ValueError else."""
    if isinstance(quantity, bool):
        raise ValueError(f"{quantity!r} is not a quantity")
    if isinstance(quantity, int | float):
        return Fraction(str(quantity))
    m = _QUANTITY.match(str(quantity).strip()) if isinstance(quantity, str) else None
    if not m:
        raise ValueError(f"{quantity!r} is not a Kubernetes quantity")
    value = Fraction(m["num"])
    if m["exp"]:
        exponent = int(m["exp"][1:])
        # The API server keeps quantities within int64 milli-units; a larger exponent is not a
        # quantity it would accept (and would only cost time to compute).
        if abs(exponent) > 30:
            raise ValueError(f"{quantity!r} is out of range")
        value *= Fraction(10) ** exponent
    if m["suffix"]:
        value *= _SUFFIX[m["suffix"]]
    return value


def is_quantity(quantity: Any) -> bool:
    try:
        parse(quantity)
    except ValueError:
        return False
    return True


def amount(resource: str, quantity: Any) -> int:
    """The integer the API server compares: millicores for cpu, whole units (bytes) otherwise.
    Rounded up, as `Quantity.MilliValue()`/`Value()` do."""
    scale = 1000 if resource == "cpu" else 1
    return math.ceil(parse(quantity) * scale)


def format_amount(resource: str, value: int) -> str:
    """The shortest exact quantity for an `amount`: `1400m`, `2`, `768Mi`, `16Gi`."""
    if resource == "cpu":
        return str(value // 1000) if value % 1000 == 0 else f"{value}m"
    for suffix, unit in (("Gi", GI), ("Mi", MI), ("Ki", 2**10)):
        if value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)


# --- the sizes the platform sets ---------------------------------------------------------------
Resources = Mapping[str, Mapping[str, str]]
"""`{"requests": {...}, "limits": {...}}`, as a container's `resources` and the values take it."""

# The Istio sidecar and its `istio-validation` init container (both take this block). Envoy of a
# function pod proxies one revision's traffic: a quarter CPU serves several hundred requests per
# second, far beyond what one function pod answers.
ISTIO_PROXY_RESOURCES: Resources = {
    "requests": {"cpu": "50m", "memory": "64Mi"},
    "limits": {"cpu": "250m", "memory": "256Mi"},
}
# Knative's queue-proxy (config-deployment `queue-sidecar-*`).
QUEUE_PROXY_RESOURCES: Resources = {
    "requests": {"cpu": "25m", "memory": "32Mi"},
    "limits": {"cpu": "250m", "memory": "128Mi"},
}
# The tenants' LimitRange: what a function container without resources gets, and the most any
# container may ask for.
FUNCTION_DEFAULT_RESOURCES: Resources = {
    "requests": {"cpu": "50m", "memory": "64Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}
CONTAINER_MAX = {"cpu": "4", "memory": "8Gi"}

# What a namespace quota tracks: every container must set requests and limits for these.
TRACKED = ("cpu", "memory")
QUOTA_KEYS = tuple(f"{kind}.{r}" for kind in ("requests", "limits") for r in TRACKED)


def resources_block(resources: Resources) -> dict[str, dict[str, str]]:
    """A plain copy of a sizes block, for Helm values and Kubernetes objects."""
    return {kind: dict(values) for kind, values in resources.items()}


@dataclass(frozen=True)
class Footprint:
    """A pod's requests and limits as the quota counts them (millicores, bytes)."""

    requests: Mapping[str, int]
    limits: Mapping[str, int]

    def usage(self, key: str) -> int:
        """`requests.cpu` -> this pod's share of that quota key."""
        kind, resource = key.split(".", 1)
        return (self.requests if kind == "requests" else self.limits).get(resource, 0)

    def describe(self) -> str:
        return (
            f"requests {format_amount('cpu', self.requests['cpu'])} CPU/"
            f"{format_amount('memory', self.requests['memory'])}, limits "
            f"{format_amount('cpu', self.limits['cpu'])} CPU/"
            f"{format_amount('memory', self.limits['memory'])}"
        )


def _sum(*blocks: Resources) -> Footprint:
    req = {r: sum(amount(r, b["requests"][r]) for b in blocks) for r in TRACKED}
    lim = {r: sum(amount(r, b["limits"][r]) for b in blocks) for r in TRACKED}
    return Footprint(req, lim)


def function_pod(app: Resources = FUNCTION_DEFAULT_RESOURCES, injected: bool = True) -> Footprint:
    """The function, queue-proxy and (with injection) istio-proxy run together; istio-validation
    runs before them alone and uses the proxy's block, so it never exceeds that sum."""
    blocks = [app, QUEUE_PROXY_RESOURCES] + ([ISTIO_PROXY_RESOURCES] if injected else [])
    return _sum(*blocks)


def pods_that_fit(hard: Mapping[str, str], pod: Footprint) -> int:
    """How many such pods a quota's CPU and memory hold (its `pods` key is not counted here)."""
    counts = [
        amount(k.split(".", 1)[1], v) // pod.usage(k) for k, v in hard.items() if k in QUOTA_KEYS
    ]
    return min(counts) if counts else 0


def quota_for(pod: Footprint, pods: int) -> dict[str, str]:
    """A ResourceQuota `hard` that holds exactly `pods` such pods."""
    hard = {k: format_amount(k.split(".", 1)[1], pod.usage(k) * pods) for k in QUOTA_KEYS}
    return {**hard, "pods": str(pods)}
