"""What every shipped stack renders, checked against the upstream contracts of the pinned versions.

The contracts live in contracts/ (docs/contracts.md); the checks in faas.contracts. Each check has
a test below that proves it can fail (tests/test_contracts_checks.py holds the rest).
"""

from __future__ import annotations

from typing import Any

import pytest

from components import versions
from faas.contracts import (
    eks_addon_evidence,
    missing_contracts,
    schema_errors,
    unpublished_pins,
    unread_value_paths,
    validate_cr,
    validate_k8s,
)
from faas.contracts.k8s import is_core
from tests.support.plans import name_of, plan, states

STACKS = ("dev-blue", "dev-green", "prod-blue", "prod-green")
RELEASE = "kubernetes:helm.sh/v3:Release"


def minor_of(doc: dict[str, Any]) -> str:
    return versions.RELEASES[doc["config"]["faas:release"]].kubernetes


def source_of(inputs: dict[str, Any]) -> tuple[str, str]:
    """(repository, chart) of a release: an OCI chart is named `oci://<repository>/<chart>` and
    has no repository options."""
    chart = inputs["chart"]
    if chart.startswith("oci://"):
        repo, _, name = chart.rpartition("/")
        return repo, name
    return inputs["repositoryOpts"]["repo"], chart


def pin_of(release: dict[str, Any]) -> str:
    """The chart key a Helm release installs (chart, repository and version must all match one
    pin of the catalogue)."""
    inputs = release["inputs"]
    for key, pin in versions.all_chart_pins():
        if pin["version"] != inputs["version"]:
            continue
        if (pin["repo"], pin["chart"]) == source_of(inputs):
            assert inputs["version"] == pin["version"], f"{name_of(release['urn'])} is not pinned"
            return key
    raise AssertionError(f"{name_of(release['urn'])}: chart {inputs['chart']} is not pinned")


def kubernetes_objects(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        s["newState"]
        for s in doc["steps"]
        if s["newState"]["type"].startswith("kubernetes:") and s["newState"]["type"] != RELEASE
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_every_helm_value_path_is_read_by_the_pinned_chart(stack: str) -> None:
    releases = states(plan(stack), RELEASE)
    assert releases, "the serving stack installs its charts as helm.v3 Releases"
    unread = [
        f"{name_of(r['urn'])} ({pin_of(r)} {r['inputs']['version']}): {path}"
        for r in releases
        for path in unread_value_paths(pin_of(r), r["inputs"]["version"], r["inputs"]["values"])
    ]
    assert unread == []


@pytest.mark.parametrize("stack", STACKS)
def test_helm_values_pass_the_charts_values_schema(stack: str) -> None:
    refused = [
        f"{name_of(r['urn'])}: {error}"
        for r in states(plan(stack), RELEASE)
        for error in schema_errors(pin_of(r), r["inputs"]["version"], r["inputs"]["values"])
    ]
    assert refused == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_custom_resource_validates_strictly_against_its_crd(stack: str) -> None:
    doc = plan(stack)
    custom = [o for o in kubernetes_objects(doc) if not is_core(o["inputs"], minor_of(doc))]
    assert {o["inputs"]["kind"] for o in custom} >= {"KnativeServing", "Gateway", "Telemetry"}
    errors = [
        f"{o['type']} {name_of(o['urn'])}: {e}" for o in custom for e in validate_cr(o["inputs"])
    ]
    assert errors == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_core_object_validates_against_the_clusters_kubernetes_schema(stack: str) -> None:
    doc = plan(stack)
    minor = minor_of(doc)
    assert minor in versions.SUPPORTED_KUBERNETES_VERSIONS
    core = [o for o in kubernetes_objects(doc) if is_core(o["inputs"], minor)]
    assert {o["inputs"]["kind"] for o in core} >= {"Namespace", "ResourceQuota", "NetworkPolicy"}
    errors = [
        f"{o['type']} {name_of(o['urn'])}: {e}"
        for o in core
        for e in validate_k8s(o["inputs"], minor)
    ]
    assert errors == []


def test_every_pin_has_stored_contracts() -> None:
    assert missing_contracts() == []


def test_every_pinned_chart_and_operator_version_is_published() -> None:
    assert unpublished_pins() == []


def test_every_pinned_eks_addon_version_has_public_evidence() -> None:
    assert eks_addon_evidence() == []
