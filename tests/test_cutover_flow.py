"""Cutover scenarios against a real moto server process, with local HTTPS probe servers.

Time is virtual (FakeClock): the tests use soak 0, moto reports INSYNC at once, and any sleep the
code asks for is recorded instead of slept, so the suite never sleeps for real.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from components.naming import cutover_lock_name, cutover_state_name, env_entry_names
from faas.ops.cutover.clock import FakeClock
from tests.support.cutover_world import BASE, ZONE, World, run_cutover, world_fixtures
from tests.support.https_probe import ProbeServer, https_probe_server, self_signed
from tests.support.moto_server import moto_fixtures

moto_process, moto = moto_fixtures(reset=False)
worlds, world, fresh_world = world_fixtures()

DMZ, INTERNAL = (n + "." for n in (env_entry_names(BASE)["dmz"], env_entry_names(BASE)["internal"]))
START = {DMZ: {"blue": 100, "green": 0}, INTERNAL: {"blue": 100, "green": 0}}
DONE = {DMZ: {"blue": 0, "green": 100}, INTERNAL: {"blue": 0, "green": 100}}


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[ProbeServer]:
    with https_probe_server(tmp_path / "probe") as server:
        yield server


def run(
    probe: ProbeServer,
    tmp_path: Path,
    *extra: str,
    clock: FakeClock | None = None,
    listeners: list[Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    return run_cutover(probe, tmp_path / "report.json", *extra, clock=clock, listeners=listeners)


def lock_txt(world: World) -> list[str]:
    return world.txt(cutover_lock_name(ZONE))


def state_txt(world: World) -> str:
    return " ".join(world.txt(cutover_state_name(ZONE)))


def after(event: str, step: str, action: Any) -> Any:
    """A progress listener that runs `action` once, when `event` happens for `step`."""
    done = []

    def listener(name: str, fields: dict[str, Any]) -> None:
        if name == event and fields.get("step") == step and not done:
            done.append(True)
            action()

    return listener


def test_happy_path(world: World, probe: ProbeServer, tmp_path: Path) -> None:
    clock = FakeClock()
    code, rep = run(probe, tmp_path, clock=clock)
    assert code == 0, rep["message"]
    assert rep["status"] == "completed"
    assert world.weights() == DONE
    assert lock_txt(world) == []
    assert '"active=green"' in state_txt(world) and '"result=completed"' in state_txt(world)
    assert [s["percent"] for s in rep["steps"]] == [10, 50, 100]
    assert all(s["ok"] and s["route53_calls"] == 2 for s in rep["steps"])  # change + GetChange
    # zone + records; lock CREATE + re-read; 3 steps x 2; outcome+unlock batch
    assert rep["route53_calls"] == {"discover": 2, "lock": 2, "step 1": 2, "step 2": 2,
                                    "step 3": 2, "unlock": 1}  # fmt: skip
    assert clock.sleeps == []  # soak 0 and INSYNC at once: nothing to wait for
    assert Path(tmp_path / "report.svg").read_text().startswith("<svg")
    assert probe.requests == 3 + 3 * 2 * 3  # preflight, then env + target per step; 3 in a row


def test_unhealthy_target_refused_before_dns(
    fresh_world: Callable[..., World], probe: ProbeServer, tmp_path: Path
) -> None:
    world = fresh_world(healthy=False)
    code, rep = run(probe, tmp_path)
    assert code == 2
    assert "no registered targets" in rep["message"]
    assert world.weights() == START
    assert lock_txt(world) == [] and state_txt(world) == ""
    assert "change_resource_record_sets" not in json.dumps(rep["route53_calls"])
    assert set(rep["route53_calls"]) == {"discover"}


def test_probe_fails_after_second_step_rolls_back(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    code, rep = run(probe, tmp_path, listeners=[after("change.insync", "step 2", probe.fail)])
    assert code == 1
    assert rep["status"] == "rolled-back"
    assert world.weights() == START
    assert [s["name"] for s in rep["steps"]] == ["step 1", "step 2", "rollback"]
    assert rep["steps"][1]["ok"] is False
    assert lock_txt(world) == []
    assert '"active=blue"' in state_txt(world) and '"result=rolled-back"' in state_txt(world)


def test_sigint_mid_shift_rolls_back(world: World, probe: ProbeServer, tmp_path: Path) -> None:
    # A real SIGINT to this process, delivered right after step 1 is in sync.
    sigint = after("change.insync", "step 1", lambda: os.kill(os.getpid(), signal.SIGINT))
    code, rep = run(probe, tmp_path, "--soak", "30", listeners=[sigint])
    assert code == 1
    assert "SIGINT" in rep["message"]
    assert world.weights() == START
    assert [s["name"] for s in rep["steps"]] == ["step 1", "rollback"]
    assert rep["soak_total_s"] == 0  # the soak was cut short, not slept
    assert lock_txt(world) == []


def _replace_green_certificate(world: World, how: str) -> str:
    """Point green's TLS listeners at a certificate that is wrong in the way `how` says."""
    acm, elb = boto3.client("acm"), boto3.client("elbv2")
    if how == "not-covering":
        cert, key = self_signed(["*.other.example.com"])
        arn = acm.import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]
    else:  # requested, never validated: moto keeps it PENDING_VALIDATION
        names = list(env_entry_names(BASE).values())
        arn = acm.request_certificate(
            DomainName=names[0], SubjectAlternativeNames=names, ValidationMethod="DNS"
        )["CertificateArn"]
    # Replace the listeners (moto's ModifyListener keeps the old certificate).
    for entry, lb in world.lbs["green"].items():
        for ls in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
            elb.delete_listener(ListenerArn=ls["ListenerArn"])
        elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="TLS",
            Port=443,
            Certificates=[{"CertificateArn": arn}],
            DefaultActions=[
                {"Type": "forward", "TargetGroupArn": world.target_groups["green"][entry]}
            ],
        )
    return arn.rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    ("how", "expect"),
    [("not-covering", "does not cover *.faas.dev.example.com."), ("pending", "PENDING_VALIDATION")],
)
def test_bad_target_certificate_refused_before_dns(
    fresh_world: Callable[..., World], probe: ProbeServer, tmp_path: Path, how: str, expect: str
) -> None:
    world = fresh_world()
    cert_id = _replace_green_certificate(world, how)
    code, rep = run(probe, tmp_path)
    assert code == 2 and rep["status"] == "refused"
    assert expect in rep["message"]
    failed = [c for c in rep["preflight"] if not c["ok"]]
    assert [c["check"] for c in failed] == [f"certificate {cert_id}"] * 2  # DMZ and internal NLB
    assert world.weights() == START
    assert lock_txt(world) == [] and state_txt(world) == ""


