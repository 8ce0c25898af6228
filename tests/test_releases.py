"""Per-colour releases: the catalogue, `faas:release`, one colour upgraded alone, the skew."""

from __future__ import annotations

import copy
import dataclasses
import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml

from components import config, versions
from components.config import ConfigError
from components.config.stackfile import DEFAULT_DIR as STACKS_DIR
from components.config.stackfile import read_stack_file
from faas.cli import main as faas_main
from faas.plan import run_plan
from faas.report import diff_documents
from faas.report.skew import skew_lines
from tests.support.plans import document as plan  # compared with run_plan: the same form

NEXT = "2026-12"


def problems(stack: str, cfg: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        config.load(stack, cfg)
    return err.value.problems


def faas(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = faas_main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def green_upgraded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped stacks with only dev-green pointed at the next release."""
    folder = tmp_path_factory.mktemp("stacks")
    for f in STACKS_DIR.glob("Pulumi.*.yaml"):
        shutil.copy(f, folder / f.name)
    green = folder / "Pulumi.dev-green.yaml"
    data = yaml.safe_load(green.read_text())
    assert data["config"]["faas:release"] != NEXT
    data["config"]["faas:release"] = NEXT
    green.write_text(yaml.safe_dump(data))
    return folder


# -- the catalogue ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(versions.RELEASES))
def test_every_release_in_the_catalogue_is_consistent(name: str) -> None:
    release = versions.RELEASES[name]
    assert release.name == name
    assert versions.release_problems(release) == []


def test_shipped_colours_name_a_release_and_no_kubernetes_version() -> None:
    for stack in ("dev-blue", "dev-green", "prod-blue", "prod-green"):
        raw = read_stack_file(stack)
        assert raw["faas:release"] in versions.RELEASES
        assert "kubernetesVersion" not in (raw.get("faas:cluster") or {})


def _broken(**changes: Any) -> versions.Release:
    return dataclasses.replace(versions.RELEASES["2026-11"], **changes)


def test_inconsistent_releases_are_named() -> None:
    base = versions.RELEASES["2026-11"]
    old_proxy = {**base.addons, "kube-proxy": "v1.33.5-eksbuild.2"}
    assert versions.release_problems(_broken(addons=old_proxy)) == [
        "add-on kube-proxy v1.33.5-eksbuild.2 is built for Kubernetes 1.33, not 1.34"
    ]
    no_cni = {k: v for k, v in base.addons.items() if k != "vpc-cni"}
    assert versions.release_problems(_broken(addons=no_cni)) == [
        "no version for the add-on(s) vpc-cni"
    ]
    mixed = {**base.charts, "istiod": {**base.charts["istiod"], "version": "1.31.0"}}
    (istio,) = versions.release_problems(_broken(charts=mixed))
    assert istio.startswith("istio charts are released together but pin istio-base 1.30.1")
    no_flux = {k: v for k, v in base.charts.items() if k != "flux2"}
    assert versions.release_problems(_broken(charts=no_flux)) == ["no chart pin for flux2"]
    assert versions.release_problems(_broken(knative="1.24")) == [
        "Knative 1.24 is newer than the knative-operator chart v1.23.0 that installs it"
    ]
    assert versions.release_problems(_broken(kubernetes="1.30", addons={})) == [
        "Kubernetes '1.30' is not a supported minor (1.33, 1.34, 1.35)",
        "no version for the add-on(s) " + ", ".join(versions.REQUIRED_ADDONS),
    ]


# -- faas:release ----------------------------------------------------------------------------


def test_unknown_release_is_refused_with_its_key() -> None:
    cfg = copy.deepcopy(read_stack_file("dev-green"))
    cfg["faas:release"] = "2027-13"
    assert problems("dev-green", cfg) == [
        "faas:release: '2027-13' is not a release in components/versions.py "
        f"(known: {', '.join(sorted(versions.RELEASES))})"
    ]
    del cfg["faas:release"]
    assert problems("dev-green", cfg) == ["faas:release: is required"]


def test_kubernetes_version_key_points_at_the_release() -> None:
    cfg = copy.deepcopy(read_stack_file("dev-green"))
    cfg["faas:cluster"]["kubernetesVersion"] = "1.34"
    (problem,) = problems("dev-green", cfg)
    assert problem.startswith("faas:cluster.kubernetesVersion: the Kubernetes version comes from")
    assert "faas:release" in problem


def test_inconsistent_release_exits_2_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base = versions.RELEASES["2026-11"]
    bad = _broken(name="2026-bad", addons={**base.addons, "kube-proxy": "v1.35.3-eksbuild.2"})
    monkeypatch.setitem(versions.RELEASES, "2026-bad", bad)
    for f in STACKS_DIR.glob("Pulumi.dev*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    green = tmp_path / "Pulumi.dev-green.yaml"
    green.write_text(green.read_text().replace('faas:release: "2026-11"', "faas:release: 2026-bad"))
    code, out, err = faas("plan", "dev-green", "--stacks-dir", str(tmp_path), "--out", "-")
    assert code == 2 and out == ""
    assert (
        "faas:release: release 2026-bad is inconsistent: add-on kube-proxy v1.35.3-eksbuild.2 "
        "is built for Kubernetes 1.35, not 1.34"
    ) in err
    assert "Traceback" not in err


def test_unknown_release_exits_2(tmp_path: Path) -> None:
    for f in STACKS_DIR.glob("Pulumi.dev*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    green = tmp_path / "Pulumi.dev-green.yaml"
    text = green.read_text().replace('faas:release: "2026-11"', 'faas:release: "2099-01"')
    green.write_text(text)
    code, _, err = faas("plan", "dev-green", "--stacks-dir", str(tmp_path), "--out", "-")
    assert code == 2
    assert "faas:release: '2099-01' is not a release in components/versions.py" in err


# -- one colour at a time --------------------------------------------------------------------


def test_changing_green_release_changes_no_resource_of_blue(green_upgraded: Path) -> None:
    blue = run_plan("dev-blue", green_upgraded)
    diff = diff_documents(plan("dev-blue"), blue)
    assert diff.empty and diff.unchanged == len(blue["steps"])
    assert blue["outputs"]["release"] == "2026-11"


def test_changing_green_release_changes_only_its_versions(green_upgraded: Path) -> None:
    green = run_plan("dev-green", green_upgraded)
    diff = diff_documents(plan("dev-green"), green)
    assert not diff.added and not diff.removed
    changed = {c.name: {ch.path: (ch.old, ch.new) for ch in c.changes} for c in diff.changed}
    assert changed["faas-dev-green"] == {"version": ("1.34", "1.35")}
    addons = versions.RELEASES[NEXT].addons
    for addon, version in addons.items():
        old = versions.RELEASES["2026-11"].addons[addon]
        assert changed[f"faas-dev-green-{addon}"] == {"addonVersion": (old, version)}
    assert len(changed) == 1 + len(addons)
    assert green["outputs"]["release"] == NEXT
    assert green["outputs"]["release_versions"]["kubernetes"] == "1.35"


def test_environment_plan_reports_the_skew(green_upgraded: Path) -> None:
    env = run_plan("dev", green_upgraded)
    assert env["outputs"]["colour_releases"]["blue"]["release"] == "2026-11"
    assert env["outputs"]["colour_releases"]["green"]["release"] == NEXT
    pieces = {d["piece"]: (d["blue"], d["green"]) for d in env["outputs"]["release_skew"]}
    assert pieces["kubernetes"] == ("1.34", "1.35")
    assert pieces["addons.kube-proxy"] == ("v1.34.1-eksbuild.2", "v1.35.3-eksbuild.2")
    assert not any(p.startswith("charts.") for p in pieces)  # both releases share the charts
    lines = skew_lines(env)
    assert lines[0].startswith(
        "releases: blue 2026-11 (Kubernetes 1.34), green 2026-12 (Kubernetes 1.35); skew in"
    )
    assert "  kubernetes: blue 1.34, green 1.35" in lines
    # the faas plan text shows the same lines for the environment stack
    code, out, _ = faas("plan", "dev", "--stacks-dir", str(green_upgraded), "--out", "-")
    assert code == 0 and "  releases: blue 2026-11 (Kubernetes 1.34), green 2026-12" in out


def test_shipped_environment_has_no_skew() -> None:
    env = plan("dev")
    assert env["outputs"]["release_skew"] == []
    assert skew_lines(env) == [
        "releases: blue 2026-11 (Kubernetes 1.34), green 2026-11 (Kubernetes 1.34); no skew"
    ]
    assert skew_lines(plan("dev-blue")) == []
