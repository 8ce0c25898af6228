"""A real `moto_server` process on a free loopback port, reached through `AWS_ENDPOINT_URL`.

Tests talk to it over HTTP exactly as the scripts talk to AWS (boto3 honours `AWS_ENDPOINT_URL`), so
the request/response shapes, pagination and error codes are moto's server-side implementation rather
than an in-process patch. One process serves a whole test module; `reset()` wipes its state between
tests through moto's own reset endpoint, which is much faster than restarting the process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# The fake credentials moto accepts; they never leave loopback.
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
# Variables that could point boto3 somewhere other than the local server.
_DROP = ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CA_BUNDLE")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MotoServer:
    endpoint: str
    process: subprocess.Popen[bytes]

    def env(self) -> dict[str, str]:
        """Environment for a subprocess (or this process) that should reach this server only."""
        env = {k: v for k, v in os.environ.items() if k not in _DROP}
        env.update(FAKE_ENV)
        env["AWS_ENDPOINT_URL"] = self.endpoint
        return env

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()


def _moto_binary() -> str:
    # The console script lives next to the interpreter running the tests (the project's .venv).
    candidate = Path(sys.executable).with_name("moto_server")
    return str(candidate) if candidate.exists() else "moto_server"


@contextmanager
def running_moto_server(startup_timeout: float = 20.0) -> Iterator[MotoServer]:
    port = _free_port()
    proc = subprocess.Popen(
        [_moto_binary(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            # Readiness poll on a process we just started (not synchronisation between test
            # steps): the server is usable once its reset endpoint answers.
            try:
                MotoServer(endpoint, proc).reset()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"moto_server exited early with {proc.returncode}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start in time") from None
                time.sleep(0.05)
        yield MotoServer(endpoint, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def aws_env(server: MotoServer) -> Iterator[None]:
    """Point this process's boto3 at the server for the duration of a test."""
    saved = {k: os.environ.get(k) for k in (*FAKE_ENV, *_DROP, "AWS_ENDPOINT_URL")}
    try:
        for k in _DROP:
            os.environ.pop(k, None)
        os.environ.update(FAKE_ENV)
        os.environ["AWS_ENDPOINT_URL"] = server.endpoint
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def moto_fixtures(scope: str = "module") -> tuple[object, object]:
    """Two pytest fixtures: `moto_process` (one server per `scope`) and `moto` (per test: state
    reset, this process's boto3 pointed at the server). Bind both in a test module:
    `moto_process, moto = moto_fixtures()`.
    """

    @pytest.fixture(scope=scope, name="moto_process")  # type: ignore[call-overload]
    def _server() -> Iterator[MotoServer]:
        with running_moto_server() as server:
            yield server

    @pytest.fixture(name="moto")
    def _per_test(moto_process: MotoServer) -> Iterator[MotoServer]:
        moto_process.reset()
        with aws_env(moto_process):
            yield moto_process

    return _server, _per_test
