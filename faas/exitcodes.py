"""The exit codes of every `faas` command and script; the README's table is generated from here.

0 success; 1 a verdict (a mandatory policy violation, a budget exceeded) or a rollback; 2 refused
input, named, nothing changed; 3 a rollback that failed. A command never exits with a traceback:
arguments are validated before any side effect, and errors are one paragraph that names the
file, key path or argument. The code says what happened to what the command is for (the plan's
verdict, the traffic): something that fails after that (a report file, the cutover's outcome
record) is a warning on stderr and does not change it. 70 (`EX_SOFTWARE`) is a bug in `faas`
itself, never a judgement of the input; `faas` prints one line instead of a traceback (set
FAAS_TRACEBACK=1 to see it). 130 is Ctrl-C, the shell's convention.
"""

from __future__ import annotations

import sys
from pathlib import Path

OK = 0
VERDICT = 1
ROLLED_BACK = 1
REFUSED = 2
ROLLBACK_FAILED = 3
INTERNAL_ERROR = 70  # sysexits.h EX_SOFTWARE
INTERRUPTED = 130  # the shell's code for SIGINT (128 + 2)

TABLE = (
    (OK, "success: planned, checked, cut over (or already active), bootstrapped, written"),
    (
        VERDICT,
        "a verdict: a mandatory policy violation, a budget exceeded; or a rolled-back cutover",
    ),
    (REFUSED, "refused input, nothing changed: a bad argument, stack file, document or state"),
    (ROLLBACK_FAILED, "a cutover's rollback failed: the lock is kept, see docs/cutover.md"),
    (INTERNAL_ERROR, "a bug in faas (not a verdict on the input): please report it"),
    (INTERRUPTED, "interrupted (Ctrl-C) outside a cutover's steps, which roll back instead (1)"),
)

# What each code means for each command (the README table's last column). A command that never
# gives a code has no entry for it.
BY_COMMAND: dict[str, dict[int, str]] = {
    "plan": {
        OK: "every stack planned; no mandatory violation; within `--budget`",
        VERDICT: "a mandatory policy violation, or an environment over `--budget`",
        REFUSED: "a bad argument, stack file or `--against` document; every config problem of "
        "every stack listed; nothing planned",
    },
    "check": {
        OK: "no mandatory violation (advisory and deferred findings allowed)",
        VERDICT: "a mandatory policy violation; with `--checkov`, also a checkov failure that no "
        "skip explains",
        REFUSED: "a bad argument, or a file that is not a preview document (named, with the "
        "JSON path of the problem), or an unreadable policy config; with `--checkov`, a skip "
        "without a reason or checkov not installable",
    },
    "cutover": {
        OK: "completed, already active (then no record is written), or a dry run whose "
        "preflight passed; a warning when something after the final weights failed (the report "
        "file, the outcome record)",
        ROLLED_BACK: "a step failed or the run was interrupted: the weights were rolled back to "
        "where the run (or the crashed run it resumed) started",
        REFUSED: "nothing changed: a bad argument or stack file, bad record state, lock held, "
        "preflight failed (a dry run prints its plan first), not confirmed",
        ROLLBACK_FAILED: "the rollback itself failed: the lock is kept; check the zone, then "
        "rerun `--to <start colour> --break-lock`",
    },
    "bootstrap": {
        OK: "created, repaired or already as wanted",
        REFUSED: "a bad argument (nothing called), or AWS refused a call (the message lists what "
        "was already done; a rerun changes only what differs)",
    },
    "new-env": {
        OK: "the three stack files and the policy levels written",
        REFUSED: "a bad argument, a collision with an existing environment, or generated stacks "
        "that would not validate; nothing written",
    },
    "ci": {
        OK: "`changed-stacks`: the stacks to apply printed; `guard`: the change may be applied",
        VERDICT: "`guard`: a release change aimed at the colour taking traffic, without "
        "`--override`",
        REFUSED: "a bad argument, a git revision that does not resolve, or traffic that could not "
        "be read",
    },
    "completion": {OK: "the script printed", REFUSED: "an unknown shell"},
    "demo": {
        OK: "the local cutover completed and its report matches the local Route 53",
        VERDICT: "the local cutover rolled back, or its report disagrees with the local Route 53",
        REFUSED: "a bad argument or stack file, or no `moto_server` (the dev extra); nothing "
        "started",
    },
}


def documented(command: str) -> set[int]:
    """The codes `command` may exit with given its input (70 and 130 are not about the input)."""
    return set(BY_COMMAND.get(command, {}))


def markdown() -> str:
    """The README's exit-code table: one row per code, one column per command ("-": the command
    never exits with that code; 70 and 130 mean the same for every command)."""
    commands = list(BY_COMMAND)
    lines = [
        "| code | meaning | " + " | ".join(f"`{c}`" for c in commands) + " |",
        "|---|---|" + "---|" * len(commands),
    ]
    for code, meaning in TABLE:
        if any(code in BY_COMMAND[c] for c in commands):
            cells = [BY_COMMAND[c].get(code, "-") for c in commands]
        else:
            cells = ["(every command)"] * len(commands)
        lines.append(f"| **{code}** | {meaning} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- exit-codes:begin -->", "<!-- exit-codes:end -->"


def update_readme(readme: Path) -> None:
    """Rewrite the table between the markers (`python -m faas.exitcodes README.md`)."""
    text = readme.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    readme.write_text(text[:start] + "\n" + markdown() + text[end:])


if __name__ == "__main__":
    update_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
