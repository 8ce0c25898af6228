"""Where serving pods run: platform components on the system group, functions on spot.

The system node group is tainted NoSchedule (`naming.SYSTEM_TAINT`), so only pods that carry the
toleration built here can land on it; anything else (every function) goes to spot. Helm values and
Knative operator overrides all take their placement from these helpers so one change moves them all.
"""

from __future__ import annotations

from components import naming


def _k8s_toleration(taint: dict[str, str]) -> dict[str, str]:
    return {
        "key": taint["key"],
        "operator": "Equal",
        "value": taint["value"],
        "effect": naming.K8S_TAINT_EFFECT[taint["effect"]],
    }


def system_tolerations() -> list[dict[str, str]]:
    """The toleration of the system taint, in Kubernetes spelling."""
    return [_k8s_toleration(naming.SYSTEM_TAINT)]


def system_node_selector() -> dict[str, str]:
    return {naming.POOL_LABEL: naming.SYSTEM_POOL}


def system_affinity() -> dict:
    """Required node affinity to the system pool, for charts with `affinity` but no selector."""
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": naming.POOL_LABEL,
                                "operator": "In",
                                "values": [naming.SYSTEM_POOL],
                            }
                        ]
                    }
                ]
            }
        }
    }


def system_placement() -> dict:
    """`nodeSelector` + `tolerations`, the two keys most charts and the Knative operator accept."""
    return {"nodeSelector": system_node_selector(), "tolerations": system_tolerations()}


def everywhere_tolerations() -> list[dict[str, str]]:
    """Node agents (CNI, log shipping) must run on every node, whatever its taints."""
    return [{"operator": "Exists"}]


def function_placement() -> dict:
    """What function pods set to prefer spot explicitly: the pool label and the soft spot taint.

    Without it they still avoid system nodes (hard taint); with it they also stop the scheduler from
    scoring spot nodes down for the PreferNoSchedule taint.
    """
    return {
        "nodeSelector": {naming.POOL_LABEL: naming.FUNCTIONS_POOL},
        "tolerations": [_k8s_toleration(naming.SPOT_TAINT)],
    }
