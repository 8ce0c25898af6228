"""Time as a dependency, so tests run a cutover with virtual time and never sleep for real.

The only real waits of a cutover are the INSYNC polls and the soaks, which the report accounts
for separately; both go through `Clock.sleep`, which a signal handler can cut short through
`wake()`.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time (epoch seconds) for timestamps people read."""
        ...

    def monotonic(self) -> float:
        """Time for durations and deadlines."""
        ...

    def sleep(self, seconds: float) -> None:
        """Sleep up to `seconds`; may return early after `wake()`."""
        ...

    def wake(self) -> None:
        """Cut the current and any later sleep short (used on SIGINT/SIGTERM)."""
        ...

    def rearm(self) -> None:
        """Make sleeps full-length again (the rollback must really wait for INSYNC)."""
        ...


class RealClock:
    def __init__(self) -> None:
        # An Event rather than time.sleep so a signal handler can end a 60 s soak at once.
        self._woken = threading.Event()

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._woken.wait(seconds)

    def wake(self) -> None:
        self._woken.set()

    def rearm(self) -> None:
        self._woken.clear()


class FakeClock:
    """Virtual time: `sleep` advances the clock instantly and records what was asked for."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._t = start
        self._start = start
        self.sleeps: list[float] = []
        self.woken = False

    def now(self) -> float:
        return self._t

    def monotonic(self) -> float:
        return self._t - self._start

    def sleep(self, seconds: float) -> None:
        if seconds > 0 and not self.woken:
            self.sleeps.append(seconds)
            self._t += seconds

    def wake(self) -> None:
        self.woken = True

    def rearm(self) -> None:
        self.woken = False

    def advance(self, seconds: float) -> None:
        self._t += seconds
