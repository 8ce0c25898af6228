"""Dependency graph and critical path, pinned on small graphs whose answer is known by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from faas.report.graph import build_graph, critical_path, format_path
from faas.report.timings import timing

FIXTURES = Path(__file__).parent / "fixtures" / "report"
P = "urn:pulumi:t::p::"


def step(
    name: str,
    rtype: str,
    parent: str | None = None,
    deps: tuple[str, ...] = (),
    prop_deps: dict[str, list[str]] | None = None,
    provider: str | None = None,
    custom: bool = True,
    inputs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "type": rtype,
        "custom": custom,
        "inputs": inputs or {},
        "dependencies": [P + d for d in deps],
        "propertyDependencies": {k: [P + d for d in v] for k, v in (prop_deps or {}).items()},
    }
    if parent:
        state["parent"] = P + parent
    out = {"op": "create", "urn": P + name, "newState": state}
    if provider:
        out["provider"] = P + provider + "::some-id"
    return out


def doc(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"stack": "t", "config": {}, "steps": list(steps)}


VPC, EKS, NG, SG = (
    "aws:ec2/vpc:Vpc",
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:ec2/securityGroup:SecurityGroup",
)


def names(path) -> list[str]:
    return [s.name for s in path.steps]


def test_fixture_path_runs_through_control_plane_and_node_group() -> None:
    path = critical_path(build_graph(json.loads((FIXTURES / "small-blue.json").read_text())))
    # vpc 5 + subnet 10 + cluster 600 + node group 120 + istiod 60 (helm waits on both groups);
    # both node groups finish at 735 s, the tie goes to the lexically first URN ("functions").
    assert names(path) == ["vpc", "subnet-a", "cluster", "functions", "istiod"]
    assert path.total == 795
    assert path.serial_sum == 1364
    assert path.untimed_types == ("aws:dynamodb/table:Table",)
    assert [(s.start, s.finish) for s in path.steps][2] == (15, 615)


def test_longest_branch_of_a_diamond_wins() -> None:
    g = build_graph(
        doc(
            step("vpc", VPC),
            step("sg", SG, deps=("vpc",)),
            step("eks", EKS, prop_deps={"vpcConfig": ["vpc"]}),
            step("ng", NG, deps=("sg", "eks")),
        )
    )
    path = critical_path(g)
    assert names(path) == ["vpc", "eks", "ng"]
    assert path.total == 5 + 600 + 120
    assert path.serial_sum == 5 + 5 + 600 + 120


def test_property_dependencies_alone_create_edges() -> None:
    g = build_graph(doc(step("vpc", VPC), step("eks", EKS, prop_deps={"vpcConfig": ["vpc"]})))
    assert g.graph.has_edge(P + "vpc", P + "eks")


def test_provider_reference_is_a_dependency() -> None:
    g = build_graph(
        doc(
            step("eks", EKS),
            step("k8s", "pulumi:providers:kubernetes", prop_deps={"kubeconfig": ["eks"]}),
            step("ns", "kubernetes:core/v1:Namespace", provider="k8s"),
        )
    )
    assert names(critical_path(g)) == ["eks", "k8s", "ns"]


def test_depending_on_a_component_waits_for_all_its_children() -> None:
    g = build_graph(
        doc(
            step("cluster", "faas:cluster:Cluster", custom=False),
            step("eks", EKS, parent="cluster"),
            step("ng", NG, parent="cluster", deps=("eks",)),
            step("istio", "kubernetes:helm.sh/v3:Release", deps=("cluster",)),
        )
    )
    assert g.graph.has_edge(P + "ng", P + "istio")
    path = critical_path(g)
    assert names(path) == ["eks", "ng", "istio"]
    assert path.total == 600 + 120 + 90


def test_children_inherit_the_wait_of_their_parent_component() -> None:
    g = build_graph(
        doc(
            step("vpc", VPC),
            step("edge", "faas:edge:Edge", custom=False, deps=("vpc",)),
            step("sg", SG, parent="edge"),
        )
    )
    assert names(critical_path(g)) == ["vpc", "sg"]


def test_a_child_depending_on_its_own_parent_is_not_a_cycle() -> None:
    g = build_graph(
        doc(
            step("comp", "faas:x:X", custom=False),
            step("a", VPC, parent="comp"),
            step("b", SG, parent="comp", deps=("comp", "a")),
        )
    )
    assert names(critical_path(g)) == ["a", "b"]


def test_a_cycle_is_reported_with_its_members() -> None:
    with pytest.raises(ValueError, match="cycle"):
        build_graph(doc(step("a", VPC, deps=("b",)), step("b", SG, deps=("a",))))


def test_dependencies_outside_the_plan_are_ignored() -> None:
    g = build_graph(doc(step("a", VPC, deps=("not-in-plan",))))
    assert critical_path(g).total == 5


def test_format_path_elides_the_middle_of_long_paths() -> None:
    chain = [step("s0", SG)] + [step(f"s{i}", SG, deps=(f"s{i - 1}",)) for i in range(1, 12)]
    text = format_path(critical_path(build_graph(doc(*chain))), limit=4)
    assert text.startswith("s0 (5s) -> s1 (5s) -> ... 8 more ...")
    assert text.endswith("s11 (5s)")


def test_empty_plan_has_an_empty_path() -> None:
    path = critical_path(build_graph(doc()))
    assert path.steps == () and path.total == 0


def test_helm_release_timing_follows_its_chart() -> None:
    release = "kubernetes:helm.sh/v3:Release"
    assert timing(release, True, {"chart": "knative-operator"}).seconds == 120
    assert timing(release, True, {"chart": "base"}).seconds == 20
    assert timing(release, True, {"chart": "something-else"}).seconds == 90
    assert timing("faas:serving:Istio", False).seconds == 0
    assert timing("aws:brand/new:Thing").source.startswith("not timed")
