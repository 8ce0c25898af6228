"""The cutover's waits and recovery paths, which the flow tests (soak 0, moto's lenient Route 53)
leave unguarded: real soaks on a fake clock, a rollback that fails, two operators taking the lock
at once, breaking a stale lock, and which TXT record is a lock.

Route 53's strictness about CREATE and DELETE comes from `tests/support/route53_strict.py`, a
proxy in front of the moto server (moto accepts a second CREATE of the lock record).
"""

from __future__ import annotations

import io
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from components.naming import cutover_lock_name, cutover_state_name, env_entry_names
from faas.ops.cutover import lock as lock_module
from faas.ops.cutover.clock import FakeClock
from faas.ops.cutover.lock import (
    LockTooLarge,
    encode,
    encode_start,
    new_lock,
    read_lock,
    read_outcome,
    rollback_origin,
    strongest,
)
from faas.ops.cutover.records import (
    Group,
    RecordStateError,
    describe_weights,
    discover,
    find_zone,
    list_record_sets,
)
from tests.support.cutover_world import BASE, ZONE, World, run_cutover, world_fixtures
from tests.support.https_probe import ProbeServer, https_probe_server
from tests.support.moto_server import MotoServer, moto_fixtures
from tests.support.route53_strict import Proxy, strict_route53

moto_process, moto = moto_fixtures(reset=False)
# One environment per module, its zone put back as built before each test.
worlds, world, fresh_world = world_fixtures()

DMZ, INTERNAL = (n + "." for n in (env_entry_names(BASE)["dmz"], env_entry_names(BASE)["internal"]))
START = {DMZ: {"blue": 100, "green": 0}, INTERNAL: {"blue": 100, "green": 0}}
HALF = {DMZ: {"blue": 50, "green": 50}, INTERNAL: {"blue": 50, "green": 50}}
DONE = {DMZ: {"blue": 0, "green": 100}, INTERNAL: {"blue": 0, "green": 100}}
LOCK = cutover_lock_name(ZONE)


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[ProbeServer]:
    with https_probe_server(tmp_path / "probe") as server:
        yield server


@pytest.fixture
def route53(
    moto_process: MotoServer, world: World, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Proxy]:
    """This process's boto3 (and so the cutover's) reaches moto through the strict proxy."""
    with strict_route53(moto_process.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        yield proxy


def run(
    probe: ProbeServer,
    report: Path,
    *extra: str,
    clock: FakeClock | None = None,
    listeners: list[Any] | None = None,
    soak: str | None = "0",
    operator: str = "tester@ci",
) -> tuple[int, dict[str, Any]]:
    # One probe per step: the probes have their own tests (tests/test_cutover_probe.py).
    return run_cutover(
        probe, report, "--probe-count", "1", *extra, clock=clock, listeners=listeners, soak=soak,
        operator=operator,
    )  # fmt: skip


def on(event: str, action: Any, step: str | None = None) -> Any:
    """A progress listener that runs `action` once, at the first `event` (of `step`)."""
    done: list[bool] = []

    def listener(name: str, fields: dict[str, Any]) -> None:
        if name == event and (step is None or fields.get("step") == step) and not done:
            done.append(True)
            action()

    return listener


def put_txt(world: World, name: str, value: str, action: str = "CREATE") -> None:
    rr = {"Name": name, "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": value}]}
    boto3.client("route53").change_resource_record_sets(
        HostedZoneId=world.zone_id,
        ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": rr}]},
    )


# --- soaks on a fake clock -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("soak", "slices"),
    [("2.5", [1.0, 1.0, 0.5]), ("0.5", [0.5])],
    ids=["2.5s", "0.5s"],
)
def test_soak_sleeps_in_one_second_slices_and_is_totalled(
    world: World, probe: ProbeServer, tmp_path: Path, soak: str, slices: list[float]
) -> None:
    clock = FakeClock()
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    seen: list[str] = []
    code, rep = run(
        probe, tmp_path / "r.json", clock=clock, soak=soak, listeners=[lambda n, _: seen.append(n)]
    )
    assert code == 0, rep["message"]
    # What the operator watches, in order (repeats of one event folded).
    step = ["change.submitted", "change.insync", "soak.start", "probe", "step.done"]
    assert [n for i, n in enumerate(seen) if not i or seen[i - 1] != n] == [
        "discovered", "preflight", "plan", "lock.acquired", *step * 3, "cutover.completed",
        "report",
    ]  # fmt: skip
    assert rep["message"] == f"green is active in {ZONE}"  # no warning to add
    assert world.weights() == DONE
    assert {sig: signal.getsignal(sig) for sig in handlers} == handlers  # put back after the run
    assert rep["samples"][0] == {"t_s": 0.0, "percent": {"blue": 100.0, "green": 0.0}}
    assert clock.sleeps == slices * 3  # three steps, moto is INSYNC at once: only soaks wait
    assert [s["soak_s"] for s in rep["steps"]] == [float(soak)] * 3
    assert rep["soak_s"] == float(soak) and rep["soak_total_s"] == 3 * float(soak)
    assert all(s["duration_s"] >= float(soak) for s in rep["steps"])
    assert rep["total_s"] >= 3 * float(soak)


