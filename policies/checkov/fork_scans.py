"""Several checkov scans for one import of checkov: run by the checkov environment's interpreter
(`.venv-checkov/bin/python fork_scans.py JOBS`), never imported by the platform.

Importing checkov and loading its checks is most of a small scan's time (about 2 of 3 CPU
seconds), so this imports it once and forks one child per scan, up to JOBS at a time; each child
is what `checkov ARGS` would be after its imports, runs in the scan's folder with its own
arguments, and writes checkov's stdout and stderr to `stdout.txt` and `stderr.txt` there.

stdin: a JSON list of scans, each `{"cwd": folder, "argv": [checkov's arguments]}`.
stdout: a JSON list, in the order of the scans, of `{"code": checkov's exit code, "seconds": its
wall time}`.
Only the standard library and checkov: this file runs where the platform is not installed.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import warnings


def _child(cwd: str, argv: list[str]) -> int:
    """In the forked child: checkov's console script (checkov/main.py) with these arguments."""
    os.chdir(cwd)
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, fd)
        os.close(out)
    sys.argv = ["checkov", *argv]
    try:
        from checkov.main import Checkov

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=SyntaxWarning)
            code = Checkov(argv).run() or 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:  # reported in the scan's stderr.txt; the parent reads it
        traceback.print_exc()
        code = 2
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def main() -> int:
    jobs = max(1, int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    scans = json.load(sys.stdin)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        import checkov.main  # noqa: F401  - the import every child shares

    done: list[dict[str, float | int] | None] = [None] * len(scans)
    running: dict[int, tuple[int, float]] = {}  # pid -> (index, start)

    def reap() -> None:
        pid, status = os.wait()
        index, start = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        done[index] = {"code": code, "seconds": time.monotonic() - start}

    for index, scan in enumerate(scans):
        while len(running) >= jobs:
            reap()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            os._exit(_child(scan["cwd"], scan["argv"]))
        running[pid] = (index, time.monotonic())
    while running:
        reap()
    print("\n" + json.dumps(done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
