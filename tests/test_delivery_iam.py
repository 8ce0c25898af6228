"""Who may do what, evaluated on the documents the shipped plans really carry (docs/delivery.md).

Each trust or permission policy is taken from the offline plan of its stack and evaluated with
tests/support/iam.py against the requests that must succeed and the ones that must not: team A's
functions cannot assume team B's role; only Knative's controller on its own colour gets the
resolver role, which allows exactly tag resolution; both colours' nodes may pull, the team's
pipeline may push to its own repositories and nowhere else.
"""

from __future__ import annotations

import json

import pytest

from components import constants as c
from components import naming
from components.delivery import documents as d
from components.shared.iam import cluster_arn
from tests.support.iam import Request, allows, pod_identity, web_identity
from tests.support.plans import plan, states

ACCOUNT = "123456789012"


def _by_name(stack: str, type_: str) -> dict[str, dict]:
    return {s["urn"].rsplit("::", 1)[-1]: s for s in states(plan(stack), type_)}


def roles(stack: str) -> dict[str, dict]:
    return _by_name(stack, "aws:iam/role:Role")


def role_policy(stack: str, name: str) -> str:
    return _by_name(stack, "aws:iam/rolePolicy:RolePolicy")[name]["inputs"]["policy"]


def oidc(stack: str) -> tuple[str, str]:
    """(provider ARN, issuer without https://) of a colour's cluster."""
    (provider,) = states(plan(stack), "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    return provider["outputs"]["arn"], provider["inputs"]["url"].removeprefix("https://")


def trust(stack: str, role: str) -> str:
    return roles(stack)[role]["inputs"]["assumeRolePolicy"]


def granted_actions(policy: str) -> set[str]:
    out: set[str] = set()
    for stmt in json.loads(policy)["Statement"]:
        if stmt["Effect"] == "Allow":
            action = stmt["Action"]
            out.update(action if isinstance(action, list) else [action])
    return out


COLOURS = ["dev-blue", "dev-green", "prod-blue", "prod-green"]


# --- each team's function role: IRSA pinned to the team's namespace and service account ---------


@pytest.mark.parametrize("stack", COLOURS)
def test_a_team_assumes_its_own_function_role_and_no_other(stack):
    env, color = naming.parse_stack_name(stack)
    provider, issuer = oidc(stack)
    teams = [t["name"] for t in plan(stack)["config"]["faas:serving"]["teams"]]
    assert len(teams) >= 2, "needs two teams to show the fence"
    for owner in teams:
        doc = trust(stack, naming.function_role_name(env, color, owner))
        for caller in teams:
            sub = f"system:serviceaccount:{caller}:{c.FUNCTION_SERVICE_ACCOUNT}"
            allowed = allows(doc, web_identity(provider, issuer, sub, "sts.amazonaws.com"))
            assert allowed == (caller == owner), (owner, caller)
        # Any other account in the team's own namespace (the default one) is refused too, as is
        # a token minted for another audience.
        assert not allows(
            doc,
            web_identity(
                provider, issuer, f"system:serviceaccount:{owner}:default", "sts.amazonaws.com"
            ),
        )
        own = f"system:serviceaccount:{owner}:{c.FUNCTION_SERVICE_ACCOUNT}"
        assert not allows(doc, web_identity(provider, issuer, own, "api://other"))


def test_the_other_colours_cluster_cannot_assume_a_colours_function_role():
    blue_provider, blue_issuer = oidc("dev-blue")
    green_provider, green_issuer = oidc("dev-green")
    assert blue_issuer != green_issuer
    sub = f"system:serviceaccount:payments:{c.FUNCTION_SERVICE_ACCOUNT}"
    doc = trust("dev-blue", naming.function_role_name("dev", "blue", "payments"))
    assert allows(doc, web_identity(blue_provider, blue_issuer, sub, "sts.amazonaws.com"))
    assert not allows(doc, web_identity(green_provider, green_issuer, sub, "sts.amazonaws.com"))


@pytest.mark.parametrize("stack", COLOURS)
def test_function_roles_carry_the_platform_boundary_and_the_teams_policies(stack):
    env, color = naming.parse_stack_name(stack)
    (boundary,) = states(plan(stack), "aws:iam/policy:Policy")
    attachments = states(plan(stack), "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    for team in plan(stack)["config"]["faas:serving"]["teams"]:
        name = naming.function_role_name(env, color, team["name"])
        role = roles(stack)[name]
        assert role["inputs"]["permissionsBoundary"] == boundary["outputs"]["arn"]
        attached = {a["inputs"]["policyArn"] for a in attachments if a["inputs"]["role"] == name}
        assert attached == set(team.get("policies", [])), name


def test_the_boundary_caps_what_any_attached_policy_could_grant():
    boundary = d.function_boundary()
    for action in ("s3:GetObject", "dynamodb:PutItem", "sqs:SendMessage", "kms:Decrypt"):
        assert allows(boundary, Request(action, "arn:aws:s3:::team-data/x")), action
    for action in (
        "iam:PassRole",
        "iam:CreateRole",
        "sts:AssumeRole",
        "eks:DescribeCluster",
        "ec2:AuthorizeSecurityGroupIngress",
        "ecr:PutImage",
        "organizations:LeaveOrganization",
        "s3:PutBucketPolicy",
        "s3:PutBucketPublicAccessBlock",
    ):
        assert not allows(boundary, Request(action, "*")), action
    platform_key = Request(
        "kms:Decrypt",
        "arn:aws:kms:eu-west-1:1:key/k",
        context={"aws:ResourceTag/Project": naming.PROJECT},
    )
    assert not allows(boundary, platform_key)


# --- the Knative controller: tag-to-digest resolution ------------------------------------------


@pytest.mark.parametrize("stack", COLOURS)
def test_only_knative_controller_of_its_own_cluster_gets_the_resolver_role(stack):
    env, color = naming.parse_stack_name(stack)
    other = next(x for x in naming.COLORS if x != color)
    region = plan(stack)["config"]["aws:region"]
    own = cluster_arn("aws", region, ACCOUNT, naming.cluster_name(env, color))
    theirs = cluster_arn("aws", region, ACCOUNT, naming.cluster_name(env, other))
    doc = trust(stack, naming.image_resolver_role_name(env, color))
    ns, sa = c.KNATIVE_SERVING_NAMESPACE, c.KNATIVE_CONTROLLER_SERVICE_ACCOUNT
    assert allows(doc, pod_identity(own, ns, sa))
    tag_session = pod_identity(own, ns, sa)
    assert allows(
        doc, Request("sts:TagSession", principal=tag_session.principal, context=tag_session.context)
    )
    for cluster, namespace, account in [
        (theirs, ns, sa),
        (own, ns, "webhook"),
        (own, "payments", sa),
        (own, "payments", c.FUNCTION_SERVICE_ACCOUNT),
    ]:
        assert not allows(doc, pod_identity(cluster, namespace, account)), (
            cluster,
            namespace,
            account,
        )


@pytest.mark.parametrize("stack", COLOURS)
def test_resolver_role_allows_exactly_what_digest_resolution_calls(stack):
    env, color = naming.parse_stack_name(stack)
    region = plan(stack)["config"]["aws:region"]
    policy = role_policy(stack, naming.image_resolver_role_name(env, color))
    repo_arn = f"arn:aws:ecr:{region}:{ACCOUNT}:repository/"
    own_repo = repo_arn + naming.repository_name(env, "payments", "hello-python")
    other_env = repo_arn + "faas-other/payments/hello-python"
    # What Knative 1.23's resolver calls: login, then a manifest HEAD (BatchGetImage).
    assert allows(policy, Request("ecr:GetAuthorizationToken", "*"))
    assert allows(policy, Request("ecr:BatchGetImage", own_repo))
    assert not allows(policy, Request("ecr:BatchGetImage", other_env))
    assert granted_actions(policy) == {d.TOKEN_ACTION, *d.RESOLVE_ACTIONS}
    for action in (
        "ecr:PutImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeImages",
        "ecr:DeleteRepository",
    ):
        assert not allows(policy, Request(action, own_repo)), action


@pytest.mark.parametrize("stack", COLOURS)
def test_the_association_binds_the_controller_and_knative_waits_for_it(stack):
    env, color = naming.parse_stack_name(stack)
    # Knative's association (Karpenter has its own, in components/capacity/karpenter.py).
    (assoc,) = [
        a
        for a in states(plan(stack), "aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if a["inputs"]["namespace"] == c.KNATIVE_SERVING_NAMESPACE
    ]
    role = roles(stack)[naming.image_resolver_role_name(env, color)]
    assert assoc["inputs"]["namespace"] == c.KNATIVE_SERVING_NAMESPACE
    assert assoc["inputs"]["serviceAccount"] == c.KNATIVE_CONTROLLER_SERVICE_ACCOUNT
    assert assoc["inputs"]["clusterName"] == naming.cluster_name(env, color)
    assert assoc["inputs"]["roleArn"] == role["outputs"]["arn"]
    # EKS injects credentials only into pods created after the association exists.
    (serving,) = states(plan(stack), "kubernetes:operator.knative.dev/v1beta1:KnativeServing")
    assert assoc["urn"] in serving["dependencies"]


# --- the environment's repositories --------------------------------------------------------------


def _repo_policies(env: str) -> dict[str, str]:
    return {
        s["inputs"]["repository"]: s["inputs"]["policy"]
        for s in states(plan(env), "aws:ecr/repositoryPolicy:RepositoryPolicy")
    }


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_both_colours_nodes_and_resolvers_pull_and_nobody_else(env):
    policies = _repo_policies(env)
    assert policies, "the environment plan has repositories"
    pullers = []
    for color in naming.COLORS:
        stack = naming.stack_name(env, color)
        node_role = roles(stack)[naming.resource_name(env, color, "node-role")]["outputs"]["arn"]
        resolver = roles(stack)[naming.image_resolver_role_name(env, color)]["outputs"]["arn"]
        pullers += [node_role, resolver]
    strangers = [
        f"arn:aws:iam::{ACCOUNT}:role/some-other-role",
        f"arn:aws:iam::{ACCOUNT}:role/{naming.function_role_name(env, 'blue', 'payments')}",
        # the same role name in another account
        pullers[0].replace(ACCOUNT, "999999999999"),
    ]
    for repo, doc in policies.items():
        for arn in pullers + strangers:
            account = arn.split(":")[4]
            req = Request(
                "ecr:BatchGetImage",
                principal=("AWS", arn),
                context={"aws:PrincipalArn": arn, "aws:PrincipalAccount": account},
            )
            assert allows(doc, req) == (arn in pullers), (repo, arn)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_a_teams_pipeline_pushes_to_its_own_repositories_only(env):
    region = plan(env)["config"]["aws:region"]
    by_name = roles(env)
    teams = {t.team for t in _registry(env).teams}
    for team in teams:
        role = naming.publisher_role_name(env, team)
        policy = role_policy(env, role)
        assert allows(policy, Request("ecr:GetAuthorizationToken", "*"))
        for owner in teams:
            for repo in _registry_functions(env, owner):
                name = naming.repository_name(env, owner, repo)
                arn = f"arn:aws:ecr:{region}:{ACCOUNT}:repository/{name}"
                for action in d.PUSH_ACTIONS:
                    assert allows(policy, Request(action, arn)) == (owner == team), (role, arn)
        assert not allows(policy, Request("ecr:DeleteRepository", "*"))
        assert role in by_name


def _registry(env: str):
    from components.config import load
    from components.config.stackfile import colour_configs, read_stack_file

    return load(env, read_stack_file(env), None, colour_configs(env)).registry


def _registry_functions(env: str, team: str) -> tuple[str, ...]:
    return next(t.functions for t in _registry(env).teams if t.team == team)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_publisher_trust_takes_exactly_the_configured_pipeline_subjects(env):
    for team in _registry(env).teams:
        ci = team.ci
        doc = trust(env, naming.publisher_role_name(env, team.team))
        provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ci.issuer}"
        for sub in ci.subjects:
            assert allows(doc, web_identity(provider, ci.issuer, sub, ci.audience))
            # another branch, a fork, a pull request, another audience, another issuer
            for bad_sub in (
                sub + "x",
                sub.replace(env, "other"),
                sub.rsplit(":", 1)[0] + ":pull_request",
            ):
                assert not allows(doc, web_identity(provider, ci.issuer, bad_sub, ci.audience))
            assert not allows(doc, web_identity(provider, ci.issuer, sub, "api://other"))
            other = f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.example.com"
            assert not allows(doc, web_identity(other, "gitlab.example.com", sub, ci.audience))