def test_missing_target_cluster_refused_with_every_problem(
    fresh_world: Callable[..., World], probe: ProbeServer, tmp_path: Path
) -> None:
    world = fresh_world(healthy=False)
    eks = boto3.client("eks")
    for group in ("system", "functions"):
        eks.delete_nodegroup(clusterName="faas-dev-green", nodegroupName=f"faas-dev-green-{group}")
    eks.delete_cluster(name="faas-dev-green")
    probe.fail()
    code, rep = run(probe, tmp_path)
    assert code == 2
    failed = {c["check"].split(" ")[0] for c in rep["preflight"] if not c["ok"]}
    # All three kinds of problem in one report, so the operator fixes them in one go.
    assert {"eks", "target", "probe"} <= failed, rep["preflight"]
    assert world.weights() == START and lock_txt(world) == []


def test_lock_held_refused(world: World, probe: ProbeServer, tmp_path: Path) -> None:
    boto3.client("route53").change_resource_record_sets(
        HostedZoneId=world.zone_id,
        ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": cutover_lock_name(ZONE), "Type": "TXT", "TTL": 60,
            "ResourceRecords": [{"Value": '"owner=alice@laptop" "epoch=1799999000" "to=green"'}],
        }}]},
    )  # fmt: skip
    code, rep = run(probe, tmp_path, clock=FakeClock(start=1_800_000_000))
    assert code == 2
    assert "alice@laptop" in rep["message"] and "16m40s" in rep["message"]
    assert world.weights() == START
    assert len(lock_txt(world)) == 1  # still alice's


@pytest.mark.parametrize(
    ("weights", "overrides", "expect"),
    [
        ({"blue": 0, "green": 0}, {}, "all weights are 0"),
        ({"blue": 100, "green": 0}, {"SetIdentifier": "purple"}, "not exactly"),
    ],
    ids=["all-zero", "malformed-set-identifiers"],
)
def test_bad_record_state_refused(
    world: World,
    probe: ProbeServer,
    tmp_path: Path,
    weights: dict[str, int],
    overrides: dict[str, Any],
    expect: str,
) -> None:
    world.set_weights(weights, **overrides)
    before = world.weights()
    code, rep = run(probe, tmp_path)
    assert code == 2
    assert expect in rep["message"]
    assert world.weights() == before
    assert lock_txt(world) == []


def test_throttling_is_retried(world: World, probe: ProbeServer, tmp_path: Path) -> None:
    # moto never throttles, so inject Route 53 errors through botocore's before-call event on
    # every client the session creates: returning a response from the handler short-circuits the
    # HTTP request, and botocore raises the ClientError it would raise for a real 400 answer.
    injected: list[str] = []

    def throttle(model: Any, params: Any, **_: Any) -> Any:
        # Only the weight changes of the steps and their GetChange polls (not lock/outcome).
        step_change = model.name == "ChangeResourceRecordSets" and b"cutover step" in params["body"]
        if (step_change or model.name == "GetChange") and len(injected) < 4:
            code = "Throttling" if len(injected) % 2 == 0 else "PriorRequestNotComplete"
            injected.append(code)
            http = type("Http", (), {"status_code": 400, "headers": {}})()
            return http, {"Error": {"Code": code, "Message": "Rate exceeded"},
                          "ResponseMetadata": {"HTTPStatusCode": 400}}  # fmt: skip
        return None

    original = boto3.session.Session.client

    def client(self: Any, *args: Any, **kwargs: Any) -> Any:
        c = original(self, *args, **kwargs)
        c.meta.events.register("before-call.route-53", throttle)
        return c

    clock = FakeClock()
    mp = pytest.MonkeyPatch()
    mp.setattr(boto3.session.Session, "client", client)
    try:
        code, rep = run(probe, tmp_path, clock=clock)
    finally:
        mp.undo()
    assert code == 0, rep["message"]
    assert world.weights() == DONE
    assert injected == ["Throttling", "PriorRequestNotComplete"] * 2
    assert rep["retries"] == 4
    assert len(clock.sleeps) == 4 and all(0 < s <= 20 for s in clock.sleeps)  # backoff, virtual
    # Every attempt counts, throttled ones too: 2 calls per step undisturbed + 4 retries.
    assert sum(s["route53_calls"] for s in rep["steps"]) == 6 + 4
    assert sum(rep["route53_calls"].values()) == 11 + 4


