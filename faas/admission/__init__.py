"""The effective pod of a function, as the cluster would admit (or refuse) it, from a plan.

A Knative Service is not the pod that runs: Knative adds queue-proxy, the API server defaults
resources and applies the namespace's LimitRange, Istio's webhook injects its sidecar, and only
then do Pod Security and the ResourceQuota decide. This package rebuilds that pod from the values
a plan renders and the upstream behaviour of the pinned versions, each step citing its source:

  * `revision`: the revision pod Knative Serving 1.23 builds (user container, secure pod
    defaults, queue-proxy and its `config-deployment` resources);
  * `injection`: what istiod 1.30's injection template adds (istio-validation, istio-proxy as a
    native sidecar, their security context, resources and volumes), from the chart's defaults
    merged with the release's values;
  * `resources`: API defaulting, the LimitRanger admission plugin, the quota's per-container
    constraints and the pod's quota usage (the sidecar-aware formula of component-helpers);
  * `plan`: which functions to admit where (every Knative Service a plan ships, and the reference
    functions in every team namespace), and the verdict for each: refused or admitted, and how
    many such pods the namespace quota holds against the function's max scale.

Pod Security is `components.serving.podsecurity` (every check of the standard).
"""

from faas.admission.plan import Admission, cluster_admissions, team_capacity_table

__all__ = ["Admission", "cluster_admissions", "team_capacity_table"]
