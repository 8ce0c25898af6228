"""What people see while a cutover runs: a live line for waits on a terminal, structured
`key=value` log lines (or JSON lines with --json) otherwise, e.g. in CI logs.

Listeners get every event too; tests use them to act at a precise point (fail a probe after step 2,
send SIGINT mid-shift) instead of sleeping.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

Listener = Callable[[str, dict[str, Any]], None]


def _fmt(v: Any) -> str:
    s = str(v)
    return json.dumps(s) if (not s or any(ch in s for ch in ' "=')) else s


class Progress:
    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        json_lines: bool = False,
        listeners: list[Listener] | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.json_lines = json_lines
        self.listeners = list(listeners or [])
        self._live = False  # a \r-line is on screen and must be ended before the next log line

    def event(self, name: str, **fields: Any) -> None:
        self._end_live()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if self.json_lines:
            self.stream.write(
                json.dumps({"time": stamp, "event": name, **fields}, default=str) + "\n"
            )
        elif self.tty:
            detail = " ".join(f"{k}={_fmt(v)}" for k, v in fields.items())
            self.stream.write(f"{stamp[11:19]} {name:<16} {detail}\n")
        else:
            detail = " ".join(f"{k}={_fmt(v)}" for k, v in fields.items())
            self.stream.write(f"time={stamp} event={name} {detail}".rstrip() + "\n")
        self.stream.flush()
        for listener in self.listeners:
            listener(name, fields)

    def wait(self, label: str, elapsed: float, total: float) -> None:
        """A live progress bar on a terminal; nothing in logs (start/end are events)."""
        if not self.tty or self.json_lines:
            return
        frac = 0.0 if total <= 0 else min(1.0, elapsed / total)
        bar = "#" * int(frac * 30)
        self.stream.write(f"\r  {label:<28} [{bar:<30}] {elapsed:5.0f}/{total:.0f} s")
        self.stream.flush()
        self._live = True

    def _end_live(self) -> None:
        if self._live:
            self.stream.write("\n")
            self._live = False
