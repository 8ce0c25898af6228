"""The effective pod of every function the platform ships, and of the reference functions in every
team namespace, is admitted and fits its namespace's quota at max scale (faas/admission).

The pod is rebuilt from each stack's plan and the upstream behaviour of the pinned versions
(Knative's revision pod and queue-proxy, istiod's injection template over the chart's defaults,
API defaulting, LimitRanger, Pod Security, the quota's rules), so a value that drifts from what
the cluster would take fails here, not at the first deploy.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from components import naming
from components.capacity import podsize
from faas.admission import cluster_admissions, team_capacity_table
from faas.admission import plan as admission_plan
from faas.admission.plan import BARE_FUNCTION, admit, cluster_context
from tests.support.plans import plan

ROOT = Path(__file__).resolve().parents[1]
CLUSTER_STACKS = ("dev-blue", "dev-green", "prod-blue", "prod-green")


@pytest.mark.parametrize("stack", CLUSTER_STACKS)
def test_every_function_pod_is_admitted_and_fits_its_max_scale(stack):
    found = cluster_admissions(plan(stack))
    teams = {a.namespace for a in found} - {naming.SMOKE_NAMESPACE}
    assert {a.namespace for a in found} >= {naming.SMOKE_NAMESPACE} and teams
    # The reference functions and a bare one, in every team namespace, behind the sidecar.
    assert {a.function for a in found if a.namespace in teams} >= {"hello-python", "bare-function"}
    assert all(a.injected for a in found if a.namespace in teams)
    for a in found:
        where = f"{stack} {a.namespace}/{a.function}"
        assert a.refused == [], where
        assert a.holds_max_scale, f"{where}: {a.fits} pods fit, max scale {a.max_scale}"


@pytest.mark.parametrize("stack", CLUSTER_STACKS)
def test_the_pod_count_promises_no_more_than_cpu_and_memory_hold(stack):
    doc = plan(stack)
    quotas = cluster_context(doc)["quotas"]
    for a in cluster_admissions(doc):
        if a.function not in ("bare-function", naming.SMOKE_SERVICE):
            continue
        hard = quotas[a.namespace]
        without_pods = {k: v for k, v in hard.items() if k != "pods"}
        held = admission_plan.resources.pods_that_fit(without_pods, a.usage)
        assert int(hard["pods"]) <= held, f"{stack} {a.namespace}: pods {hard['pods']} > {held}"
        assert int(hard["pods"]) >= a.max_scale


def test_the_smoke_service_fits_its_quota_with_room_for_a_rollout():
    (smoke,) = [a for a in cluster_admissions(plan("dev-blue")) if a.function == "smoke"]
    assert not smoke.injected and smoke.refused == []
    assert smoke.max_scale == 3 and smoke.fits == smoke.max_scale + 1


# --- the test fails on the values the platform shipped before ----------------------------------


def _with_istiod(doc: dict, change) -> dict:
    doc = copy.deepcopy(doc)
    for step in doc["steps"]:
        inputs = step["newState"]["inputs"]
        if inputs.get("chart") == "istiod":
            change(inputs["values"])
    return doc


def _team(found, function="bare-function"):
    return next(a for a in found if a.function == function and a.namespace != "faas-smoke")


def test_without_the_sidecar_seccomp_profile_restricted_refuses_the_pod():
    doc = _with_istiod(plan("dev-blue"), lambda v: v["global"]["proxy"].pop("seccompProfile"))
    refused = " ".join(_team(cluster_admissions(doc)).refused)
    assert (
        "istio-proxy: seccompProfile" in refused and "istio-validation: seccompProfile" in refused
    )


def test_with_the_charts_proxy_resources_a_team_fits_two_pods():
    doc = _with_istiod(plan("dev-blue"), lambda v: v["global"]["proxy"].pop("resources"))
    team = _team(cluster_admissions(doc))
    # istiod's default limits (2000m, 1024Mi) for istio-proxy: 12 CPU hold 4 pods, not 10.
    assert team.usage.limits["cpu"] == 500 + 250 + 2000
    assert team.fits == 4 and not team.holds_max_scale


def test_without_queue_proxy_sizes_the_limit_range_fills_them_in():
    doc = copy.deepcopy(plan("dev-blue"))
    for step in doc["steps"]:
        if step["newState"]["type"].endswith(":KnativeServing"):
            step["newState"]["inputs"]["spec"]["config"].pop("deployment")
    context = cluster_context(doc)
    team = admit("payments", context["namespaces"]["payments"], "fn", BARE_FUNCTION, context)
    queue = next(c for c in team.pod["containers"] if c["name"] == "queue-proxy")
    # Knative's own default is a 25m CPU request only; the rest is the LimitRange's default.
    defaults = podsize.FUNCTION_DEFAULT_RESOURCES
    assert queue["resources"]["requests"] == {
        "cpu": "25m",
        "memory": defaults["requests"]["memory"],
    }
    assert queue["resources"]["limits"] == dict(defaults["limits"])


def test_a_quota_without_room_for_one_pod_refuses_it():
    context = cluster_context(plan("dev-blue"))
    context["quotas"]["payments"] = {"limits.cpu": "500m", "limits.memory": "16Gi", "pods": "10"}
    found = admit("payments", context["namespaces"]["payments"], "fn", BARE_FUNCTION, context)
    assert any(r.startswith("ResourceQuota: one pod") for r in found.refused)


# --- what a team's quota buys: the README's table is this measurement --------------------------


def test_readme_states_what_a_teams_quota_buys():
    readme = (ROOT / "README.md").read_text()
    block = re.search(
        r"<!-- team-capacity:begin -->\n(.*?)\n<!-- team-capacity:end -->", readme, re.S
    )
    assert block, "README has no team-capacity block"
    expected = team_capacity_table({s: plan(s) for s in ("dev-blue", "prod-blue")})
    assert block.group(1).strip() == expected, (
        "README's team capacity table is out of date; regenerate it with "
        "faas.admission.team_capacity_table"
    )
