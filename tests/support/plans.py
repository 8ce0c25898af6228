"""Offline plans of the shipped stacks for tests, computed once per test session.

`plan(stack)` holds what the program computed, with the values the planner's mocks made up in
place (ids, ARNs): for tests about the program (a policy JSON built from an ARN, a DS record
from a key). `document(stack)` is the same run as `faas plan --json` writes it, where what a real
preview would not know yet is the unknown sentinel (faas/plan/unknowns.py): for tests of what
reads the documents (the policy check, checkov, the report, the plan format).

Shared between the processes of one session (pytest-xdist's workers): the first process that
needs a stack plans its whole environment (the colours first, whose runs the environment's plan
then reads its exports from) under a file lock and pickles both documents of each into the
session's cache directory (`CACHE_ENV`, made by tests/conftest.py); the others load the files.
A cached plan is keyed by a hash of everything that decides it (the program's sources, the
policy configs, the stack files of the folder the plan reads), so a test that plans other stack
files (`FAAS_STACKS_DIR`) gets its own plan. The sources are hashed once per process (a mutation
run forks a process per mutant, with a directory of its own), so the program's code is taken as
fixed for a test process's life. Without the directory (a test module run outside this suite's
conftest) each process plans for itself.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
from functools import cache
from pathlib import Path
from typing import Any

from components import naming
from components.config.stackfile import read_stack_file, stacks_dir
from faas.plan import plan_documents

CACHE_ENV = "FAAS_TEST_PLAN_CACHE"
ROOT = Path(__file__).resolve().parents[2]
# What decides a plan besides the stack files: the program, the planner and its mocks, the pins
# (components/versions.py) and the policy configs the plan documents carry.
SOURCES = ("components", "faas", "policies")


def _digest(files: list[Path], into: Any) -> None:
    for f in sorted(files):
        into.update(str(f).encode() + b"\0" + f.read_bytes() + b"\0")


@cache
def _sources_digest() -> str:
    h = hashlib.sha256()
    for top in SOURCES:
        _digest(
            [p for p in (ROOT / top).rglob("*") if p.is_file() and "__pycache__" not in p.parts], h
        )
    return h.hexdigest()


def _key(stack: str) -> str:
    folder = stacks_dir().resolve()
    h = hashlib.sha256(f"{stack}\0{folder}\0{_sources_digest()}\0".encode())
    _digest(list(folder.glob("Pulumi.*.yaml")), h)
    return h.hexdigest()[:32]


def _environment(stack: str) -> list[str]:
    """The stacks planned together with `stack`: its environment's colours, then the environment
    (those with stack files, and `stack` itself in any case). An environment's plan reads its
    colours' exports from their runs, which the colours' own plans have just made and left
    (`faas.plan.run` keeps the latest run per stack), so the environment costs one run, not
    three."""
    env, _ = naming.parse_stack_name(stack)
    folder = stacks_dir()
    group = [naming.stack_name(env, c) for c in naming.COLORS] + [env]
    return [s for s in group if s == stack or read_stack_file(s, folder) is not None]


@cache
def _planned(stack: str, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    where = os.environ.get(CACHE_ENV)
    if not where:
        return plan_documents(stack)
    env, _ = naming.parse_stack_name(stack)
    path = Path(where) / f"{stack}-{key}.pickle"
    with open(Path(where) / f"{env}.lock", "w") as lock:
        # Only one process plans an environment; the others wait here and then read its files.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            for other in _environment(stack):
                done = Path(where) / f"{other}-{_key(other)}.pickle"
                if done.exists():
                    continue
                both = plan_documents(other)
                tmp = done.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(pickle.dumps(both, protocol=pickle.HIGHEST_PROTOCOL))
                tmp.replace(done)
        return pickle.loads(path.read_bytes())


def _both(stack: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return _planned(stack, _key(stack))


def shared_plan_documents(
    stack: str, where: Path | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`faas.plan.plan_documents` for a command run in-process by a test (the `shared_plans`
    fixture, tests/conftest.py): a shipped stack's documents are the session's plan, as a copy of
    their own (a command may change what it is given), any other folder is planned for real.
    Tests of the planner itself, and one end-to-end `faas plan --all`, still plan for real."""
    if where is not None and Path(where).resolve() != stacks_dir().resolve():
        return plan_documents(stack, where)
    return pickle.loads(pickle.dumps(_both(stack), protocol=pickle.HIGHEST_PROTOCOL))


def plan(stack: str) -> dict[str, Any]:
    """A shipped stack's plan (the program really ran, preview=False), with the mocks' values."""
    return _both(stack)[1]


def document(stack: str) -> dict[str, Any]:
    """The same plan as `faas plan --json` writes it: unknowns as a preview shows them."""
    return _both(stack)[0]


def states(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [s["newState"] for s in doc["steps"] if s["newState"]["type"] == type_]


def one(doc: dict[str, Any], type_: str, name: str) -> dict[str, Any]:
    found = [s for s in states(doc, type_) if s["urn"].endswith(f"::{name}")]
    assert len(found) == 1, f"expected one {type_} named {name}, found {len(found)}"
    return found[0]


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]
