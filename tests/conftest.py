"""Session-wide set-up shared by pytest-xdist's workers.

The controller (or the only process, without `-n`) makes one directory per session for the
offline plans tests/support/plans.py shares between processes, and removes it at the end;
workers inherit it through the environment, so each shipped stack is planned once per session.
A fresh directory every session: nothing a run cached can reach the next one (a mutant's run
plans with the mutant).
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from tests.support.plans import CACHE_ENV


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