class Crash(BaseException):
    """Stands for SIGKILL / power loss: not an Exception, so no rollback code runs."""


def test_rerun_after_crash_converges(world: World, probe: ProbeServer, tmp_path: Path) -> None:

    def crash() -> None:
        raise Crash

    with pytest.raises(Crash):
        run(probe, tmp_path, listeners=[after("change.insync", "step 2", crash)])
    mid = {DMZ: {"blue": 50, "green": 50}, INTERNAL: {"blue": 50, "green": 50}}
    assert world.weights() == mid and len(lock_txt(world)) == 1  # stranded half way, lock left

    code, rep = run(probe, tmp_path)
    assert code == 2 and "--break-lock" in rep["message"]  # a stale lock is not taken silently

    code, rep = run(probe, tmp_path, "--break-lock")
    assert code == 0, rep["message"]
    assert rep["plan"] == [100]  # finishes from the real weights
    assert world.weights() == DONE and lock_txt(world) == []
    assert rep["rollback_weights"] == {f"{k} A": w for k, w in START.items()}  # crashed start


def test_rerun_after_crash_rolls_back_to_crashed_runs_start(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:

    def crash() -> None:
        raise Crash

    with pytest.raises(Crash):
        run(probe, tmp_path, listeners=[after("change.insync", "step 2", crash)])
    code, rep = run(
        probe, tmp_path, "--break-lock", listeners=[after("change.insync", "step 1", probe.fail)]
    )
    assert code == 1
    assert world.weights() == START and lock_txt(world) == []


def test_already_active_converges_without_changes(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    world.set_weights({"blue": 0, "green": 100})  # what build_world(active="green") ends with
    code, rep = run(probe, tmp_path)
    assert code == 0 and rep["status"] == "already-active"
    assert rep["steps"] == [] and world.weights() == DONE and lock_txt(world) == []


def test_dry_run_changes_nothing(world: World, probe: ProbeServer, tmp_path: Path) -> None:
    code, rep = run(probe, tmp_path, "--dry-run")
    assert code == 0 and rep["status"] == "dry-run"
    assert rep["plan"] == [10, 50, 100]
    assert world.weights() == START
    assert lock_txt(world) == [] and state_txt(world) == ""


def test_dry_run_with_a_failing_preflight_shows_the_plan_and_exits_2(
    fresh_world: Callable[..., World], probe: ProbeServer, tmp_path: Path
) -> None:
    world = fresh_world(healthy=False)
    events: list[tuple[str, dict[str, Any]]] = []
    code, rep = run(probe, tmp_path, "--dry-run", listeners=[lambda n, f: events.append((n, f))])
    assert code == 2 and rep["status"] == "refused"
    assert "no registered targets" in rep["message"]
    assert rep["plan"] == [10, 50, 100]
    assert ("plan", {"to": "green", "steps": "10,50,100", "soak_s": 0.0}) in events
    assert world.weights() == START and lock_txt(world) == []


def test_insync_wait_backs_off_then_rolls_back_on_timeout(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    # moto answers INSYNC at once; make GetChange say PENDING for step 1 to exercise the wait.
    pending = {"on": True}

    def stuck(model: Any, **_: Any) -> Any:
        if model.name == "GetChange" and pending["on"]:
            http = type("Http", (), {"status_code": 200, "headers": {}})()
            return http, {"ChangeInfo": {"Id": "C1", "Status": "PENDING", "SubmittedAt": 0}}
        return None

    original = boto3.session.Session.client

    def client(self: Any, *args: Any, **kwargs: Any) -> Any:
        c = original(self, *args, **kwargs)
        c.meta.events.register("before-call.route-53", stuck)
        return c

    def stop_pending(name: str, fields: dict[str, Any]) -> None:
        if name == "rollback.start":
            pending["on"] = False

    clock = FakeClock()
    mp = pytest.MonkeyPatch()
    mp.setattr(boto3.session.Session, "client", client)
    try:
        code, rep = run(probe, tmp_path, "--insync-timeout", "40", clock=clock,
                        listeners=[stop_pending])  # fmt: skip
    finally:
        mp.undo()
    assert code == 1 and "not INSYNC after 40 s" in rep["message"]
    assert clock.sleeps == [2, 4, 8, 15, 11]  # backoff capped at 15 s, cut at the timeout
    assert world.weights() == START
