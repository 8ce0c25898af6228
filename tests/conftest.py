"""Session-wide set-up shared by pytest-xdist's workers.

The controller (or the only process, without `-n`) makes one directory per session for the
offline plans tests/support/plans.py shares between processes, and removes it at the end;
workers inherit it through the environment, so each shipped stack is planned once per session.
A fresh directory every session: nothing a run cached can reach the next one (a mutant's run
plans with the mutant). The longest modules are collected first, so no worker idles at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from tests.support.moto_server import moto_worker_server  # noqa: F401  (a session fixture)
from tests.support.plans import CACHE_ENV, shared_plan_documents


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller's directory came with the environment
    where = tempfile.mkdtemp(prefix="faas-test-plans-")
    os.environ[CACHE_ENV] = where
    config.stash[_DIR] = where


def pytest_unconfigure(config: pytest.Config) -> None:
    where = config.stash.get(_DIR, None)
    if where:
        shutil.rmtree(where, ignore_errors=True)
        os.environ.pop(CACHE_ENV, None)


_DIR = pytest.StashKey[str]()

# The longest test modules (by `--durations`), scheduled first: `make test` hands whole modules to
# the workers in collection order (`--dist loadfile --no-loadscope-reorder`; without the second,
# xdist would order them by their number of tests), and a long module started last leaves the
# other workers idle at the end. Only the order changes; a module missing here runs in its place.
FIRST = (
    "test_checkov_scan.py",  # skipped without .venv-checkov; in CI six real scans
    "test_docs_commands.py",
    "test_cutover_recovery.py",
    "test_cutover_flow.py",
    "test_contract_properties.py",
    "test_demo.py",
    "test_cutover_parity.py",
    "test_ci_pipelines.py",
    "test_bad_input_cutover.py",
    "test_house_rules.py",
    "test_plan_batch.py",
    "test_ci_select.py",
    "test_plan_cli.py",
    "test_cutover_cli.py",
    "test_bootstrap.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(FIRST)))  # stable: the rest in place


@pytest.fixture
def shared_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process `faas plan` runs of the shipped stack files get the session's plans
    (tests/support/plans.py) instead of planning each time again."""
    import faas.plan

    monkeypatch.setattr(faas.plan, "plan_documents", shared_plan_documents)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What a test process has loaded by now (pytest, the SDK, moto's and boto3's models: most of
    its heap) is kept out of the cyclic collector's scans, which otherwise walk all of it again
    on every full collection, and collections run less often (about 4 % of the suite's CPU time
    on 2 workers). The planner's own runs turn the collector off (docs/performance.md)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
