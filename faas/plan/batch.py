"""Several stacks in one `faas plan`: one import, the cores in parallel, output in a stable order.

A plan's cost is mostly loading the SDK and registering the program's resources under the mock
monitor (docs/performance.md). So one process loads the SDK once and then forks a worker per
core (`os.fork` through multiprocessing's fork context: the workers share the loaded modules):
first every colour stack (independent of each other), then the environment stacks, each with its
colours' exports from the first round, as `pulumi up` would read them from the deployed stacks.
The caller gets the results in the order it named the stacks, so the output does not depend on
which worker finished first. With one core, one stack or `jobs=1` everything runs in this
process, one stack after the other (sharing the colours' runs, `faas.plan.run`); so it does by
default in a process that runs other threads (see `plan_stacks`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from components import naming
from components.config.stackfile import read_stack_file

R = TypeVar("R")

# The SDK modules the program touches (pulumi_aws and pulumi_kubernetes load a submodule on its
# first use): loaded before forking, so the workers share them instead of loading them each.
# tests/test_plan_batch.py checks the list against what a plan of every shipped stack loads.
SDK_MODULES = (
    "pulumi",
    "pulumi.runtime",
    "pulumi_aws.acm",
    "pulumi_aws.cloudwatch",
    "pulumi_aws.ec2",
    "pulumi_aws.ecr",  # the environment stack's registry
    "pulumi_aws.eks",
    "pulumi_aws.iam",
    "pulumi_aws.kms",
    "pulumi_aws.lb",
    "pulumi_aws.route53",
    "pulumi_aws.s3",
    "pulumi_aws.sqs",
    "pulumi_aws.vpc",
    "pulumi_kubernetes.apiextensions",
    "pulumi_kubernetes.core.v1",
    "pulumi_kubernetes.helm.v3",
    "pulumi_kubernetes.meta.v1",
    "pulumi_kubernetes.networking.v1",
    "pulumi_kubernetes.rbac.v1",
    "pulumi_kubernetes.storage.v1",
)


def load_sdk() -> None:
    """Import `SDK_MODULES` for real: a lazily loaded module loads on its first attribute."""
    for name in SDK_MODULES:
        getattr(importlib.import_module(name), "__all__", None)


def load_planner() -> None:
    """The SDK, the program and the planner's engine: what every worker would otherwise import."""
    load_sdk()
    importlib.import_module("components.platform")
    importlib.import_module("faas.plan.engine")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plan_stacks(
    stacks: list[str], where: Path, work: Callable[[str], R], jobs: int | None = None
) -> list[R]:
    """`work(stack)` for every stack, in that order; in parallel where `jobs` and the stacks
    allow. `work` plans its stack with `faas.plan.plan_documents`. By default as many jobs as
    cores, but one where this process already runs other threads (a test runner, the SDK's
    executor after an earlier plan): a fork copies only the calling thread, and a lock another
    thread held would stay locked in the worker."""
    if jobs is None:
        jobs = cores() if threading.active_count() == 1 else 1
    colours = [s for s in stacks if naming.parse_stack_name(s)[1] is not None]
    envs = [s for s in stacks if naming.parse_stack_name(s)[1] is None]
    # Colours an environment reads but that were not named: planned for their exports only.
    needed = [
        colour
        for env in envs
        for colour in _colours(env, where)
        if colour not in colours and read_stack_file(colour, where) is not None
    ]
    rounds = [[*colours, *dict.fromkeys(needed)], envs]
    if jobs <= 1 or max(len(r) for r in rounds) <= 1 or not hasattr(os, "fork"):
        return [work(s) for s in stacks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORK, _WHERE
    _WORK, _WHERE = work, where
    load_planner()  # before the fork: every worker shares the loaded modules
    results: dict[str, R] = {}
    exports: dict[str, dict[str, Any]] = {}
    size = min(jobs, max(len(r) for r in rounds))
    # With the fork context the workers are all started up front, before the executor's own
    # thread; a worker that dies fails the plan (BrokenProcessPool) instead of hanging it.
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(size, mp_context=fork, initializer=_fresh_loop) as pool:
        first = [(s, s in colours, {}) for s in rounds[0]]
        for stack, result, outputs in pool.map(_job, first):
            exports[stack] = outputs
            if result is not None:
                results[stack] = result
        second = [
            (env, True, {c: exports[c] for c in _colours(env, where) if c in exports})
            for env in envs
        ]
        for stack, result, _ in pool.map(_job, second):
            results[stack] = result
    return [results[s] for s in stacks]


_WORK: Callable[[str], Any] | None = None  # set before forking; the workers inherit it
_WHERE: Path | None = None


def _colours(env: str, where: Path) -> list[str]:
    return [naming.stack_name(env, c) for c in naming.COLORS]


_INHERITED: list[asyncio.AbstractEventLoop] = []


def _fresh_loop() -> None:
    """In a worker, before its first job: an event loop of its own for the SDK.

    The parent's loop does not survive a fork (its executor's threads stay behind), yet it must
    not be closed here either: its epoll instance is shared with the parent, and closing the loop
    (which garbage collection does to an unreferenced one) unregisters the parent's wake-up pipe
    from it, so that the parent's next plan waits forever for its executor. So the worker keeps
    it, untouched, for its whole life (docs/performance.md)."""
    with contextlib.suppress(RuntimeError):  # no loop in the parent: nothing shared
        _INHERITED.append(asyncio.get_event_loop_policy().get_event_loop())
    asyncio.set_event_loop(asyncio.new_event_loop())


def _job(job: tuple[str, bool, dict[str, dict[str, Any]]]) -> tuple[str, Any, dict[str, Any]]:
    """In a worker: (stack, work's result or None for exports only, the stack's exports)."""
    from faas import plan

    stack, wanted, colour_exports = job
    assert _WORK is not None and _WHERE is not None
    for colour, outputs in colour_exports.items():
        plan.seed(colour, outputs, _WHERE)
    result = _WORK(stack) if wanted else None
    outputs = (
        plan.run(stack, _WHERE, reuse=True).outputs if naming.parse_stack_name(stack)[1] else {}
    )
    return stack, result, outputs
