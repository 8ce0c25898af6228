"""Several stacks in one `faas plan` (faas/plan/batch.py): the same documents in parallel as one
by one, in the order named, and the SDK modules loaded before the fork are the ones a plan uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from components.config.stackfile import stacks_dir
from faas.plan import plan_documents
from faas.plan.batch import SDK_MODULES, plan_stacks
from tests.support import plans


def _planned(stack: str) -> tuple[str, int, str]:
    doc, resolved = plan_documents(stack, stacks_dir())
    return stack, os.getpid(), json.dumps([doc, resolved], sort_keys=True)


def test_parallel_documents_match_one_by_one_in_the_order_named():
    order = ["dev-green", "dev", "dev-blue"]  # the environment between its colours
    # one by one: the session's plans (tests/support/plans.py), each `plan_documents(stack)`
    alone = [json.dumps([plans.document(s), plans.plan(s)], sort_keys=True) for s in order]
    together = plan_stacks(order, stacks_dir(), _planned, jobs=2)
    assert [r[0] for r in together] == order
    assert [r[2] for r in together] == alone
    assert os.getpid() not in {r[1] for r in together}  # each planned in a worker
    # The environment was planned with its colours' exports (their records are in it).
    dev = json.loads(together[1][2])[0]
    types = {s["newState"]["type"] for s in dev["steps"]}
    assert "aws:route53/record:Record" in types


def test_by_default_no_fork_beside_other_threads():
    """A fork copies only the calling thread: with others running, stacks are planned here."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        pids = plan_stacks(["dev-blue", "dev-green"], stacks_dir(), lambda s: os.getpid())
    finally:
        stop.set()
        other.join()
    assert pids == [os.getpid(), os.getpid()]


# One fresh process for the two tests below, under a time limit (without the fix of the second it
# waits forever, and a hung test would hold its whole worker): it plans the dev environment, lists
# the SDK modules that loaded, then plans its colours in parallel workers whose garbage
# collection stands for any that finds the event loop they inherited unreferenced, and last waits
# on this process's loop for an answer from its executor, as its next plan would.
FRESH_PROCESS = """
import asyncio, gc, json, sys, time, types
from components.config.stackfile import stacks_dir
from faas.plan import plan_documents
from faas.plan.batch import plan_stacks

plan_documents("dev")  # leaves this process's loop and its executor behind, as any plan does
print(json.dumps(sorted(m for m, mod in list(sys.modules.items())
    if m.startswith(("pulumi_aws.", "pulumi_kubernetes."))
    and type(mod) is types.ModuleType
    and str(getattr(mod, "__file__", "")).endswith("__init__.py"))))

def collect(stack):
    gc.collect()
    return stack

assert plan_stacks(["dev-blue", "dev-green"], stacks_dir(), collect, jobs=2) == [
    "dev-blue", "dev-green"]
loop = asyncio.get_event_loop()
loop.run_until_complete(loop.run_in_executor(None, time.sleep, 0.2))
print("woke")
"""


@pytest.fixture(scope="module")
def fresh_process() -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_sdk_modules_are_the_ones_a_plan_loads(fresh_process):
    """What is loaded before forking (and what the benchmark's floor imports) is exactly what
    planning the dev environment's three stacks loads; in a fresh process."""
    loaded = set(json.loads(fresh_process[0]))
    wanted = {m for m in SDK_MODULES if m.startswith(("pulumi_aws.", "pulumi_kubernetes."))}
    parents = {m.rsplit(".", 1)[0] for m in wanted}
    assert wanted <= loaded
    assert loaded - wanted <= parents


def test_this_process_plans_again_after_a_parallel_plan(fresh_process):
    """A worker's copy of this process's event loop is never closed: closing it would take this
    process's wake-up pipe out of the epoll instance both share, and the next plan here (the
    executor's answer arriving while the loop waits) would wait forever."""
    assert fresh_process[1:] == ["woke"]
