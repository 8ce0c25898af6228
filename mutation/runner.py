"""Runs one mutant's tests with the mutated module imported in place of its file.

The work tree is never written: an import hook first on `sys.meta_path` compiles the mutated
source for the one module under mutation (and never writes its bytecode), so runs can go in
parallel and an interrupted run leaves nothing behind.

Two ways to start a mutant's pytest run:
  fork        (default) one parent imports pytest and the heavy third-party packages (Pulumi,
              boto3, hypothesis, ...) once, then forks a child per mutant; the child installs the
              hook and runs pytest in-process. The project's own modules are never imported in the
              parent, so every child imports them fresh, the mutated one through the hook.
  subprocess  a fresh `python -m mutation.runner --child ...` per mutant: slower by the import
              time of every run, for platforms without fork.
Each child runs in its own process group, so a timeout also ends what its tests started (a moto
server).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Imported once in the fork parent so children do not pay for them; never a project module.
PRELOAD = (
    "pytest",
    "_pytest.python",
    "_pytest.fixtures",
    "xdist.plugin",
    "hypothesis",
    "yaml",
    "boto3",
    "botocore.session",
    "pulumi",
    "pulumi.runtime",
    "pulumi_policy",
    "pulumi_aws",
    "pulumi_kubernetes",
    "jsonschema",
    "networkx",
)
PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts=")


def module_name(path: str) -> str:
    parts = list(Path(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class _MutantLoader(importlib.machinery.SourceFileLoader):
    def __init__(self, fullname: str, path: str, source: str) -> None:
        super().__init__(fullname, path)
        self._source = source

    def get_code(self, fullname: str):  # type: ignore[override]
        return compile(self._source, self.path, "exec", dont_inherit=True)


class _MutantFinder(importlib.abc.MetaPathFinder):
    def __init__(self, fullname: str, path: str, source: str) -> None:
        self.fullname, self.path, self.source = fullname, path, source

    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if fullname != self.fullname:
            return None
        loader = _MutantLoader(fullname, self.path, self.source)
        locations = [str(Path(self.path).parent)] if self.path.endswith("__init__.py") else None
        return importlib.util.spec_from_file_location(
            fullname, self.path, loader=loader, submodule_search_locations=locations
        )


def install(path: str, source: str, name: str | None = None) -> None:
    """Make `import <module of path>` (or of `name`) load `source` instead of the file."""
    name = name or module_name(path)
    if name in sys.modules:
        raise RuntimeError(f"{name} was imported before the mutant hook was installed")
    sys.meta_path.insert(0, _MutantFinder(name, str(Path(path).resolve()), source))


def _child(path: str | None, source: str | None, tests: Iterable[str], log: str) -> int:
    """In the child process: own process group, output to `log`, hook, pytest."""
    # Already a session leader in the subprocess mode (it starts one): then nothing to do.
    with contextlib.suppress(PermissionError):
        os.setpgid(0, 0)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    if path is not None and source is not None:
        install(path, source)
    import pytest

    return int(pytest.main([*PYTEST_ARGS, *tests]))


def preload() -> None:
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    leaked = [m for m in sys.modules if m.split(".")[0] in ("components", "faas", "policies")]
    if leaked:
        raise RuntimeError(f"preloading imported project modules: {sorted(leaked)[:5]}")


@dataclass
class Job:
    key: str  # the mutant's id, or "baseline"
    path: str | None
    source: str | None
    tests: tuple[str, ...]
    log: str
    timeout: float


@dataclass
class Outcome:
    key: str
    code: int | None  # pytest's exit code; None on timeout
    seconds: float
    log: str


def _start(job: Job, mode: str) -> tuple[int, subprocess.Popen[bytes] | None]:
    if mode == "fork":
        pid = os.fork()
        if pid == 0:  # the child never returns from here
            code = 70
            try:
                code = _child(job.path, job.source, job.tests, job.log)
            finally:
                os._exit(code)
        return pid, None
    src_file = None
    if job.source is not None:
        src_file = job.log + ".py"
        Path(src_file).write_text(job.source)
    argv = [sys.executable, "-m", "mutation.runner", "--child", job.log]
    if job.path and src_file:
        argv += ["--path", job.path, "--source", src_file]
    proc = subprocess.Popen([*argv, "--", *job.tests], start_new_session=True)
    return proc.pid, proc


def run_jobs(jobs: list[Job], workers: int, mode: str) -> Iterator[Outcome]:
    """Run `jobs`, at most `workers` at a time; yield each outcome as it finishes."""
    pending = list(reversed(jobs))
    running: dict[int, tuple[Job, float, subprocess.Popen[bytes] | None]] = {}
    while pending or running:
        while pending and len(running) < workers:
            job = pending.pop()
            pid, proc = _start(job, mode)
            running[pid] = (job, time.monotonic(), proc)
        finished = False
        for pid, (job, started, proc) in list(running.items()):
            if proc is not None:
                code = proc.poll()
                done = code is not None
            else:
                got, status = os.waitpid(pid, os.WNOHANG)
                done = got == pid
                code = os.waitstatus_to_exitcode(status) if done else None
            elapsed = time.monotonic() - started
            if not done and elapsed > job.timeout:
                _kill_group(pid)
                if proc is not None:
                    proc.wait()
                else:
                    os.waitpid(pid, 0)
                done, code = True, None
            if done:
                finished = True
                del running[pid]
                yield Outcome(job.key, code, round(elapsed, 2), job.log)
        if not finished:
            # Polling our own children (not test synchronisation): a child's end is noticed
            # within 50 ms.
            time.sleep(0.05)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def first_failure(log: str) -> str:
    """The test that killed the mutant, from pytest's short summary ("FAILED tests/x.py::t")."""
    try:
        text = Path(log).read_text(errors="replace")
    except OSError:
        return ""
    for line in text.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" ", 2)[1]
    return ""


def _child_main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m mutation.runner")
    parser.add_argument("--child", required=True, help="log file")
    parser.add_argument("--path")
    parser.add_argument("--source")
    parser.add_argument("tests", nargs="*")
    args = parser.parse_args(argv)
    source = Path(args.source).read_text() if args.source else None
    return _child(args.path, source, args.tests, args.child)


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
