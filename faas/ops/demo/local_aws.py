"""A real `moto_server` process on a free loopback port, reached through `AWS_ENDPOINT_URL`.

boto3 honours `AWS_ENDPOINT_URL`, so the cutover talks to it exactly as it talks to AWS: the
request/response shapes, pagination and error codes are moto's server-side implementation, not an
in-process patch. `reset()` wipes its state through moto's own reset endpoint. The process is
terminated when the context exits (normally, on an exception or on Ctrl-C), and on Linux it is
also asked to die with its parent (`PR_SET_PDEATHSIG`), so a killed demo leaves no server behind.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# The fake credentials moto accepts; they never leave loopback.
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
# Variables that could point boto3 somewhere other than the local server.
DROP = ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CA_BUNDLE")


class MotoMissing(Exception):
    """moto is not installed beside this interpreter: the dev extra is not installed."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class MotoServer:
    endpoint: str
    process: subprocess.Popen[bytes]

    def env(self) -> dict[str, str]:
        """Environment for a subprocess (or this process) that should reach this server only."""
        env = {k: v for k, v in os.environ.items() if k not in DROP}
        env.update(FAKE_ENV)
        env["AWS_ENDPOINT_URL"] = self.endpoint
        return env

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()


def moto_command() -> list[str]:
    """moto's server run by this interpreter (the project's .venv) through `moto_main`, which
    starts it with settings that only make it answer faster."""
    if importlib.util.find_spec("moto") is None:
        raise MotoMissing(
            "moto is not installed: the local AWS API (moto_server) comes with the dev extra "
            "(`pip install -e '.[dev]'`, or `make .venv/.installed`)"
        )
    return [sys.executable, "-m", "faas.ops.demo.moto_main"]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextmanager
def running_moto_server(startup_timeout: float = 30.0) -> Iterator[MotoServer]:
    port = free_port()
    proc = subprocess.Popen(
        [*moto_command(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            # Readiness poll on a process we just started: usable once its reset endpoint answers.
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
    """Point this process's boto3 at the server while the context lasts."""
    saved = {k: os.environ.get(k) for k in (*FAKE_ENV, *DROP, "AWS_ENDPOINT_URL")}
    try:
        for k in DROP:
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
