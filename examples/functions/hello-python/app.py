"""hello-python: the reference function. Standard library only.

Knative sends HTTP to the port in $PORT (8080) and scales on in-flight requests; the function keeps
no state between requests, so any pod can serve any request and scale to zero costs nothing.
The contract it follows (routes, log line, shutdown) is in ../README.md.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

NAME_MAX = 64
# Simulated work (`/?delay_ms=`): shows concurrency-based autoscaling and lets the tests hold a
# request in flight across SIGTERM. Capped well below DRAIN_SECONDS so it can never outlive a drain.
DELAY_MAX_MS = 2000
# How long SIGTERM waits for in-flight requests. Knative only signals the container after its
# queue-proxy has drained, and the pod's grace period is 30 s by default: a few seconds is plenty.
DRAIN_SECONDS = 5.0
# serve_forever() checks for shutdown() once per poll interval; the default 0.5 s would eat half
# of the one second an idle pod has to exit.
POLL_SECONDS = 0.05

_stdout_lock = threading.Lock()


def greet(name: str | None) -> dict[str, str]:
    """The function itself: pure, so it is tested without a server."""
    who = (name or "").strip()[:NAME_MAX] or "world"
    return {"message": f"Hello, {who}!", "revision": revision()}


def revision() -> str:
    return os.environ.get("K_REVISION", "local")


def delay_ms(raw: str | None) -> int:
    """The requested simulated work, clamped to [0, DELAY_MAX_MS]; anything unparsable is 0."""
    try:
        return min(max(int(raw or 0), 0), DELAY_MAX_MS)
    except ValueError:
        return 0


def log_line(method: str, path: str, status: int, duration_ms: float) -> str:
    """One request as one JSON line. Only the path: query strings may carry personal data."""
    return json.dumps(
        {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(duration_ms, 3),
            "revision": revision(),
        }
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "hello-python"
    # HTTP/1.0 (the default): one request per connection, so a drain never waits on an idle
    # keep-alive connection parked in a handler thread.
    protocol_version = "HTTP/1.0"

    def handle_one_request(self) -> None:
        self._started = time.monotonic()
        self._status: int | None = None
        try:
            super().handle_one_request()
        finally:
            # None: the client closed without sending a request, so there is nothing to log.
            if self._status is not None:
                path = (getattr(self, "path", "") or "").partition("?")[0][:256]
                duration = (time.monotonic() - self._started) * 1000
                line = log_line(self.command or "-", path, self._status, duration)
                with _stdout_lock:
                    sys.stdout.write(line + "\n")
                    sys.stdout.flush()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.command != "GET":
            self._send(405, {"error": "method not allowed"}, allow="GET")
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client left before the answer was written: nobody to tell, not a fault
        except Exception:
            if self._status is None:  # still one answer and one log line; traceback on stderr
                self._send(500, {"error": "internal server error"})
            raise

    def _route(self) -> None:
        path, _, search = self.path.partition("?")
        if path == "/healthz":
            self._send(200, {"status": "ok"})
        elif path == "/":
            query = parse_qs(search)
            body = greet(query.get("name", [None])[0])
            self._send(200, body, delay=delay_ms(query.get("delay_ms", [None])[0]) / 1000)
        else:
            self._send(404, {"error": "not found"})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Malformed requests: a JSON body like every other answer, never echoing the input.
        self._send(code, {"error": HTTPStatus(code).phrase.lower()})

    def _send(self, status: int, body: dict[str, str], delay: float = 0, allow: str = "") -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if allow:
            self.send_header("Allow", allow)
        self.end_headers()
        if delay:
            # Headers first: the caller sees the request is being served while the work runs.
            self.wfile.flush()
            time.sleep(delay)
        self.wfile.write(data)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Called by send_response(); the line itself is written once the response is complete.
        self._status = int(code)


class Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that counts in-flight requests so shutdown can wait for them, bounded.

    The stock server_close() joins every handler thread with no time limit.
    """

    block_on_close = False

    def __init__(self, address: tuple[str, int]):
        super().__init__(address, Handler)
        self._idle = threading.Condition()
        self._active = 0

    def process_request(self, request, client_address) -> None:
        with self._idle:
            self._active += 1
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until no request is in flight; False if some still are after `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)


def serve(port: int) -> Server:
    return Server(("", port))


def run(server: Server) -> int:
    """Serve until SIGTERM/SIGINT, then drain. Returns the exit code."""
    signals = {signal.SIGTERM, signal.SIGINT}
    # shutdown() blocks until serve_forever() has returned, so calling it from a signal handler on
    # the thread that runs serve_forever() waits for itself forever (a pod then sits out its whole
    # grace period). https://docs.python.org/3/library/socketserver.html#socketserver.BaseServer.shutdown
    # Hence serve_forever runs on a worker thread and the main thread waits for the signal, then
    # shuts down. It waits with sigwait, not a handler setting an Event: the kernel may deliver a
    # process signal to any thread, and a handler only runs once the main thread wakes up, which
    # a blocked Event.wait() never does. Blocking the signals before any thread starts (threads
    # inherit the mask) leaves sigwait the only taker.
    # https://docs.python.org/3/library/signal.html#signals-and-threads
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    worker = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    worker.start()
    signal.sigwait(signals)
    server.shutdown()  # no new requests are accepted from here on
    server.server_close()  # closes the listening socket: new connections are refused
    if server.drain(DRAIN_SECONDS):
        return 0
    # Handler threads are daemons: exiting abandons them; a non-zero code records it on the pod.
    print(f"hello-python: requests still in flight after {DRAIN_SECONDS}s", file=sys.stderr)
    return 1


def main() -> None:
    sys.exit(run(serve(int(os.environ.get("PORT", "8080")))))


if __name__ == "__main__":
    main()
