"""The cutover itself: discover → lock check → preflight → lock → steps (change, INSYNC, soak,
probes) → outcome + unlock; rollback to the starting weights in one batch on any failure or on
SIGINT/SIGTERM.

Exit codes (`faas.exitcodes`, documented in --help and docs/cutover.md) say what happened to the
traffic, and only that:
  0  completed (or the target was already active: then no record is written at all; or dry run)
  1  a step failed or the run was interrupted, and the weights were rolled back
  2  refused before any DNS change: bad record state, lock held, preflight failed, not confirmed
  3  the rollback itself failed: DNS may be at intermediate weights, the lock is kept on purpose
What fails after the weights are final (recording the outcome, releasing the lock; the CLI's
report file) does not change the code: it is a warning, in the message and in `warnings`.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from faas.exitcodes import OK as EXIT_OK
from faas.exitcodes import REFUSED as EXIT_REFUSED
from faas.exitcodes import ROLLBACK_FAILED as EXIT_ROLLBACK_FAILED
from faas.exitcodes import ROLLED_BACK as EXIT_ROLLED_BACK

from .aws import Aws, AwsCallFailed
from .clock import Clock
from .lock import (
    LockHeld,
    LockInfo,
    LockTooLarge,
    acquire,
    format_age,
    iso,
    new_lock,
    outcome_value,
    read_lock,
    release_noting,
    release_quietly,
    rollback_origin,
    strongest,
)
from .options import Options
from .parity import as_checks, skipped
from .preflight import Check, run_preflight
from .probe import Prober
from .progress import Progress
from .records import (
    Group,
    RecordStateError,
    Weights,
    current_share,
    describe_weights,
    discover,
    find_zone,
    list_record_sets,
    other,
    step_weights,
    weight_changes,
    weights_of,
    with_weights,
)
from .report import StepRecord, Timeline
from .state import Interrupted, Refused, RunState, StepFailed


class Cutover:
    def __init__(
        self, opts: Options, aws: Aws, clock: Clock, prober: Prober, progress: Progress
    ) -> None:
        self.o = opts
        self.aws = aws
        self.clock = clock
        self.prober = prober
        self.p = progress
        self.s = RunState()
        self.t0 = clock.monotonic()
        self.tl = Timeline(
            zone=opts.zone,
            env=opts.env,
            target=opts.target,
            source=other(opts.target),
            operator=opts.operator,
            started_at=iso(clock.now()),
        )

    # -- entry point -------------------------------------------------------------------------
    def run(self) -> Timeline:
        saved = self._install_signals()
        try:
            self._run()
        except Refused as exc:
            self._finish("refused", EXIT_REFUSED, f"{exc}{self._drop_lock()}")
        except (LockHeld, AwsCallFailed, LockTooLarge) as exc:
            # Raised only before the first weight change (the step loop catches its own errors).
            self._finish("refused", EXIT_REFUSED, f"{exc}; nothing changed{self._drop_lock()}")
        finally:
            self._restore_signals(saved)
            self.tl.total_s = round(self.clock.monotonic() - self.t0, 3)
            self.tl.route53_calls = {
                ph: c["route53"] for ph, c in self.aws.stats.by_phase.items() if c["route53"]
            }
            self.tl.retries = self.aws.stats.retries
            self.tl.retry_wait_s = round(self.aws.stats.retry_wait, 3)
            self.tl.rate_limit_wait_s = round(self.aws.limiter.waited, 3)
        return self.tl

    def _elapsed(self) -> float:
        return self.clock.monotonic() - self.t0

    def _finish(self, status: str, code: int, message: str) -> None:
        if self.tl.warnings:
            message += " WARNING: " + " ".join(self.tl.warnings)
        self.tl.status, self.tl.exit_code, self.tl.message = status, code, message
        self.p.event("cutover." + status, exit_code=code, message=message)

    def _warn(self, text: str) -> None:
        self.tl.warnings.append(text)
        self.p.event("warning", message=text)

    def _drop_lock(self) -> str:
        """For a refusal after our lock was taken: release it; the note says if it is left."""
        lock, self.s.lock = self.s.lock, None
        return release_quietly(self.aws, self.s.zone_id, lock) if lock else ""

    # -- signals -----------------------------------------------------------------------------
    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}  # signal handlers can only be set from the main thread
        return {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    def _restore_signals(self, saved: dict[int, Any]) -> None:
        for sig, handler in saved.items():
            signal.signal(sig, handler)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.s.rolling_back or self.s.interrupted:
            # A second Ctrl-C must not abandon a half-done rollback.
            self.p.event("signal.ignored", signal=name, reason="rollback in progress")
            return
        self.s.interrupted = name
        self.clock.wake()  # end the current soak/poll pause now

    def _check_interrupt(self) -> None:
        if self.s.interrupted:
            raise Interrupted(f"interrupted by {self.s.interrupted}")

    # -- the run -----------------------------------------------------------------------------
    def _read(self) -> tuple[list[Group], LockInfo | None]:
        rrsets = list_record_sets(self.aws, self.s.zone_id)
        try:
            groups = discover(rrsets)
        except RecordStateError as exc:
            raise Refused("refusing: " + "; ".join(exc.problems)) from exc
        return groups, read_lock(self.o.zone, rrsets)

    def _run(self) -> None:
        o, tl = self.o, self.tl
        self.aws.phase = "discover"
        try:
            self.s.zone_id = find_zone(self.aws, o.zone)
        except RecordStateError as exc:
            raise Refused("refusing: " + "; ".join(exc.problems)) from exc
        groups, held = self._read()
        tl.start_weights = weights_of(groups)
        tl.sample(0.0, tl.start_weights)
        soak = o.soak if o.soak is not None else float(max(g.ttl() for g in groups))
        tl.soak_s = soak
        self.p.event("discovered", zone=o.zone, weights=describe_weights(tl.start_weights))
        if held is not None:
            info = LockHeld(held, self.clock.now())
            if not o.break_lock:
                raise Refused(str(info))
            self.p.event("lock.stale", owner=held.owner, age=format_age(held.age(self.clock.now())))

        self.aws.phase = "preflight"
        checks, _ = run_preflight(self.aws, o.env, o.target, groups, self.prober, o.probe_urls)
        checks += self._parity(groups)
        tl.preflight = [c.as_dict() for c in checks]
        for c in checks:
            self.p.event("preflight", check=c.name, ok=c.ok, detail=c.detail)
        failed = [c for c in checks if not c.ok]
        plan = [s for s in o.steps if s > current_share(groups, o.target) + 1e-9]
        tl.plan = plan
        if o.dry_run or not failed:
            # A dry run shows the plan even when the preflight refuses it (then it exits 2).
            self.p.event("plan", to=o.target, steps=",".join(map(str, plan)) or "none", soak_s=soak)
        if failed:
            raise Refused(
                "preflight of "
                + o.target
                + " failed, DNS untouched: "
                + "; ".join(f"{c.name}: {c.detail}" for c in failed)
            )
        if o.dry_run:
            self._finish("dry-run", EXIT_OK, f"dry run: would shift to {o.target} in steps {plan}")
            return
        summary = (
            f"Shift {o.zone} to {o.target} in steps {plan or '[] (already active)'} "
            f"with {soak:g} s soaks?"
        )
        if o.confirm is not None and not o.confirm(summary):
            raise Refused("not confirmed; nothing changed")
        self._check_interrupt_before_changes()

        resuming = held is not None and held.target == o.target
        if not plan and not resuming and held is None:
            # Nothing to do: no lock, no outcome record, no change of any kind.
            self._finish("already-active", EXIT_OK, f"{o.target} is already active in {o.zone}")
            return
        self.aws.phase = "lock"
        # The lock records every record set's weights where this run's rollback would go: the
        # crashed run's start when resuming it (so a chain of crashes still ends where the
        # first run began), else what this run found.
        recorded = held.start_for(list(tl.start_weights)) if resuming and held else None
        lock = new_lock(
            o.zone, o.operator, self.clock.now(), o.target, recorded or tl.start_weights
        )
        acquire(self.aws, self.s.zone_id, lock, held if o.break_lock else None, self.clock.now())
        self.s.lock = lock
        self.p.event("lock.acquired", owner=o.operator)
        # Re-read under the lock: the weights must be the ones recorded in it.
        groups, _ = self._read()
        if weights_of(groups) != tl.start_weights:
            raise Refused(
                "the weights changed while the lock was being taken (now "
                f"{describe_weights(weights_of(groups))}); rerun to start from them"
            )
        self.s.groups = groups
        self.s.written = weights_of(groups)
        rollback_to, origin = recorded or weights_of(groups), rollback_origin(resuming, recorded)
        tl.rollback_weights = rollback_to
        plan = [s for s in o.steps if s > current_share(groups, o.target) + 1e-9]
        tl.plan = plan
        self._shift(plan, soak, rollback_to, origin)

    def _parity(self, groups: list[Group]) -> list[Check]:
        """The colours' functions compared (parity.py); the report keeps what was compared."""
        o, source = self.o, other(self.o.target)
        if o.parity is None:
            result = skipped(source, o.target, "--skip-parity")
        elif current_share(groups, source) <= 0:
            result = skipped(source, o.target, f"{source} takes no traffic: nothing to lose")
        else:
            result = o.parity.run(self.aws, o.env, o.target, source)
        self.tl.parity = result.as_dict()
        return as_checks(result)

    def _check_interrupt_before_changes(self) -> None:
        if self.s.interrupted:
            raise Refused(f"interrupted by {self.s.interrupted} before any change; nothing changed")

    def _shift(self, plan: list[int], soak: float, rollback_to: Weights, origin: str) -> None:
        o = self.o
        try:
            for i, pct in enumerate(plan, 1):
                self._check_interrupt()
                self._step(f"step {i}", pct, soak)
        except Exception as exc:  # any doubt -> roll back (a hard kill is handled by the rerun)
            self._rollback(rollback_to, origin, exc)
            return
        self.aws.phase = "unlock"
        self.tl.final_weights = self.s.written
        # Reached with no step only when finishing a crashed run that had already moved all.
        outcome = outcome_value(
            o.target, "completed", o.operator, self.clock.now(), other(o.target)
        )
        self._release(outcome, f"{o.target} carries the traffic")
        status = "completed" if plan else "already-active"
        self._finish(status, EXIT_OK, f"{o.target} is active in {o.zone}")

    def _release(self, outcome: str, done: str) -> None:
        """Record the outcome and unlock; a failure is after the weights are final: a warning."""
        assert self.s.lock is not None
        warning = release_noting(self.aws, self.s.zone_id, self.o.zone, self.s.lock, outcome, done)
        if warning:
            self._warn(warning)

    def _write(self, step: StepRecord, weights: Weights) -> None:
        changes = weight_changes(self.s.groups, weights)  # refuses all-zero weights
        resp = self.aws.call(
            "route53",
            "change_resource_record_sets",
            HostedZoneId=self.s.zone_id,
            ChangeBatch={"Comment": f"faas cutover {step.name}", "Changes": changes},
        )
        self.s.written = weights
        self.s.groups = with_weights(self.s.groups, weights)
        step.change_id = str(resp["ChangeInfo"]["Id"])
        self.tl.sample(self._elapsed(), weights)
        self.p.event("change.submitted", step=step.name, weights=describe_weights(weights))
        step.insync_wait_s = self._wait_insync(step.change_id, step.name)
        self.tl.insync_wait_s = round(self.tl.insync_wait_s + step.insync_wait_s, 3)

    def _step(self, name: str, pct: int, soak: float) -> None:
        self.aws.phase = name
        step = StepRecord(
            name, pct, step_weights(self.s.groups, self.o.target, pct), round(self._elapsed(), 3)
        )
        self.tl.steps.append(step)
        try:
            self._write(step, step.weights)
            self._check_interrupt()
            step.soak_s = self._soak(soak, name)
            self._check_interrupt()
            results = self.prober.check_all(self.o.env_probe_urls + self.o.probe_urls)
            step.probes = [r.as_dict() for r in results]
            bad = [r for r in results if not r.ok]
            for r in results:
                self.p.event("probe", step=name, url=r.url, ok=r.ok, detail=r.detail)
            if bad:
                step.ok = False
                raise StepFailed(
                    f"{name} ({pct}%): probe failed: "
                    + "; ".join(f"{r.url}: {r.detail}" for r in bad)
                )
        except Exception:
            step.ok = False
            raise
        finally:
            step.duration_s = round(self._elapsed() - step.started_s, 3)
            step.route53_calls = self.aws.stats.route53(name)
        self.p.event("step.done", step=name, percent=pct, route53_calls=step.route53_calls)

    def _wait_insync(self, change_id: str, label: str) -> float:
        """Poll GetChange until INSYNC: first poll at once, then 2, 4, 8, 15, 15... s."""
        start = self.clock.monotonic()
        delay = self.o.insync_delay
        while True:
            info = self.aws.call("route53", "get_change", Id=change_id)["ChangeInfo"]
            waited = self.clock.monotonic() - start
            if info["Status"] == "INSYNC":
                self.p.event("change.insync", step=label, waited_s=round(waited, 3))
                return round(waited, 3)
            if not self.s.rolling_back:
                self._check_interrupt()
            if waited >= self.o.insync_timeout:
                raise TimeoutError(
                    f"{label}: change {change_id} not INSYNC after {self.o.insync_timeout:g} s"
                )
            self.p.wait(f"{label}: waiting for INSYNC", waited, self.o.insync_timeout)
            self.clock.sleep(min(delay, self.o.insync_timeout - waited))
            delay = min(delay * 2, self.o.insync_max_delay)

    def _soak(self, soak: float, label: str) -> float:
        start = self.clock.monotonic()
        if soak <= 0:
            return 0.0
        self.p.event("soak.start", step=label, seconds=soak)
        while not self.s.interrupted:
            waited = self.clock.monotonic() - start
            if waited >= soak:
                break
            self.p.wait(f"{label}: soaking", waited, soak)
            self.clock.sleep(min(1.0, soak - waited))  # 1 s slices: the live line moves
        waited = self.clock.monotonic() - start
        self.tl.soak_total_s = round(self.tl.soak_total_s + waited, 3)
        return round(waited, 3)

    def _rollback(self, rollback_to: Weights, origin: str, cause: Exception) -> None:
        o = self.o
        self.s.rolling_back = True
        self.clock.rearm()  # the rollback's INSYNC wait must be a real wait again
        self.aws.phase = "rollback"
        self.p.event("rollback.start", reason=str(cause), to=describe_weights(rollback_to))
        try:
            if self.s.written != rollback_to:
                step = StepRecord("rollback", None, rollback_to, round(self._elapsed(), 3))
                self.tl.steps.append(step)
                self._write(step, rollback_to)
                step.duration_s = round(self._elapsed() - step.started_s, 3)
                step.route53_calls = self.aws.stats.route53("rollback")
            self.tl.final_weights = self.s.written
        except Exception as exc:
            self.tl.final_weights = self.s.written
            self._finish(
                "rollback-failed",
                EXIT_ROLLBACK_FAILED,
                f"ROLLBACK FAILED ({exc}) after: {cause}. Weights may be "
                f"{describe_weights(self.s.written)}; the lock is kept. Check the zone, then rerun "
                f"with --to {other(o.target)} --break-lock.",
            )
            return
        active = strongest(rollback_to) or other(o.target)
        # Only a rollback to a recorded start is recorded as one; after taking over a lock that
        # kept no start, the record says what was restored instead.
        result = "rolled-back" if origin != rollback_origin(True, None) else "restored-takeover"
        outcome = outcome_value(active, result, o.operator, self.clock.now(), o.target)
        self._release(outcome, f"the weights are back to {origin}")
        self._finish("rolled-back", EXIT_ROLLED_BACK, f"rolled back to {origin}: {cause}")
