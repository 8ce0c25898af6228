"""The exit codes of every `faas` command and script (the README's table is this one).

0 success; 1 a verdict (a mandatory policy violation, a budget exceeded) or a rollback; 2 refused
input, named, nothing changed; 3 a rollback that failed. A command never exits with a traceback:
arguments are validated before any side effect, and errors are one paragraph that names the
file, key path or argument.
"""

from __future__ import annotations

OK = 0
VERDICT = 1
ROLLED_BACK = 1
REFUSED = 2
ROLLBACK_FAILED = 3

TABLE = (
    (OK, "success: planned, checked, cut over (or already active), bootstrapped, written"),
    (
        VERDICT,
        "a verdict: a mandatory policy violation, a budget exceeded; or a rolled-back cutover",
    ),
    (REFUSED, "refused input, nothing changed: a bad argument, stack file, document or state"),
    (ROLLBACK_FAILED, "a cutover's rollback failed: the lock is kept, see docs/cutover.md"),
)
