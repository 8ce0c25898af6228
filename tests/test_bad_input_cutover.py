"""Regressions: the cutover's arguments, and a cutover that never misreports what it did.

Arguments are refused before any AWS call. The exit code says what happened to the traffic: a
report that cannot be written after a completed cutover is a warning with exit 0 (it used to be
exit 1, "rolled back"); a run `--to` the colour already active changes no record (it used to
rewrite the outcome record as a completed move); a resumed run restores every record set to the
weights the crashed run started from, whatever their shape (the lock used to record them only
when all sets had the same weights, yet the run said "rolled back").
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from components.naming import COLORS, cutover_lock_name, cutover_state_name, env_entry_names
from faas import exitcodes
from faas.ops.cutover import cli
from faas.ops.cutover.clock import FakeClock
from tests.support.contract import assert_contract, call
from tests.support.cutover_world import BASE, ZONE, World, world_fixtures
from tests.support.https_probe import ProbeServer, https_probe_server
from tests.support.moto_server import moto_fixtures

moto_process, moto = moto_fixtures(reset=False)
worlds, world, fresh_world = world_fixtures()
DMZ, INTERNAL = (n + "." for n in (env_entry_names(BASE)["dmz"], env_entry_names(BASE)["internal"]))


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[ProbeServer]:
    with https_probe_server(tmp_path / "probe") as server:
        yield server


def argv(probe: ProbeServer, *extra: str) -> list[str]:
    return [
        "--env", "dev", "--to", "green", "--zone", ZONE, "--region", "us-east-1", "--soak", "0",
        "--probe-url", probe.url, "--env-probe-url", probe.url, "--probe-ca", probe.cafile,
        "--yes", "--operator", "tester@ci",
        "--skip-parity",  # parity has its own scenarios: tests/test_cutover_parity.py
        *extra,
    ]  # fmt: skip


def cutover(args: list[str], listeners: list[Any] | None = None):
    return call(cli.main, args, clock=FakeClock(), listeners=listeners)


def after(event: str, step: str, action: Any) -> Any:
    done: list[bool] = []

    def listener(name: str, fields: dict[str, Any]) -> None:
        if name == event and fields.get("step") == step and not done:
            done.append(True)
            action()

    return listener


def state_txt(world: World) -> str:
    return " ".join(world.txt(cutover_state_name(ZONE)))


BAD_ARGUMENTS = [
    (["--soak", "nan"], "--soak nan"),
    (["--soak", "inf"], "--soak inf"),
    (["--soak", "-1"], "--soak -1"),
    (["--probe-timeout", "-2"], "--probe-timeout -2"),
    (["--probe-timeout", "nan"], "--probe-timeout nan"),
    (["--insync-timeout", "-5"], "--insync-timeout -5"),
    (["--insync-timeout", "0"], "--insync-timeout 0"),
    (["--probe-count", "0"], "--probe-count 0"),
    (["--region", "us-east-9"], "--region 'us-east-9' is not an AWS region"),
    (["--probe-url", "smoke.faas.dev.example.com/"], "expected an http(s)://host/... URL"),
    (["--env-probe-url", "ftp://x/"], "expected an http(s)://host/... URL"),
    (["--probe-url", "https://a b/"], "is not a host name"),
    (["--report", "/proc/cutover.json"], "--report"),
    (["--probe-ca", "/nonexistent/ca.pem"], "--probe-ca"),
    (["--zone", "Not A Zone"], "--zone"),
    (["--env", "../dev"], "--env"),
]


@pytest.mark.parametrize(("extra", "message"), BAD_ARGUMENTS)
def test_bad_arguments_are_refused_before_any_aws_call(monkeypatch, extra, message):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # a call would be refused loudly
    args = ["--env", "dev", "--to", "green", "--zone", ZONE, "--yes", "--probe-url",
            "https://x.example.com/", "--env-probe-url", "https://y.example.com/"]  # fmt: skip
    for i in range(0, len(extra), 2):  # the bad value replaces the good one
        if extra[i] in args:
            del args[args.index(extra[i]) : args.index(extra[i]) + 2]
    result = cutover([*args, *extra])
    assert result.code == exitcodes.REFUSED and message in result.err, result.err
    assert "route53" not in result.err  # nothing was called
    assert_contract("cutover", result)


def test_a_ca_bundle_that_is_not_pem_is_refused(tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    result = cutover(["--env", "dev", "--to", "green", "--zone", ZONE, "--yes",
                      "--probe-ca", str(bad)])  # fmt: skip
    assert result.code == exitcodes.REFUSED and "not a usable CA bundle" in result.err


def test_a_report_that_cannot_be_written_after_a_completed_cutover_is_a_warning(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    # The path was writable when checked; it becomes a folder while the last step soaks.
    result = cutover(
        argv(probe, "--report", str(report)),
        listeners=[after("change.insync", "step 3", lambda: report.mkdir())],
    )
    assert result.code == exitcodes.OK, result.err  # the traffic moved: not "rolled back"
    assert all(w == {"blue": 0, "green": 100} for w in world.weights().values())
    assert "warning: completed, but the report could not be written" in result.err
    timeline = json.loads(result.out)  # printed instead of the file
    assert timeline["status"] == "completed" and timeline["warnings"]
    assert_contract("cutover", result)


def test_a_cutover_to_the_active_colour_changes_no_record(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    world.set_weights({"blue": 0, "green": 100})  # what build_world(active="green") ends with
    # The outcome of the run that made green active, as it recorded it.
    before = {"weights": world.weights(), "state": state_txt(world)}
    result = cutover(argv(probe))
    assert result.code == exitcodes.OK and result.out.startswith("already-active"), result.err
    assert world.weights() == before["weights"]
    assert state_txt(world) == before["state"] == ""  # no outcome record written
    assert world.txt(cutover_lock_name(ZONE)) == []


class Crash(BaseException):
    """Stands for SIGKILL: not an Exception, so no rollback code runs."""


def test_a_resumed_run_restores_record_sets_that_started_with_different_weights(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    # The DMZ set sends 30 % to green already, the internal one none: not uniform.
    r53 = boto3.client("route53")
    rrs = r53.list_resource_record_sets(HostedZoneId=world.zone_id)["ResourceRecordSets"]
    changes = []
    for rr in rrs:
        if rr.get("SetIdentifier") in COLORS and rr["Name"].replace("\\052", "*") == DMZ:
            rr["Weight"] = {"blue": 70, "green": 30}[rr["SetIdentifier"]]
            changes.append({"Action": "UPSERT", "ResourceRecordSet": rr})
    r53.change_resource_record_sets(HostedZoneId=world.zone_id, ChangeBatch={"Changes": changes})
    start = world.weights()
    assert start == {DMZ: {"blue": 70, "green": 30}, INTERNAL: {"blue": 100, "green": 0}}

    def crash() -> None:
        raise Crash

    with pytest.raises(Crash):
        cutover(argv(probe), listeners=[after("change.insync", "step 2", crash)])
    assert world.weights() != start and world.txt(cutover_lock_name(ZONE))  # stranded, locked

    result = cutover(
        argv(probe, "--break-lock"), listeners=[after("change.insync", "step 1", probe.fail)]
    )
    assert result.code == exitcodes.ROLLED_BACK, result.err
    assert world.weights() == start  # every set back to its own starting weights
    assert "rolled back to where the crashed run started" in result.out
    assert '"result=rolled-back"' in state_txt(world)
    assert world.txt(cutover_lock_name(ZONE)) == []


def test_summary_of_a_refusal_names_the_argument_in_one_paragraph(capsys) -> None:
    stream = io.StringIO()
    code = cli.main(["--env", "dev", "--to", "green", "--zone", ZONE, "--soak", "nan",
                     "--probe-count", "0"], stderr=stream)  # fmt: skip
    lines = stream.getvalue().strip().splitlines()
    assert code == exitcodes.REFUSED
    assert lines[0].startswith("cutover: ") and len(lines) == 2  # both problems, nothing else
