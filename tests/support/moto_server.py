"""A real `moto_server` process on a free loopback port, reached through `AWS_ENDPOINT_URL`
(faas/ops/demo/local_aws.py), as pytest fixtures.

Tests talk to it over HTTP exactly as the scripts talk to AWS (boto3 honours `AWS_ENDPOINT_URL`), so
the request/response shapes, pagination and error codes are moto's server-side implementation rather
than an in-process patch. One process serves a whole test module; `reset()` wipes its state between
tests through moto's own reset endpoint, which is much faster than restarting the process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# The server itself lives in the package: `faas demo cutover` starts the same one.
from faas.ops.demo.local_aws import FAKE_ENV, MotoServer, aws_env, running_moto_server

__all__ = ["FAKE_ENV", "MotoServer", "aws_env", "moto_fixtures", "running_moto_server"]


def moto_fixtures(scope: str = "module", reset: bool = True) -> tuple[object, object]:
    """Two pytest fixtures: `moto_process` (one server per `scope`) and `moto` (per test: state
    reset, this process's boto3 pointed at the server). Bind both in a test module:
    `moto_process, moto = moto_fixtures()`. `reset=False` keeps the state between tests, for a
    module that puts back what its tests change (tests/support/cutover_world.py `Worlds`).
    """

    @pytest.fixture(scope=scope, name="moto_process")  # type: ignore[call-overload]
    def _server() -> Iterator[MotoServer]:
        with running_moto_server() as server:
            yield server

    @pytest.fixture(name="moto")
    def _per_test(moto_process: MotoServer) -> Iterator[MotoServer]:
        if reset:
            moto_process.reset()
        with aws_env(moto_process):
            yield moto_process

    return _server, _per_test