def test_default_soak_is_the_records_ttl(world: World, probe: ProbeServer, tmp_path: Path) -> None:
    """No --soak: each step soaks the longest TTL of the record sets (an alias: Route 53's 60 s)."""
    clock = FakeClock()
    code, rep = run(probe, tmp_path / "r.json", clock=clock, soak=None)
    assert code == 0, rep["message"]
    assert rep["soak_s"] == 60 and rep["soak_total_s"] == 180
    assert clock.sleeps == [1.0] * 180


class SignalInSleep(FakeClock):
    """Virtual time where SIGINT arrives during the `nth` pause (as a real Ctrl-C would arrive
    while the run waits)."""

    def __init__(self, nth: int) -> None:
        super().__init__()
        self.calls, self.nth = 0, nth

    def sleep(self, seconds: float) -> None:
        self.calls += 1
        if self.calls == self.nth:
            os.kill(os.getpid(), signal.SIGINT)
        super().sleep(seconds)


def test_a_signal_during_a_soak_ends_the_pause_at_once_and_rolls_back(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    clock = SignalInSleep(nth=3)
    code, rep = run(probe, tmp_path / "r.json", clock=clock, soak="30")
    assert code == 1 and "SIGINT" in rep["message"]
    assert clock.sleeps == [1.0, 1.0]  # the pause the signal arrived in was not slept
    assert rep["soak_total_s"] == 2.0 and rep["steps"][0]["soak_s"] == 2.0
    assert rep["steps"][0]["probes"] == []  # nothing probed after the signal
    assert world.weights() == START and world.txt(LOCK) == []


def test_a_second_signal_does_not_abandon_the_rollback(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    sigint = lambda: os.kill(os.getpid(), signal.SIGINT)  # noqa: E731
    listeners = [
        on("change.insync", sigint, step="step 1"),
        on("rollback.start", sigint),  # Ctrl-C again while the weights go back
        lambda name, fields: events.append((name, fields)),
    ]
    code, rep = run(probe, tmp_path / "r.json", listeners=listeners)
    assert code == 1 and rep["status"] == "rolled-back", rep["message"]
    assert ("signal.ignored", {"signal": "SIGINT", "reason": "rollback in progress"}) in events
    assert world.weights() == START and world.txt(LOCK) == []


@pytest.mark.parametrize(
    ("event", "step", "written"),
    [("change.insync", "step 1", ["step 1"]), ("step.done", "step 1", ["step 1"])],
    ids=["after-the-change", "between-steps"],
)
def test_a_signal_stops_the_run_before_its_next_wait_or_change(
    world: World, probe: ProbeServer, tmp_path: Path, event: str, step: str, written: list[str]
) -> None:
    """A signal after a change is in sync starts no soak; one between steps writes no next step."""
    seen: list[str] = []
    sigint = on(event, lambda: os.kill(os.getpid(), signal.SIGINT), step=step)
    code, rep = run(
        probe, tmp_path / "r.json", soak="5", listeners=[sigint, lambda n, _: seen.append(n)]
    )
    assert code == 1 and "SIGINT" in rep["message"]
    assert [s["name"] for s in rep["steps"]] == [*written, "rollback"]
    assert seen.count("soak.start") == (0 if event == "change.insync" else 1)
    assert world.weights() == START


def test_a_failed_unlock_after_the_final_weights_is_a_warning(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """The traffic moved: exit 0, but the operator is told the lock is left for the next run."""
    route53.fail("faas cutover outcome")
    code, rep = run(probe, tmp_path / "r.json")
    assert code == 0 and rep["status"] == "completed"
    assert "WARNING" in rep["message"] and "--break-lock" in rep["message"]
    assert rep["warnings"] and "the lock is left" in rep["warnings"][0]
    assert world.weights() == DONE and len(world.txt(LOCK)) == 1


def test_a_rollback_waits_for_its_change_even_after_a_signal(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """The signal cut the run short, not the rollback: its change is waited for until INSYNC."""
    clock = FakeClock()

    def interrupt() -> None:
        route53.pending_polls = 2  # the rollback's change stays PENDING for two polls
        os.kill(os.getpid(), signal.SIGINT)

    listeners = [on("change.insync", interrupt, step="step 1")]
    code, rep = run(probe, tmp_path / "r.json", clock=clock, listeners=listeners)
    assert code == 1 and rep["status"] == "rolled-back", rep["message"]
    assert clock.sleeps == [2.0, 4.0]  # real waits again after the signal woke the clock
    assert rep["steps"][-1]["name"] == "rollback" and rep["steps"][-1]["insync_wait_s"] == 6.0
    assert world.weights() == START and world.txt(LOCK) == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_live_line_while_a_change_is_pending_and_while_it_soaks(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """An operator at a terminal watches the INSYNC wait and the soak move, not a silent pause."""
    route53.pending_polls = 2  # the first change stays PENDING for two polls
    err = Terminal()
    code, rep = run_cutover(probe, tmp_path / "r.json", "--probe-count", "1", soak="2", stderr=err)
    assert code == 0, rep["message"]
    live = [part.split("[")[0].strip() for part in err.getvalue().split("\r")[1:]]
    soaks = [f"step {n}: soaking" for n in (1, 1, 2, 2, 3, 3)]
    assert live == ["step 1: waiting for INSYNC"] * 2 + soaks


def test_a_rollback_to_an_even_split_records_the_source_as_active(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """No colour is strictly strongest after the rollback: the record names the one the run
    moved away from, never nothing."""
    world.set_weights({"blue": 50, "green": 50})
    fail = on("change.insync", probe.fail, step="step 1")
    code, rep = run(probe, tmp_path / "r.json", listeners=[fail])
    assert code == 1 and [s["percent"] for s in rep["steps"]] == [100, None], rep["message"]
    assert world.weights() == HALF
    state = " ".join(world.txt(cutover_state_name(ZONE)))
    assert '"active=blue"' in state and '"result=rolled-back"' in state


def test_a_signal_during_a_rollback_for_a_failed_probe_is_ignored(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """The rollback was not caused by a signal: a Ctrl-C now must not cut its wait short."""
    clock = FakeClock()
    events: list[tuple[str, dict[str, Any]]] = []

    def interrupt() -> None:
        route53.pending_polls = 2
        os.kill(os.getpid(), signal.SIGINT)

    listeners = [
        on("change.insync", probe.fail, step="step 1"),
        on("rollback.start", interrupt),
        lambda name, fields: events.append((name, fields)),
    ]
    code, rep = run(probe, tmp_path / "r.json", clock=clock, listeners=listeners)
    assert code == 1 and "probe failed" in rep["message"] and "SIGINT" not in rep["message"]
    assert ("signal.ignored", {"signal": "SIGINT", "reason": "rollback in progress"}) in events
    assert clock.sleeps == [2.0, 4.0]  # the rollback's INSYNC wait went on
    assert world.weights() == START


def test_a_zone_that_does_not_exist_is_refused_by_name(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    code, rep = run(probe, tmp_path / "r.json", "--zone", "faas.other.example.com")
    assert code == 2
    assert rep["message"].startswith(
        "refusing: no public hosted zone named faas.other.example.com."
    )


def test_breaking_a_lock_aimed_at_the_other_colour_rolls_back_to_what_this_run_found(
    world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """The crashed run was moving to blue; this one moves to green: its starting weights are
    not this run's, so a rollback restores what this run found."""
    world.set_weights({"blue": 70, "green": 30})
    put_txt(world, LOCK, new_lock(ZONE, "crashed@ci", 1_799_990_000, "blue", START_KEYS).value)
    fail = on("change.insync", probe.fail, step="step 1")
    code, rep = run(probe, tmp_path / "r.json", "--break-lock", listeners=[fail])
    assert code == 1 and rep["status"] == "rolled-back", rep["message"]
    found = {"blue": 70, "green": 30}
    assert world.weights() == {DMZ: found, INTERNAL: found}
    assert "rolled back to the starting weights" in rep["message"]


# --- a rollback that fails --------------------------------------------------------------------


def test_failed_rollback_exits_3_and_keeps_the_lock(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    route53.fail("faas cutover rollback")  # Route 53 refuses the rollback's batch
    code, rep = run(
        probe, tmp_path / "r.json", listeners=[on("change.insync", probe.fail, step="step 2")]
    )
    assert code == 3, rep["message"]
    assert rep["status"] == "rollback-failed" and rep["exit_code"] == 3
    assert "ROLLBACK FAILED" in rep["message"] and "--break-lock" in rep["message"]
    assert world.weights() == HALF  # left where step 2 put them, as the message says
    assert len(world.txt(LOCK)) == 1  # kept on purpose: the next run must look first
    assert world.txt(cutover_state_name(ZONE)) == []  # no outcome recorded
    assert [b.comment for b in route53.batches][-1] == "faas cutover rollback"


# --- the lock under Route 53's rules ---------------------------------------------------------


def test_bare_moto_accepts_a_second_create_of_the_lock(world: World) -> None:
    """Why the strict proxy exists: should moto start refusing this, the proxy can go."""
    put_txt(world, LOCK, '"owner=a"')
    put_txt(world, LOCK, '"owner=b"')  # Route 53 would answer InvalidChangeBatch
    assert world.txt(LOCK)


def test_two_operators_taking_the_lock_at_once(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """Both read "no lock", both send their CREATE; Route 53 applies one, refuses the other."""
    route53.hold_creates(2)  # neither CREATE reaches the zone before both were sent
    results: dict[str, tuple[int, dict[str, Any]]] = {}

    def operator(name: str) -> None:
        results[name] = run(probe, tmp_path / f"{name}.json", operator=name)

    threads = [threading.Thread(target=operator, args=(n,)) for n in ("alice@a", "bob@b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(code for code, _ in results.values()) == [0, 2], results
    winner = next(n for n, (code, _) in results.items() if code == 0)
    loser = next(n for n, (code, _) in results.items() if code == 2)
    assert f"held by {winner}" in results[loser][1]["message"]
    assert "nothing changed" in results[loser][1]["message"]
    assert world.weights() == DONE and world.txt(LOCK) == []
    locks = [b for b in route53.batches if b.comment.startswith("faas cutover lock by")]
    assert [bool(b.error) for b in locks].count(True) == 1
    assert "already exists" in next(b.error for b in locks if b.error)
    steps = [b for b in route53.accepted() if b.comment.startswith("faas cutover step")]
    assert len(steps) == 3  # only the winner changed weights


def stale_lock(world: World, owner: str = "crashed@ci") -> str:
    value = new_lock(ZONE, owner, 1_799_990_000, "green", START_KEYS).value
    put_txt(world, LOCK, value)
    return value


START_KEYS = {f"{DMZ} A": START[DMZ], f"{INTERNAL} A": START[INTERNAL]}


def test_break_lock_deletes_the_stale_lock_in_the_same_batch(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    stale = stale_lock(world)
    events: list[tuple[str, dict[str, Any]]] = []
    code, rep = run(
        probe, tmp_path / "r.json", "--break-lock", listeners=[lambda n, f: events.append((n, f))]
    )
    assert code == 0, rep["message"]
    # The operator is told whose lock was broken and how old it was.
    assert ("lock.stale", {"owner": "crashed@ci", "age": "2h46m40s"}) in events
    lock_batch = next(b for b in route53.accepted() if b.comment.startswith("faas cutover lock"))
    actions = [(c["Action"], c["Name"], c["Values"]) for c in lock_batch.changes]
    assert actions[0] == ("DELETE", LOCK + ".", [stale])
    assert [a for a, _, _ in actions] == ["DELETE", "CREATE"]
    assert world.weights() == DONE and world.txt(LOCK) == []


def test_break_lock_refused_when_the_lock_changed_meanwhile(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """Someone else broke and retook the lock between our read and our batch: our DELETE no
    longer matches, Route 53 refuses the batch, and the refusal names who holds it now."""
    stale_lock(world)
    retaken = new_lock(ZONE, "carol@c", 1_800_000_000, "green", START_KEYS).value
    takeover = on("plan", lambda: put_txt(world, LOCK, retaken, "UPSERT"))
    code, rep = run(probe, tmp_path / "r.json", "--break-lock", listeners=[takeover])
    assert code == 2, rep["message"]
    assert "held by carol@c" in rep["message"] and "nothing changed" in rep["message"]
    assert world.weights() == START and world.txt(LOCK) == [retaken]


def test_only_the_lock_record_is_read_as_a_lock() -> None:
    lock = new_lock(ZONE, "alice@a", 1_800_000_000, "blue", START_KEYS)

    def txt(name: str, value: str, rtype: str = "TXT") -> dict[str, Any]:
        return {"Name": name, "Type": rtype, "TTL": 60, "ResourceRecords": [{"Value": value}]}

    others = [
        txt(cutover_state_name(ZONE) + ".", '"active=green" "result=completed"'),
        txt("_other." + ZONE + ".", lock.value),  # a lock's text under another name
        txt(ZONE + ".", '"v=spf1 -all"'),
        {"Name": LOCK + ".", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]},
    ]
    assert read_lock(ZONE, others) is None
    found = read_lock(ZONE, [*others, txt(LOCK.upper(), lock.value)])
    assert found is not None and found.owner == "alice@a" and found.value == lock.value
    # ... and only the outcome record is read as the last outcome.
    assert read_outcome(ZONE, [txt(LOCK + ".", lock.value), *others[1:]]) is None
    assert read_outcome(ZONE, others) == {"active": "green", "result": "completed"}


def test_lock_values_stay_within_route53_txt_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Route 53: a TXT character-string holds 255 characters, a TXT value 4000."""
    assert encode({"k": "v" * 253}) == f'"k={"v" * 253}"'  # 255 characters: fits
    with pytest.raises(ValueError, match="not a plain word"):
        encode({"k": "v" * 254})
    assert lock_module.MAX_TXT == 4000
    value = new_lock(ZONE, "alice@a", 1_800_000_000, "blue", START_KEYS).value
    monkeypatch.setattr(lock_module, "MAX_TXT", len(value))
    new_lock(ZONE, "alice@a", 1_800_000_000, "blue", START_KEYS)  # exactly at the limit
    monkeypatch.setattr(lock_module, "MAX_TXT", len(value) - 1)
    with pytest.raises(LockTooLarge):
        new_lock(ZONE, "alice@a", 1_800_000_000, "blue", START_KEYS)


def test_a_refused_lock_batch_that_is_no_race_is_a_refusal(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """Any other error taking the lock stops the run before a weight changes."""
    route53.fail("faas cutover lock by")  # AccessDenied: the role may not write the zone
    code, rep = run(probe, tmp_path / "r.json")
    assert code == 2 and "AccessDenied" in rep["message"] and "nothing changed" in rep["message"]
    assert world.weights() == START and world.txt(LOCK) == []
    assert not [b for b in route53.batches if b.comment.startswith("faas cutover step")]


def test_a_refusal_after_the_lock_was_taken_releases_it(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    """Someone moved the weights while we took the lock: refused, and our lock is gone again."""
    meddle = on("lock.acquired", lambda: world.set_weights({"blue": 90, "green": 10}))
    code, rep = run(probe, tmp_path / "r.json", listeners=[meddle])
    assert code == 2 and "the weights changed while the lock was being taken" in rep["message"]
    assert world.txt(LOCK) == []
    unlock = [b for b in route53.accepted() if b.comment == "faas cutover unlock"]
    assert len(unlock) == 1 and unlock[0].changes[0]["Action"] == "DELETE"


def test_a_lock_that_cannot_be_released_after_a_refusal_is_named(
    route53: Proxy, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    route53.fail("faas cutover unlock")
    meddle = on("lock.acquired", lambda: world.set_weights({"blue": 90, "green": 10}))
    code, rep = run(probe, tmp_path / "r.json", listeners=[meddle])
    assert code == 2 and "our lock could not be released" in rep["message"]
    assert "--break-lock" in rep["message"] and len(world.txt(LOCK)) == 1


def test_what_a_rollback_restores_and_who_is_strongest() -> None:
    assert rollback_origin(True, {"k": {"blue": 1, "green": 0}}) == "where the crashed run started"
    assert rollback_origin(True, None).startswith("the weights found when this run took over")
    assert rollback_origin(False, None) == "the starting weights"
    assert strongest({}) is None
    assert strongest({"a": {"blue": 100, "green": 0}, "b": {"blue": 0, "green": 1}}) == "blue"
    assert strongest({"a": {"blue": 1, "green": 2}}) == "green"
    assert strongest({"a": {"blue": 50, "green": 50}}) is None  # none strictly highest


# --- records: the zone and its record sets, read as Route 53 answers --------------------------


class Answers:
    """An `Aws` stand-in answering each call with the next canned response; records the calls."""

    def __init__(self, *responses: dict[str, Any]) -> None:
        self.responses, self.calls = list(responses), []

    def call(self, service: str, operation: str, **kw: Any) -> dict[str, Any]:
        self.calls.append((operation, kw))
        return self.responses.pop(0)


def test_zone_lookup_takes_a_zone_without_a_private_flag_as_public() -> None:
    zone = {"Id": "/hostedzone/Z1", "Name": ZONE + "."}
    private = {"Id": "/hostedzone/Z2", "Name": ZONE + ".", "Config": {"PrivateZone": True}}
    assert find_zone(Answers({"HostedZones": [private, zone]}), ZONE) == "Z1"
    with pytest.raises(RecordStateError) as err:
        find_zone(Answers({"HostedZones": [private]}), ZONE)
    assert (
        str(err.value) == f"no public hosted zone named {ZONE}."
    )  # the message, not only .problems


def test_record_set_pages_carry_the_identifier_only_when_the_page_ends_on_one() -> None:
    aws = Answers(
        {"ResourceRecordSets": [{"n": 1}], "IsTruncated": True, "NextRecordName": "a.",
         "NextRecordType": "A", "NextRecordIdentifier": "blue"},
        {"ResourceRecordSets": [{"n": 2}], "IsTruncated": True, "NextRecordName": "b.",
         "NextRecordType": "TXT"},
        {"ResourceRecordSets": [{"n": 3}], "IsTruncated": False},
    )  # fmt: skip
    assert list_record_sets(aws, "Z1") == [{"n": 1}, {"n": 2}, {"n": 3}]  # type: ignore[arg-type]
    second, third = aws.calls[1][1], aws.calls[2][1]
    assert second["StartRecordIdentifier"] == "blue"
    assert "StartRecordIdentifier" not in third and third["StartRecordName"] == "b."


def test_record_groups_are_immutable_facts() -> None:
    import dataclasses

    assert Group.__dataclass_params__.frozen  # type: ignore[attr-defined]
    group = Group("a.", "A", {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        group.name = "b."  # type: ignore[misc]


def test_two_public_zones_of_one_name_are_refused_naming_both() -> None:
    one, two = ({"Id": f"/hostedzone/{z}", "Name": ZONE + "."} for z in ("Z1", "Z3"))
    with pytest.raises(RecordStateError) as err:
        find_zone(Answers({"HostedZones": [one, two]}), ZONE)
    assert err.value.problems == [f"2 public hosted zones named {ZONE}. (/hostedzone/Z1, "
                                  f"/hostedzone/Z3); use one"]  # fmt: skip


def test_the_highest_weight_route53_takes_is_a_valid_record() -> None:
    def weighted(color: str, weight: int) -> dict[str, Any]:
        return {"Name": DMZ, "Type": "A", "SetIdentifier": color, "Weight": weight,
                "AliasTarget": {"DNSName": f"{color}.example.", "HostedZoneId": "Z9",
                                "EvaluateTargetHealth": False}}  # fmt: skip

    (group,) = discover([weighted("blue", 255), weighted("green", 0)])
    assert {c: r["Weight"] for c, r in group.records.items()} == {"blue": 255, "green": 0}
    with pytest.raises(RecordStateError):
        discover([weighted("blue", 256), weighted("green", 0)])


def test_weights_are_described_per_record_set_in_colour_order() -> None:
    weights = {"a. A": {"green": 2, "blue": 1}, "b. AAAA": {"blue": 0, "green": 255}}
    assert describe_weights(weights) == "a. A: blue=1/green=2; b. AAAA: blue=0/green=255"


@pytest.mark.parametrize(("length", "plain"), [(200, True), (201, False)])
def test_the_lock_names_a_record_set_plainly_up_to_200_characters(length: int, plain: bool) -> None:
    """A `set=` word stays within Route 53's 255 characters: a longer name is written as a hash."""
    name = "a" * (length - 2)  # `<name>,A` is `length` characters
    ((_, value),) = encode_start({f"{name} A": {"blue": 100, "green": 0}})
    ref = value.rsplit(",", 2)[0]
    assert (ref == f"{name},A") is plain and ref.startswith("#") is not plain
