"""`faas ci`: which stacks a merge applies, and the guard that keeps release changes off the colour
that takes traffic. Changes are real commits in a scratch git repository; traffic is read from the
moto server's Route 53 as the cutover leaves it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from components.naming import cutover_state_name
from faas.ci.changes import changed_stacks
from faas.ci.guard import ReleaseChange, Traffic, decide, read_traffic, release_change
from faas.ops.cutover.aws import Aws
from faas.ops.cutover.clock import FakeClock
from faas.ops.cutover.lock import outcome_value
from tests.support.cutover_world import ZONE, World, build_world
from tests.support.moto_server import MotoServer, moto_fixtures
from tests.support.scratch_repo import commit, edit, make_repo

ROOT = Path(__file__).resolve().parent.parent
moto_process, moto = moto_fixtures()
ALL = ["dev", "dev-blue", "dev-green", "dev", "prod", "prod-blue", "prod-green", "prod"]
CLUSTERS = ["dev-blue", "dev-green", "prod-blue", "prod-green"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def applied(repo: Path) -> list[str]:
    return changed_stacks(repo, "HEAD~1").apply_order()


# -- which stacks a merge applies ------------------------------------------------------------


def test_a_change_to_dev_greens_file_applies_only_dev_green(repo: Path) -> None:
    edit(repo, "stacks/Pulumi.dev-green.yaml", "desiredSize: 2\n", "desiredSize: 3\n")
    commit(repo, "more green nodes")
    sel = changed_stacks(repo, "HEAD~1")
    assert sel.apply_order() == ["dev-green"]
    assert sel.stacks == {"dev-green": ["stacks/Pulumi.dev-green.yaml"]}


def test_the_upgrade_flow_touches_one_colour_at_a_time(repo: Path) -> None:
    # 1. add a release nobody runs yet: nothing to apply
    edit(repo, "components/versions.py", 'RELEASES: dict[str, Release] = {', (
        'RELEASES: dict[str, Release] = {\n    "2027-01": Release(name="2027-01", '
        'kubernetes="1.35", addons=ADDONS_1_35, charts=CHARTS_2026_11, knative="1.23"),'
    ))  # fmt: skip
    commit(repo, "add release 2027-01")
    assert applied(repo) == []
    # 2. point the idle colour at it: only that colour
    edit(repo, "stacks/Pulumi.dev-green.yaml", 'faas:release: "2026-11"', 'faas:release: "2027-01"')
    commit(repo, "dev-green runs 2027-01")
    assert applied(repo) == ["dev-green"]


def test_a_changed_release_entry_applies_the_stacks_that_run_it(repo: Path) -> None:
    edit(
        repo, "stacks/Pulumi.prod-green.yaml", 'faas:release: "2026-11"', 'faas:release: "2026-12"'
    )
    commit(repo, "prod-green on 2026-12")
    edit(repo, "components/versions.py", '"vpc-cni": "v1.20.4-eksbuild.2"', '"vpc-cni": "v1.20.5"')
    commit(repo, "patch vpc-cni of 1.34")
    sel = changed_stacks(repo, "HEAD~1")
    assert sel.apply_order() == ["dev-blue", "dev-green", "prod-blue"]
    assert sel.stacks["dev-blue"] == ["components/versions.py: release 2026-11 changed"]


def test_catalogue_changes_outside_releases_apply_every_cluster_stack(repo: Path) -> None:
    edit(repo, "components/versions.py", 'NODE_AMI_TYPE = "AL2023_x86_64_STANDARD"',
         'NODE_AMI_TYPE = "AL2023_ARM_64_STANDARD"')  # fmt: skip
    commit(repo, "arm nodes")
    assert applied(repo) == CLUSTERS


def test_program_changes_apply_every_stack_in_deploy_order(repo: Path) -> None:
    (repo / "components" / "serving" / "knative.py").write_text("# the program, changed\n")
    commit(repo, "program")
    assert applied(repo) == ALL


def test_docs_change_nothing_and_deleted_stacks_are_reported_not_applied(repo: Path) -> None:
    (repo / "README.md").write_text("# readme, better\n")
    (repo / "stacks" / "Pulumi.prod-green.yaml").unlink()
    commit(repo, "docs, and prod-green goes")
    sel = changed_stacks(repo, "HEAD~1")
    assert sel.apply_order() == [] and sel.removed == ["prod-green"]


def test_changed_stacks_command_end_to_end(repo: Path) -> None:
    edit(repo, "stacks/Pulumi.dev-green.yaml", "desiredSize: 2\n", "desiredSize: 3\n")
    edit(repo, "stacks/Pulumi.dev.yaml", "blue: 100", "blue: 90")
    commit(repo, "green and env")
    cmd = [sys.executable, "-m", "faas.cli", "ci", "--repo", str(repo), "changed-stacks",
           "--base", "HEAD~1", "--env", "dev"]  # fmt: skip
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["dev", "dev-green", "dev"]
    bad = subprocess.run([*cmd[:-4], "--base", "nosuchref"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 2 and "ci: git diff" in bad.stderr and "Traceback" not in bad.stderr


# -- the guard -------------------------------------------------------------------------------


def test_release_change_is_about_versions_not_names(repo: Path) -> None:
    edit(repo, "stacks/Pulumi.dev-green.yaml", 'faas:release: "2026-11"', 'faas:release: "2026-12"')
    edit(repo, "stacks/Pulumi.dev-blue.yaml", "desiredSize: 2\n", "desiredSize: 3\n")
    commit(repo, "green upgrade, blue nodes")
    assert release_change(repo, "dev-green", "HEAD~1") == ReleaseChange(
        "dev-green", "2026-11", "2026-12", differs=True
    )
    assert not release_change(repo, "dev-blue", "HEAD~1").differs
    assert not release_change(repo, "dev", "HEAD~1").differs


def test_decide() -> None:
    change = ReleaseChange("dev-green", "2026-11", "2026-12", differs=True)
    blue, green = Traffic(frozenset({"blue"}), "w"), Traffic(frozenset({"green"}), "w")
    assert decide(change, blue).allowed
    refused = decide(change, green)
    assert not refused.allowed
    assert refused.message.startswith(
        "dev-green: release 2026-11 -> 2026-12 refused: green takes traffic (w)"
    )
    assert "faas cutover --env dev --to blue" in refused.message
    forced = decide(change, green, override="green is broken, no traffic in fact")
    assert forced.allowed and "ACTIVE colour, overridden: green is broken" in forced.message
    same = ReleaseChange("dev-green", "2026-11", "2026-11", differs=False)
    assert decide(same, green).allowed
    running = Traffic(frozenset({"blue"}), "w", cutover_running=True)
    assert not decide(change, running).allowed


def set_outcome(world: World, active: str) -> None:
    value = outcome_value(active, "completed", "ops@example", 1_800_000_000, "blue")
    rr = {"Name": cutover_state_name(ZONE) + ".", "Type": "TXT", "TTL": 60,
          "ResourceRecords": [{"Value": value}]}  # fmt: skip
    boto3.client("route53").change_resource_record_sets(
        HostedZoneId=world.zone_id,
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": rr}]},
    )


def test_traffic_is_read_from_the_weights_and_the_outcome_record(moto: MotoServer) -> None:
    world = build_world(active="blue")
    aws = Aws(FakeClock(), "us-east-1")
    assert read_traffic(ZONE, None, aws).active == {"blue"}
    world.set_weights({"blue": 50, "green": 50})
    assert read_traffic(ZONE, None, aws).active == {"blue", "green"}
    world.set_weights({"blue": 0, "green": 100})
    set_outcome(world, "blue")  # the record and the weights disagree: both count as active
    traffic = read_traffic(ZONE, None, aws)
    assert traffic.active == {"blue", "green"} and "last cutover: blue" in traffic.source


def test_guard_command_refuses_a_release_change_to_the_active_colour(
    moto: MotoServer, repo: Path
) -> None:
    build_world(active="green")
    edit(repo, "stacks/Pulumi.dev-green.yaml", 'faas:release: "2026-11"', 'faas:release: "2026-12"')
    commit(repo, "green upgrade")
    cmd = [sys.executable, "-m", "faas.cli", "ci", "--repo", str(repo), "guard",
           "--stack", "dev-green", "--base", "HEAD~1", "--region", "us-east-1"]  # fmt: skip
    res = subprocess.run(cmd, cwd=ROOT, env=moto.env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 1, res.stdout + res.stderr
    assert res.stdout.startswith("REFUSED: dev-green: release 2026-11 -> 2026-12 refused: green")
    forced = subprocess.run([*cmd, "--override", "incident 42: green drained"], cwd=ROOT,
                            env=moto.env(), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert forced.returncode == 0 and "overridden: incident 42" in forced.stdout
    blue_only = subprocess.run([*cmd, "--active", "blue"], cwd=ROOT, capture_output=True,
                               text=True, timeout=60)  # fmt: skip
    assert blue_only.returncode == 0 and "on the idle colour" in blue_only.stdout
