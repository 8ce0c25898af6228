"""The reference functions under examples/functions/ keep their contract (see its README.md).

Every directory there is discovered and started as a real process on a free loopback port, with the
runtime its entry file names (RUNTIMES); a function whose runtime is not installed is skipped with
the reason. Each one must answer `/`, `/healthz` and 404, write exactly one JSON line per request on
stdout, exit 0 within a second of SIGTERM/SIGINT when idle, and finish an in-flight request first.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

FUNCTIONS = Path(__file__).resolve().parents[1] / "examples" / "functions"
FUNCTION_DIRS = sorted(
    d for d in FUNCTIONS.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))
)
REVISION = "hello-00042"
LOG_FIELDS = {"time", "method", "path", "status", "duration_ms", "revision"}
# The bounded waits of this file: startup (an interpreter on a busy CI core), and the contract's
# one second from SIGTERM to exit for an idle function.
READY_TIMEOUT = 10.0
EXIT_WITHIN = 1.0


def _node() -> list[str] | None:
    node = shutil.which("node")
    if node is None:
        return None
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    major = int(re.match(r"v(\d+)", out.strip()).group(1))
    return [node] if major >= 20 else None


# How to start a function, by the entry file in its directory. A function in a new language adds a
# row here; until then its directory fails test_every_function_has_a_runtime.
RUNTIMES: dict[str, tuple[str, Callable[[], list[str] | None]]] = {
    "app.py": ("python", lambda: [sys.executable]),
    "server.js": ("node >= 20", _node),
}


def _entry(fn_dir: Path) -> Path | None:
    return next((fn_dir / e for e in RUNTIMES if (fn_dir / e).is_file()), None)


def test_every_function_has_a_runtime():
    assert FUNCTION_DIRS, f"no functions under {FUNCTIONS}"
    assert [d.name for d in FUNCTION_DIRS if _entry(d) is None] == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Running:
    """One function process and the requests this test made of it (what its log must show)."""

    proc: subprocess.Popen
    port: int
    sent: list[tuple[str, str, int]] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)

    def request(self, method: str, target: str) -> tuple[int, http.client.HTTPMessage, dict]:
        conn = self.connection()
        try:
            conn.request(method, target)
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        self.record(method, target, resp.status)
        return resp.status, resp.headers, json.loads(body)

    def record(self, method: str, target: str, status: int) -> None:
        self.sent.append((method, target.partition("?")[0], status))

    def wait_ready(self) -> None:
        """Poll /healthz until it answers: bounded, and fails fast if the process died."""
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                self.collect()
                pytest.fail(f"exited with {self.proc.returncode} before ready:\n{self.stderr}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"not ready within {READY_TIMEOUT}s")
            time.sleep(0.01)

    def signal_and_time_exit(self, sig: signal.Signals, timeout: float) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(sig)
        return self.wait_exit(timeout, started)

    def wait_exit(self, timeout: float, started: float) -> tuple[int, float]:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {timeout}s after the signal")
        elapsed = time.monotonic() - started
        self.collect()
        return code, elapsed

    def collect(self) -> None:
        self.stdout, self.stderr = self.proc.communicate()

    def log(self) -> list[dict]:
        """Every stdout line, each of which must be one JSON object."""
        return [json.loads(line) for line in self.stdout.splitlines()]


@pytest.fixture(params=FUNCTION_DIRS, ids=lambda d: d.name)
def function(request) -> Iterator[Running]:
    entry = _entry(request.param)
    if entry is None:
        pytest.fail(f"{request.param.name}: no known entry file ({', '.join(RUNTIMES)})")
    needs, runtime = RUNTIMES[entry.name]
    command = runtime()
    if command is None:
        pytest.skip(f"{request.param.name} needs {needs} on PATH")
    port = _free_port()
    proc = subprocess.Popen(
        [*command, str(entry)],
        cwd=request.param,
        env={**os.environ, "PORT": str(port), "K_REVISION": REVISION},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    running = Running(proc, port)
    try:
        running.wait_ready()
        yield running
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_routes_and_one_json_log_line_per_request(function: Running):
    status, headers, body = function.request("GET", "/?name=Ada")
    assert (status, body) == (200, {"message": "Hello, Ada!", "revision": REVISION})
    assert headers["Content-Type"] == "application/json"
    assert function.request("GET", "/")[2]["message"] == "Hello, world!"
    assert function.request("GET", "/?name=%20%20")[2]["message"] == "Hello, world!"
    assert function.request("GET", "/?name=" + "x" * 1000)[2]["message"] == f"Hello, {'x' * 64}!"
    assert function.request("GET", "/healthz")[:3:2] == (200, {"status": "ok"})
    status, _, body = function.request("GET", "/nope?name=Ada")
    assert status == 404 and body == {"error": "not found"}
    status, headers, body = function.request("POST", "/")
    assert (status, headers["Allow"], body) == (405, "GET", {"error": "method not allowed"})

    code, _ = function.signal_and_time_exit(signal.SIGTERM, 5)
    assert code == 0, function.stderr
    log = function.log()
    # Exactly one line per request. Not in request order: a threaded server may log a response
    # after the client has already sent its next request.
    assert sorted((e["method"], e["path"], e["status"]) for e in log) == sorted(function.sent)
    for entry in log:
        assert set(entry) == LOG_FIELDS
        # RFC 3339 in UTC, spelled with Z.
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", entry["time"])
        assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0)
        assert isinstance(entry["duration_ms"], int | float) and entry["duration_ms"] >= 0
        assert entry["revision"] == REVISION
    # Query values never reach the log, not even for unknown paths.
    assert "Ada" not in function.stdout and "xxxx" not in function.stdout


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_idle_function_exits_0_within_a_second_of_the_signal(function: Running, sig):
    code, elapsed = function.signal_and_time_exit(sig, 5)
    assert code == 0, function.stderr
    assert elapsed < EXIT_WITHIN, f"exited after {elapsed:.3f}s"


def test_in_flight_request_finishes_after_sigterm_and_new_ones_are_refused(function: Running):
    delay_ms = 800
    slow = function.connection()  # HTTP/1.1 keep-alive: the client never closes it first
    slow.request("GET", f"/?name=Slow&delay_ms={delay_ms}")
    # Delayed answers send their headers first: once they are here, the request is in flight.
    resp = slow.getresponse()
    assert resp.status == 200
    started = time.monotonic()
    function.proc.send_signal(signal.SIGTERM)
    # Bounded poll until the listener is gone. A request that got in before it still counts; one
    # left in the listen backlog when the listener closed is reset, never served.
    while True:
        try:
            function.request("GET", "/healthz")
        except ConnectionRefusedError:
            break
        except ConnectionResetError:
            pass
        assert time.monotonic() - started < EXIT_WITHIN, "still accepting after SIGTERM"
    refused_after = time.monotonic() - started
    assert json.loads(resp.read()) == {"message": "Hello, Slow!", "revision": REVISION}
    function.record("GET", "/", 200)
    finished = time.monotonic()
    assert refused_after < finished - started, "refused only after the slow request ended"
    code, elapsed = function.wait_exit(5, finished)
    slow.close()
    assert code == 0, function.stderr
    assert elapsed < EXIT_WITHIN, f"exited {elapsed:.3f}s after the last response"
    log = function.log()
    assert sorted((e["method"], e["path"], e["status"]) for e in log) == sorted(function.sent)
    slow_entry = max(log, key=lambda e: e["duration_ms"])
    assert slow_entry["path"] == "/" and slow_entry["duration_ms"] >= delay_ms - 50


def test_client_leaving_mid_request_is_harmless(function: Running):
    with socket.create_connection(("127.0.0.1", function.port), timeout=5) as gone:
        gone.sendall(b"GET /?delay_ms=200 HTTP/1.1\r\nHost: fn\r\n\r\n")
        assert gone.recv(64).startswith(b"HTTP/1.")  # headers sent: the request is in flight
    function.record("GET", "/", 200)
    assert function.request("GET", "/healthz")[0] == 200
    # The drain waits for the abandoned request too, so its log line is written before exit.
    code, _ = function.signal_and_time_exit(signal.SIGTERM, 5)
    assert code == 0
    assert "Traceback" not in function.stderr and "Error" not in function.stderr, function.stderr
    assert sorted((e["method"], e["path"], e["status"]) for e in function.log()) == sorted(
        function.sent
    )


# The pure parts of each reference, tested without a server.


def _load(path: Path) -> ModuleType:
    """Import a function's module from its file, without touching sys.path."""
    spec = importlib.util.spec_from_file_location(f"function_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def hello_python() -> ModuleType:
    return _load(FUNCTIONS / "hello-python" / "app.py")


def test_python_greet_defaults_to_world(hello_python):
    assert hello_python.greet(None)["message"] == "Hello, world!"
    assert hello_python.greet("   ")["message"] == "Hello, world!"


def test_python_greet_names_and_bounds_input(hello_python, monkeypatch):
    monkeypatch.setenv("K_REVISION", "r1")
    assert hello_python.greet("Ada") == {"message": "Hello, Ada!", "revision": "r1"}
    assert len(hello_python.greet("x" * 1000)["message"]) == len("Hello, !") + 64


def test_python_delay_is_clamped(hello_python):
    assert [hello_python.delay_ms(v) for v in (None, "", "abc", "-5", "250", "999999")] == [
        0,
        0,
        0,
        0,
        250,
        hello_python.DELAY_MAX_MS,
    ]
    assert hello_python.DELAY_MAX_MS < hello_python.DRAIN_SECONDS * 1000


def test_python_log_line_has_the_contract_fields(hello_python, monkeypatch):
    monkeypatch.setenv("K_REVISION", "r1")
    entry = json.loads(hello_python.log_line("GET", "/", 200, 1.23456))
    assert set(entry) == LOG_FIELDS
    assert (entry["duration_ms"], entry["revision"]) == (1.235, "r1")


def test_node_unit_tests():
    """hello-node's own unit tests (node:test), run where node >= 20 exists."""
    node = _node()
    if node is None:
        pytest.skip("hello-node needs node >= 20 on PATH")
    fn = FUNCTIONS / "hello-node"
    result = subprocess.run(
        [*node, "--test", "server.test.js"], cwd=fn, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
