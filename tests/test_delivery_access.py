"""A team member reaches its own namespace on either colour, and nothing else (docs/delivery.md).

The chain as planned: the team's IAM role -> an EKS access entry with only the team's Kubernetes
group (no access policy, so no cluster-wide right) -> a RoleBinding of that group in the team's
namespace. A small RBAC evaluator over the plan's objects answers "may this group do that here";
what cannot run here (the `aws eks update-kubeconfig` call, reaching a private endpoint) is
checked as far as the plan and the command line go.
"""

from __future__ import annotations

import shlex

import pytest

from components import constants as c
from components import naming
from components.delivery.access import kubeconfig_command
from components.serving.tenants import team_group
from tests.support.plans import name_of, plan, states

COLOURS = ["dev-blue", "dev-green", "prod-blue", "prod-green"]
RBAC = "kubernetes:rbac.authorization.k8s.io/v1"


def may(stack: str, group: str, verb: str, group_resource: tuple[str, str], ns: str) -> bool:
    """RBAC over the plan: a (Cluster)RoleBinding names the group and its role grants the verb."""
    doc = plan(stack)
    roles = {
        (s["inputs"]["metadata"].get("namespace"), s["inputs"]["metadata"]["name"]): s["inputs"]
        for kind in ("Role", "ClusterRole")
        for s in states(doc, f"{RBAC}:{kind}")
    }
    api_group, resource = group_resource
    for kind in ("RoleBinding", "ClusterRoleBinding"):
        for b in states(doc, f"{RBAC}:{kind}"):
            spec = b["inputs"]
            if not any(x["kind"] == "Group" and x["name"] == group for x in spec["subjects"]):
                continue
            scope = spec["metadata"].get("namespace")
            if kind == "RoleBinding" and scope != ns:
                continue
            ref = spec["roleRef"]
            role = roles.get((scope if ref["kind"] == "Role" else None, ref["name"]))
            for rule in (role or {}).get("rules", []):
                if (
                    api_group in rule.get("apiGroups", [])
                    and resource in rule.get("resources", [])
                    and verb in rule.get("verbs", [])
                ):
                    return True
    return False


@pytest.mark.parametrize("stack", COLOURS)
def test_access_entries_map_each_team_role_to_its_group_only(stack):
    entries = {
        name_of(s["urn"]): s["inputs"]
        for s in states(plan(stack), "aws:eks/accessEntry:AccessEntry")
    }
    associations = states(plan(stack), "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    env, color = naming.parse_stack_name(stack)
    for team in plan(stack)["config"]["faas:serving"]["teams"]:
        entry = entries[naming.resource_name(env, color, "team", team["name"])]
        assert entry["principalArn"] == team["iamRoleArn"]
        assert entry["kubernetesGroups"] == [team_group(team["name"])]
        # No EKS access policy: the team's rights are exactly its namespace's RoleBinding.
        assert not [a for a in associations if a["inputs"]["principalArn"] == team["iamRoleArn"]]


@pytest.mark.parametrize("stack", COLOURS)
def test_a_team_deploys_in_its_namespace_and_nowhere_else(stack):
    teams = [t["name"] for t in plan(stack)["config"]["faas:serving"]["teams"]]
    ksvc = ("serving.knative.dev", "services")
    for team in teams:
        group = team_group(team)
        for ns in [*teams, c.KNATIVE_SERVING_NAMESPACE, "default", "kube-system"]:
            for verb in ("create", "patch", "get", "list", "delete"):
                assert may(stack, group, verb, ksvc, ns) == (ns == team), (team, ns, verb)
        # What a team can read to debug, and what it can never change even at home.
        assert may(stack, group, "get", ("", "pods/log"), team)
        assert not may(stack, group, "create", ("", "pods/exec"), team)
        for resource in ("rolebindings", "roles"):
            assert not may(stack, group, "create", ("rbac.authorization.k8s.io", resource), team)
        assert not may(stack, group, "update", ("", "resourcequotas"), team)
        assert not may(stack, group, "update", ("", "serviceaccounts"), team)


@pytest.mark.parametrize("stack", COLOURS)
def test_each_team_namespace_has_the_functions_service_account_of_its_role(stack):
    env, color = naming.parse_stack_name(stack)
    accounts = [s["inputs"] for s in states(plan(stack), "kubernetes:core/v1:ServiceAccount")]
    roles = {
        name_of(s["urn"]): s["outputs"]["arn"] for s in states(plan(stack), "aws:iam/role:Role")
    }
    for team in plan(stack)["config"]["faas:serving"]["teams"]:
        (sa,) = [
            a
            for a in accounts
            if a["metadata"]["namespace"] == team["name"]
            and a["metadata"]["name"] == c.FUNCTION_SERVICE_ACCOUNT
        ]
        role = roles[naming.function_role_name(env, color, team["name"])]
        assert sa["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role}
        assert sa["automountServiceAccountToken"] is False


@pytest.mark.parametrize("stack", COLOURS)
def test_the_exported_kubeconfig_command_uses_the_team_role_on_this_cluster(stack):
    doc = plan(stack)
    env, color = naming.parse_stack_name(stack)
    cluster = naming.cluster_name(env, color)
    access = doc["outputs"]["team_access"]
    for team in doc["config"]["faas:serving"]["teams"]:
        got = shlex.split(access[team["name"]]["kubeconfig"])
        assert got == kubeconfig_command(
            cluster, doc["config"]["aws:region"], team["iamRoleArn"], team["name"]
        )
        assert got[:3] == ["aws", "eks", "update-kubeconfig"]
        assert got[got.index("--role-arn") + 1] == team["iamRoleArn"]
        assert access[team["name"]]["namespace"] == team["name"]


@pytest.mark.parametrize("stack", COLOURS)
def test_where_the_command_works_matches_the_cluster_endpoint(stack):
    """dev: a public endpoint restricted to the configured ranges (a laptop in those ranges
    works); prod: private only (a runner or shell inside the VPC)."""
    doc = plan(stack)
    (cluster,) = states(doc, "aws:eks/cluster:Cluster")
    vpc = cluster["inputs"]["vpcConfig"]
    cidrs = doc["config"]["faas:cluster"].get("publicAccessCidrs", [])
    reach = next(iter(doc["outputs"]["team_access"].values()))["reach"]
    assert vpc["endpointPrivateAccess"] is True
    if stack.startswith("dev"):
        assert vpc["endpointPublicAccess"] is True and vpc["publicAccessCidrs"] == cidrs
        assert reach.startswith("public endpoint from " + ", ".join(cidrs))
    else:
        assert vpc["endpointPublicAccess"] is False and not cidrs
        assert reach.startswith("private endpoint only")
