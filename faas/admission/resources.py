"""Resources through admission: API defaulting, LimitRanger, the ResourceQuota's rules and usage.

Sources (kubernetes/kubernetes):
  * pkg/apis/core/v1/defaults.go: a container with a limit and no request for a resource gets
    the limit as its request; a LimitRange item without `defaultRequest` takes `default`.
  * plugin/pkg/admission/limitranger/admission.go: `mergePodResourceRequirements` fills each
    container's and init container's missing limits from `default` and requests from
    `defaultRequest`; `PodLimitFunc` then refuses any container whose limit is above `max` or
    missing where `max` is set, or whose request is below `min`.
  * pkg/quota/v1/evaluator/core/pods.go: a quota that tracks cpu or memory refuses a pod unless
    every container and init container sets that request or limit (`Constraints`); a pod's
    usage is `PodRequests`/`PodLimits`.
  * staging/src/k8s.io/component-helpers/resource/helpers.go: those sums, the sidecar-aware
    formula of KEP-753: containers and restartable init containers add up; each other init
    container counts with the sidecars started before it, and the pod takes the larger.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from components.capacity import podsize
from components.capacity.podsize import Footprint

QUOTA_RESOURCES = ("cpu", "memory")


def _all(spec: Mapping[str, Any]) -> Iterator[dict]:
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def api_defaults(spec: Mapping[str, Any]) -> dict:
    """Requests default to limits where only a limit is set."""
    out = copy.deepcopy(dict(spec))
    for c in _all(out):
        resources = c.setdefault("resources", {})
        for res, value in (resources.get("limits") or {}).items():
            resources.setdefault("requests", {}).setdefault(res, value)
    return out


def _item(limit_range: Mapping[str, Any]) -> Mapping[str, Any]:
    for item in limit_range.get("limits") or []:
        if item.get("type") == "Container":
            return item
    return {}


def limit_range_defaults(spec: Mapping[str, Any], limit_range: Mapping[str, Any] | None) -> dict:
    out = copy.deepcopy(dict(spec))
    item = _item(limit_range or {})
    default = item.get("default") or {}
    default_request = item.get("defaultRequest") or default
    for c in _all(out):
        resources = c.setdefault("resources", {})
        for kind, values in (("limits", default), ("requests", default_request)):
            for res, value in values.items():
                resources.setdefault(kind, {}).setdefault(res, value)
    return out


def limit_range_errors(spec: Mapping[str, Any], limit_range: Mapping[str, Any] | None) -> list[str]:
    item = _item(limit_range or {})
    errors = []
    for c in _all(spec):
        requests = (c.get("resources") or {}).get("requests") or {}
        limits = (c.get("resources") or {}).get("limits") or {}
        for res, most in (item.get("max") or {}).items():
            if res not in limits:
                errors.append(f"LimitRange: container {c['name']} has no {res} limit (max {most})")
            elif podsize.amount(res, limits[res]) > podsize.amount(res, most):
                errors.append(
                    f"LimitRange: container {c['name']} {res} limit {limits[res]} > {most}"
                )
        for res, least in (item.get("min") or {}).items():
            if res not in requests or podsize.amount(res, requests[res]) < podsize.amount(
                res, least
            ):
                errors.append(f"LimitRange: container {c['name']} {res} request below {least}")
    return errors


def request_above_limit(spec: Mapping[str, Any]) -> list[str]:
    """Object validation: a request may not exceed its limit."""
    errors = []
    for c in _all(spec):
        requests = (c.get("resources") or {}).get("requests") or {}
        limits = (c.get("resources") or {}).get("limits") or {}
        for res, value in requests.items():
            if res in limits and podsize.amount(res, value) > podsize.amount(res, limits[res]):
                errors.append(f"container {c['name']}: {res} request {value} > limit {limits[res]}")
    return errors


def _tracked(hard: Mapping[str, Any]) -> set[str]:
    """`requests.cpu`-style keys a quota's constraints require, normalised (`cpu` = requests)."""
    out = set()
    for key in hard:
        if key in QUOTA_RESOURCES:
            out.add(f"requests.{key}")
        elif key in podsize.QUOTA_KEYS:
            out.add(key)
    return out


def quota_constraint_errors(spec: Mapping[str, Any], hard: Mapping[str, Any]) -> list[str]:
    missing: dict[str, list[str]] = {}
    for c in _all(spec):
        resources = c.get("resources") or {}
        for key in sorted(_tracked(hard)):
            kind, res = key.split(".", 1)
            if res not in (resources.get(kind) or {}):
                missing.setdefault(key, []).append(c["name"])
    return [f"ResourceQuota: must specify {k} for {', '.join(v)}" for k, v in missing.items()]


def _aggregate(spec: Mapping[str, Any], kind: str) -> dict[str, int]:
    def of(c: Mapping[str, Any]) -> dict[str, int]:
        values = (c.get("resources") or {}).get(kind) or {}
        return {r: podsize.amount(r, values[r]) for r in QUOTA_RESOURCES if r in values}

    total = {r: 0 for r in QUOTA_RESOURCES}
    for c in spec.get("containers") or []:
        for r, v in of(c).items():
            total[r] += v
    sidecars = {r: 0 for r in QUOTA_RESOURCES}
    init_peak = {r: 0 for r in QUOTA_RESOURCES}
    for c in spec.get("initContainers") or []:
        mine = of(c)
        if c.get("restartPolicy") == "Always":
            for r, v in mine.items():
                total[r] += v
                sidecars[r] += v
            during = dict(sidecars)
        else:
            during = {r: mine.get(r, 0) + sidecars[r] for r in QUOTA_RESOURCES}
        for r in QUOTA_RESOURCES:
            init_peak[r] = max(init_peak[r], during[r])
    return {r: max(total[r], init_peak[r]) for r in QUOTA_RESOURCES}


def pod_usage(spec: Mapping[str, Any]) -> Footprint:
    """What the pod counts against `requests.*` and `limits.*` of a quota."""
    return Footprint(_aggregate(spec, "requests"), _aggregate(spec, "limits"))


def pods_that_fit(hard: Mapping[str, Any], usage: Footprint) -> int:
    """How many such pods the quota admits, its `pods` count included."""
    counts = []
    for key, value in hard.items():
        if key == "pods":
            counts.append(int(value))
            continue
        norm = f"requests.{key}" if key in QUOTA_RESOURCES else key
        if norm in podsize.QUOTA_KEYS and usage.usage(norm):
            counts.append(podsize.amount(norm.split(".", 1)[1], value) // usage.usage(norm))
    return min(counts) if counts else 0
