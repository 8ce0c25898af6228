"""The command contract, as tests check it: run a command, in-process or as a process, and assert
that whatever the input, it answered with a documented exit code and a message, never a traceback
(faas/exitcodes.py; README "The faas command").

In-process runs call the command's own `main`, so an exception that escapes is a test failure of
its own (the `faas` entry point would turn it into exit 70; the contract is that it never has to).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faas import exitcodes

FAAS = str(Path(sys.executable).parent / "faas")
REPO = Path(__file__).resolve().parents[2]
# No message line may echo more than this: generated inputs carry values of 5000 characters.
MAX_LINE = 1500


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def call(main: Callable[..., int], argv: Sequence[str], **kwargs: Any) -> Outcome:
    """`main(argv)` with stdout/stderr captured; argparse's SystemExit becomes the code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv), **kwargs)
        except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return Outcome(int(code), out.getvalue(), err.getvalue())


def faas(main_argv: Sequence[str]) -> Outcome:
    """`faas ARGV...` in-process, through the real dispatcher."""
    from faas.cli import main

    return call(main, main_argv)


def process(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> Outcome:
    """`faas ARGV...` as a real process (what CI and a shell see)."""
    proc = subprocess.run(
        [FAAS, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env or dict(os.environ),
        stdin=subprocess.DEVNULL,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def assert_contract(command: str, result: Outcome, *names: str) -> None:
    """A documented code for `command`; a refusal says something and names one of `names`
    (a file, a key path, an argument) when given; no traceback; no runaway line."""
    allowed = exitcodes.documented(command)
    assert result.code in allowed, (
        f"{command}: exit {result.code} is not one of {sorted(allowed)}\n{result.text[-3000:]}"
    )
    assert "Traceback (most recent call last)" not in result.text, result.text[-3000:]
    assert "internal error" not in result.err, result.err[-3000:]
    long = [line[:200] for line in result.text.splitlines() if len(line) > MAX_LINE]
    assert not long, f"{command}: message lines over {MAX_LINE} characters: {long}"
    if result.code == exitcodes.REFUSED:
        assert result.err.strip(), f"{command}: refused without a message"
        if names:
            assert any(n in result.err for n in names), (
                f"{command}: the message names none of {names}: {result.err[-2000:]}"
            )
