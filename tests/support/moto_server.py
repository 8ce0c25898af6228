"""A real `moto_server` process on a free loopback port, reached through `AWS_ENDPOINT_URL`
(faas/ops/demo/local_aws.py), as pytest fixtures.

Tests talk to it over HTTP exactly as the scripts talk to AWS (boto3 honours `AWS_ENDPOINT_URL`), so
the request/response shapes, pagination and error codes are moto's server-side implementation rather
than an in-process patch. One process serves every module of a test process; `reset()` wipes its
state between modules and tests through moto's own reset endpoint, which is much faster than
restarting the process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# The server itself lives in the package: `faas demo cutover` starts the same one.
from faas.ops.demo.local_aws import FAKE_ENV, MotoServer, aws_env, running_moto_server

__all__ = [
    "FAKE_ENV", "MotoServer", "aws_env", "moto_fixtures", "moto_worker_server",
    "running_moto_server",
]  # fmt: skip


@pytest.fixture(scope="session")
def moto_worker_server() -> Iterator[MotoServer]:
    """One server per test process (each xdist worker), started when a module first asks for one:
    starting one costs more than a module's worth of resets (moto imports and loads each service
    on first use). Registered in tests/conftest.py."""
    with running_moto_server() as server:
        yield server


def moto_fixtures(reset: bool = True) -> tuple[object, object]:
    """Two pytest fixtures: `moto_process` (the process's server, wiped when a module starts, so
    a module sees a server as new) and `moto` (per test: state reset, this process's boto3
    pointed at the server). Bind both in a test module: `moto_process, moto = moto_fixtures()`.
    `reset=False` keeps the state between the module's tests, for a module that puts back what
    its tests change (tests/support/cutover_world.py `Worlds`).
    """

    @pytest.fixture(scope="module", name="moto_process")
    def _server(moto_worker_server: MotoServer) -> MotoServer:
        moto_worker_server.reset()
        return moto_worker_server

    @pytest.fixture(name="moto")
    def _per_test(moto_process: MotoServer) -> Iterator[MotoServer]:
        if reset:
            moto_process.reset()
        with aws_env(moto_process):
            yield moto_process

    return _server, _per_test
