"""The local servers' one way of running: on a daemon thread for the length of a `with` block.

`serve_forever` looks for `shutdown()` once per poll interval (0.5 s by default, paid again at
every teardown); a short interval makes the end of the block prompt.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer

POLL_SECONDS = 0.02


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    """Serve `server` in the background during the block, then stop and close it."""
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
