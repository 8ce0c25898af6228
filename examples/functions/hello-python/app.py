"""hello-python: the reference function. Standard library only.

Knative sends HTTP to the port in $PORT (8080) and scales on in-flight requests; the function keeps
no state between requests, so any pod can serve any request and scale to zero costs nothing.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def greet(name: str | None) -> dict[str, str]:
    """The function itself: pure, so it is tested without a server."""
    who = (name or "").strip()[:64] or "world"
    return {"message": f"Hello, {who}!", "revision": os.environ.get("K_REVISION", "local")}


class Handler(BaseHTTPRequestHandler):
    server_version = "hello-python"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlparse(self.path)
        if url.path == "/healthz":
            self._send(200, {"status": "ok"})
            return
        if url.path != "/":
            self._send(404, {"error": "not found"})
            return
        name = parse_qs(url.query).get("name", [None])[0]
        self._send(200, greet(name))

    def _send(self, status: int, body: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt: str, *args) -> None:
        # One line per request on stdout: Fluent Bit ships it to CloudWatch.
        sys.stdout.write(f"{self.address_string()} {fmt % args}\n")


def serve(port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("", port), Handler)


def main() -> None:
    server = serve(int(os.environ.get("PORT", "8080")))
    # Knative sends SIGTERM on scale-down; finish in-flight requests and exit.
    signal.signal(signal.SIGTERM, lambda *_: server.shutdown())
    server.serve_forever()


if __name__ == "__main__":
    main()
