"""Functions from Git: Flux on every colour, one source per team, scoped to the team's namespace.

The scope is checked with a model of Kubernetes RBAC (tests/support/rbac.py) built from the Roles
and bindings the plan really renders, for the identity Flux impersonates for each team.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from components import config, naming
from components import constants as c
from components.config import ConfigError
from components.config.gitops import SourceConfig
from components.config.stackfile import read_stack_file
from components.gitops import RECONCILER, SOURCE
from faas.contracts import validate_cr
from faas.plan import run_plan
from tests.support.plans import plan, states
from tests.support.rbac import CLUSTER_SCOPED, Binding, Rbac, Rule, User

CLUSTERS = ("dev-blue", "dev-green", "prod-blue", "prod-green")
RELEASE = "kubernetes:helm.sh/v3:Release"
GIT = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository"
SYNC = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization"
WRITES = ("create", "update", "patch", "delete")
FUNCTION_KINDS = {("serving.knative.dev", "services"), ("", "configmaps"), ("", "secrets")}


def teams(stack: str) -> list[Any]:
    cfg = config.load(stack, read_stack_file(stack))
    return list(cfg.serving.teams)


def by_namespace(
    doc: dict[str, Any], type_: str, name: str | None = None
) -> dict[str, dict[str, Any]]:
    """One object of a type per namespace (optionally only those called `name`)."""
    found: dict[str, dict[str, Any]] = {}
    for s in states(doc, type_):
        if name is not None and s["inputs"]["metadata"].get("name") != name:
            continue
        ns = s["inputs"]["metadata"]["namespace"]
        assert ns not in found, f"two {type_} in {ns}"
        found[ns] = s
    return found


# -- the controller --------------------------------------------------------------------------


@pytest.mark.parametrize("stack", CLUSTERS)
def test_flux_is_installed_locked_down_on_the_system_nodes(stack: str) -> None:
    doc = plan(stack)
    (flux,) = [r for r in states(doc, RELEASE) if r["inputs"]["chart"] == "flux2"]
    inputs = flux["inputs"]
    cfg = config.load(stack, read_stack_file(stack))
    assert inputs["version"] == cfg.release.chart("flux2")["version"]
    assert inputs["namespace"] == c.FLUX_NAMESPACE
    values = inputs["values"]
    assert values["multitenancy"] == {
        "enabled": True,
        "defaultServiceAccount": "default",
        "privileged": False,
    }
    # Only what functions need; no UI exists, no webhook receiver is exposed.
    for off in (
        "helmController",
        "imageAutomationController",
        "imageReflectionController",
        "notificationController",
    ):
        assert values[off] == {"create": False}, off
    system = {naming.POOL_LABEL: naming.SYSTEM_POOL}
    for on in ("sourceController", "kustomizeController", "cli"):
        assert values[on]["nodeSelector"] == system, on
        assert values[on]["tolerations"][0]["key"] == naming.SYSTEM_TAINT["key"], on
    (ns,) = [
        s
        for s in states(doc, "kubernetes:core/v1:Namespace")
        if s["inputs"]["metadata"]["name"] == c.FLUX_NAMESPACE
    ]
    assert ns["inputs"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert ns["urn"] in flux["dependencies"]


def test_no_team_may_be_named_after_the_flux_namespace() -> None:
    raw = copy.deepcopy(read_stack_file("dev-blue"))
    raw["faas:serving"]["teams"][0]["name"] = c.FLUX_NAMESPACE
    with pytest.raises(ConfigError) as err:
        config.load("dev-blue", raw)
    assert "faas:serving.teams[0].name: 'flux-system' is reserved for the platform" in str(
        err.value
    )


# -- one source per team ---------------------------------------------------------------------


@pytest.mark.parametrize("stack", CLUSTERS)
def test_one_source_per_team_applied_as_the_teams_reconciler(stack: str) -> None:
    doc = plan(stack)
    repos, syncs = by_namespace(doc, GIT), by_namespace(doc, SYNC)
    accounts = by_namespace(doc, "kubernetes:core/v1:ServiceAccount", RECONCILER)
    expected = {t.name: t for t in teams(stack)}
    assert set(repos) == set(syncs) == set(expected)
    for ns, team in expected.items():
        repo, sync = repos[ns]["inputs"], syncs[ns]["inputs"]
        assert repo["metadata"]["name"] == sync["metadata"]["name"] == SOURCE
        assert repo["spec"]["url"] == team.source.url
        assert repo["spec"]["ref"] == {"branch": team.source.revision}
        spec = sync["spec"]
        assert spec["path"] == team.source.path and spec["prune"] is True
        assert spec["targetNamespace"] == ns
        # Its own namespace's source only (no `namespace` in the reference) ...
        assert spec["sourceRef"] == {"kind": "GitRepository", "name": SOURCE}
        # ... applied as a ServiceAccount of that namespace, which the plan creates.
        assert spec["serviceAccountName"] == RECONCILER
        assert accounts[ns]["inputs"]["metadata"]["name"] == RECONCILER
        assert repos[ns]["urn"] in syncs[ns]["dependencies"]
        # The custom resources are what the pinned Flux CRDs accept, strictly.
        assert validate_cr(repo) == [] and validate_cr(sync) == []


def test_the_crd_check_refuses_a_cross_namespace_typo() -> None:
    sync = states(plan("dev-blue"), SYNC)[0]["inputs"]
    bad = copy.deepcopy(sync)
    bad["spec"]["sourceRef"]["kind"] = "GitRepo"
    bad["spec"]["targetNamespaces"] = ["payments"]
    errors = validate_cr(bad)
    assert any(e.startswith("spec.sourceRef.kind:") for e in errors), errors
    assert any("targetNamespaces" in e for e in errors), errors


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_both_colours_sync_the_same_sources(env: str) -> None:
    def specs(stack: str) -> dict[str, Any]:
        doc = plan(stack)
        return {(t, ns): s["inputs"] for t in (GIT, SYNC) for ns, s in by_namespace(doc, t).items()}

    blue, green = specs(f"{env}-blue"), specs(f"{env}-green")
    assert blue and blue == green


# -- the scope, by Kubernetes RBAC -----------------------------------------------------------


@pytest.fixture(scope="module")
def rbac() -> Rbac:
    return Rbac.from_plan(plan("dev-blue"))


def reconciler(ns: str) -> User:
    return User.service_account(ns, RECONCILER)


@pytest.mark.parametrize("team", ["payments", "search"])
def test_a_teams_scope_writes_only_functions_in_its_namespace(rbac: Rbac, team: str) -> None:
    who = reconciler(team)
    written = {(g, r) for g, r, v in rbac.grants(who, team) if v in WRITES}
    assert written == FUNCTION_KINDS
    assert not any("*" in triple for triple in rbac.grants(who, team))
    for group, resource in FUNCTION_KINDS:
        assert rbac.allowed(who, "create", group, resource, team)
    for group, resource in [
        ("rbac.authorization.k8s.io", "roles"),
        ("rbac.authorization.k8s.io", "rolebindings"),
        ("", "pods"),
        ("apps", "deployments"),
        ("", "serviceaccounts"),
        ("", "resourcequotas"),
        ("networking.k8s.io", "networkpolicies"),
        ("source.toolkit.fluxcd.io", "gitrepositories"),
        ("kustomize.toolkit.fluxcd.io", "kustomizations"),
        ("serving.knative.dev", "routes"),
    ]:
        assert not rbac.allowed(who, "create", group, resource, team), resource


@pytest.mark.parametrize("team", ["payments", "search"])
def test_a_teams_scope_cannot_write_outside_its_namespace(rbac: Rbac, team: str) -> None:
    who = reconciler(team)
    others = ["payments", "search", "default", "kube-system", c.FLUX_NAMESPACE]
    others += [c.KNATIVE_SERVING_NAMESPACE, naming.SMOKE_NAMESPACE]
    for ns in (o for o in others if o != team):
        assert rbac.rules_for(who, ns) == [], ns
        for group, resource in FUNCTION_KINDS:
            for verb in (*WRITES, "get"):
                assert not rbac.allowed(who, verb, group, resource, ns), (ns, resource, verb)


@pytest.mark.parametrize("team", ["payments", "search"])
def test_a_teams_scope_cannot_create_cluster_scoped_objects(rbac: Rbac, team: str) -> None:
    who = reconciler(team)
    assert rbac.rules_for(who, None) == []
    for group, resource in sorted(CLUSTER_SCOPED):
        for verb in WRITES:
            assert not rbac.allowed(who, verb, group, resource, team), (resource, verb)


def test_a_role_cannot_grant_cluster_scoped_writes_even_when_it_says_everything(
    rbac: Rbac,
) -> None:
    """The model keeps the rule the API server keeps: whatever a Role lists, its RoleBinding
    reaches only its namespace. Only a ClusterRoleBinding reaches cluster-scoped objects."""
    model = copy.deepcopy(rbac)
    everything = [Rule(("*",), ("*",), ("*",))]
    model.roles[("payments", "everything")] = everything
    subject = {"kind": "ServiceAccount", "name": RECONCILER, "namespace": "payments"}
    model.bindings.append(Binding("payments", "Role", "everything", [subject]))
    who = reconciler("payments")
    assert model.allowed(who, "create", "apps", "deployments", "payments")
    assert not model.allowed(who, "create", "apps", "deployments", "search")
    for group, resource in CLUSTER_SCOPED:
        assert not model.allowed(who, "create", group, resource, "payments"), resource
    # A ClusterRoleBinding is the only way there, and the model sees it.
    model.cluster_roles["everything"] = everything
    model.bindings.append(Binding(None, "ClusterRole", "everything", [subject]))
    assert model.allowed(who, "create", "", "namespaces", None)


def test_the_default_service_account_flux_falls_back_to_is_bound_to_nothing(rbac: Rbac) -> None:
    for ns in ("payments", "search"):
        assert rbac.rules_for(User.service_account(ns, "default"), ns) == []
    groups = {"system:serviceaccounts", "system:authenticated"}
    for b in rbac.bindings:
        assert not any(s.get("kind") == "Group" and s.get("name") in groups for s in b.subjects)


@pytest.mark.parametrize("team", ["payments", "search"])
def test_team_members_cannot_repoint_their_source(rbac: Rbac, team: str) -> None:
    member = User.member_of(f"faas-team-{team}")
    assert rbac.allowed(member, "create", "serving.knative.dev", "services", team)  # experiments
    for group, resource in [
        ("source.toolkit.fluxcd.io", "gitrepositories"),
        ("kustomize.toolkit.fluxcd.io", "kustomizations"),
        ("", "serviceaccounts"),
        ("rbac.authorization.k8s.io", "rolebindings"),
    ]:
        for verb in WRITES:
            assert not rbac.allowed(member, verb, group, resource, team), (resource, verb)


# -- config ----------------------------------------------------------------------------------


def test_revision_maps_onto_the_git_ref() -> None:
    def ref(revision: str) -> dict[str, str]:
        return SourceConfig("https://g.example/x.git", ".", revision, "").git_ref()

    assert ref("main") == {"branch": "main"}
    assert ref("release/2026-11") == {"branch": "release/2026-11"}
    assert ref("refs/tags/v1.4.0") == {"name": "refs/tags/v1.4.0"}
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert ref(sha) == {"commit": sha}


def load_problems(stack: str, raw: dict[str, Any], sibling: dict[str, Any] | None = None) -> list:
    with pytest.raises(ConfigError) as err:
        config.load(stack, raw, sibling)
    return err.value.problems


def test_bad_sources_are_named() -> None:
    raw = copy.deepcopy(read_stack_file("dev-blue"))
    t0, t1 = raw["faas:serving"]["teams"]
    t0["source"] = {"url": "https://me:token@github.com/x/y.git", "path": "/etc", "tag": "v1"}
    t1["source"] = {"url": "git@github.com:x/y.git", "path": "a/../b", "revision": "a..b"}
    t1["source"]["secretName"] = "Not_A_Name"
    assert load_problems("dev-blue", raw) == [
        "faas:serving.teams[0].source.tag: unknown key (known keys: path, revision, secretName, "
        "url)",
        "faas:serving.teams[0].source.url: holds credentials; put them in a Secret in the team's "
        "namespace and name it in secretName",
        "faas:serving.teams[0].source.path: '/etc' is not a relative path inside the repository",
        "faas:serving.teams[1].source.url: 'git@github.com:x/y.git' is not an https:// or ssh:// "
        "repository URL",
        "faas:serving.teams[1].source.path: 'a/../b' is not a relative path inside the repository",
        "faas:serving.teams[1].source.revision: 'a..b' is not a branch, ref or commit",
        "faas:serving.teams[1].source.secretName: 'Not_A_Name' is not a Kubernetes object name",
    ]


def test_colours_with_different_sources_are_refused() -> None:
    blue, green = read_stack_file("dev-blue"), copy.deepcopy(read_stack_file("dev-green"))
    green["faas:serving"]["teams"][0]["source"]["revision"] = "experiment"
    assert load_problems("dev-blue", copy.deepcopy(blue), green) == [
        "faas:serving.teams[0].source: differs from the other colour's source for team "
        "'payments'; both colours must sync the same repository, path and revision, or a "
        "cutover changes functions"
    ]
    del green["faas:serving"]["teams"][1]
    found = load_problems("dev-blue", copy.deepcopy(blue), green)
    assert found[1] == (
        "faas:serving.teams[1].source: team 'search' syncs functions here but is not on the other "
        "colour; add it to both colours' stack files"
    )
    # the shipped pair agrees
    assert config.load("dev-blue", copy.deepcopy(blue), read_stack_file("dev-green"))


def test_a_team_without_a_source_gets_no_sync(tmp_path: Path) -> None:
    for stack in ("dev-blue", "dev-green"):
        raw = copy.deepcopy(read_stack_file(stack))
        del raw["faas:serving"]["teams"][1]["source"]
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": raw}))
    doc = run_plan("dev-blue", tmp_path)
    assert set(by_namespace(doc, GIT)) == set(by_namespace(doc, SYNC)) == {"payments"}
    assert "search" not in by_namespace(doc, "kubernetes:core/v1:ServiceAccount", RECONCILER)
    assert [r["inputs"]["chart"] for r in states(doc, RELEASE)].count("flux2") == 1
