"""Several stacks in one `faas plan` (faas/plan/batch.py): the same documents in parallel as one
by one, in the order named, and the SDK modules loaded before the fork are the ones a plan uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

from components.config.stackfile import stacks_dir
from faas.plan import plan_documents
from faas.plan.batch import SDK_MODULES, plan_stacks


def _planned(stack: str) -> tuple[str, int, str]:
    doc, resolved = plan_documents(stack, stacks_dir())
    return stack, os.getpid(), json.dumps([doc, resolved], sort_keys=True)


def test_parallel_documents_match_one_by_one_in_the_order_named():
    order = ["dev-green", "dev", "dev-blue"]  # the environment between its colours
    alone = plan_stacks(order, stacks_dir(), _planned, jobs=1)
    together = plan_stacks(order, stacks_dir(), _planned, jobs=2)
    assert [r[0] for r in together] == order
    assert [r[2] for r in together] == [r[2] for r in alone]
    assert {r[1] for r in alone} == {os.getpid()}
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


def test_sdk_modules_are_the_ones_a_plan_loads():
    """What is loaded before forking (and what the benchmark's floor imports) is exactly what
    planning the dev environment's three stacks loads; in a fresh process."""
    code = (
        "import json, os, sys, types\n"
        "from faas.plan import plan_documents\n"
        "plan_documents('dev')\n"
        "print(json.dumps(sorted(m for m, mod in list(sys.modules.items())\n"
        "    if m.startswith(('pulumi_aws.', 'pulumi_kubernetes.'))\n"
        "    and type(mod) is types.ModuleType\n"
        "    and str(getattr(mod, '__file__', '')).endswith('__init__.py'))))\n"
        "sys.stdout.flush(); os._exit(0)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    loaded = set(json.loads(proc.stdout))
    wanted = {m for m in SDK_MODULES if m.startswith(("pulumi_aws.", "pulumi_kubernetes."))}
    parents = {m.rsplit(".", 1)[0] for m in wanted}
    assert wanted <= loaded
    assert loaded - wanted <= parents


# In a fresh process, under a time limit: without the fix it waits forever, and a hung test would
# hold its whole worker. The worker's garbage collection stands for any that finds the loop the
# worker inherited unreferenced.
AFTER_A_PARALLEL_PLAN = """
import asyncio, gc, time
from components.config.stackfile import stacks_dir
from faas.plan.batch import plan_stacks

def collect(stack):
    gc.collect()
    return stack

def as_a_plan_leaves_it():  # this process's loop and its executor, referenced by the policy only
    loop = asyncio.get_event_loop()
    loop.run_until_complete(loop.run_in_executor(None, time.sleep, 0))

as_a_plan_leaves_it()
assert plan_stacks(["dev-blue", "dev-green"], stacks_dir(), collect, jobs=2) == [
    "dev-blue", "dev-green"]
# an answer from the executor that arrives while the loop waits, as a plan's do
loop = asyncio.get_event_loop()
loop.run_until_complete(loop.run_in_executor(None, time.sleep, 0.2))
print("woke")
"""


def test_this_process_plans_again_after_a_parallel_plan():
    """A worker's copy of this process's event loop is never closed: closing it would take this
    process's wake-up pipe out of the epoll instance both share, and the next plan here (the
    executor's answer arriving while the loop waits) would wait forever."""
    proc = subprocess.run(
        [sys.executable, "-c", AFTER_A_PARALLEL_PLAN],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.strip() == "woke", proc.stderr
