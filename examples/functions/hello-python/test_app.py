"""Tests of the reference function: the pure handler and one real request over loopback."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from app import greet, serve


def test_greet_defaults_to_world():
    assert greet(None)["message"] == "Hello, world!"
    assert greet("   ")["message"] == "Hello, world!"


def test_greet_names_and_bounds_input():
    assert greet("Ada")["message"] == "Hello, Ada!"
    assert len(greet("x" * 1000)["message"]) == len("Hello, !") + 64


@pytest.fixture
def server():
    srv = serve(0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_http_roundtrip(server):
    with urllib.request.urlopen(f"{server}/?name=Knative", timeout=5) as resp:
        assert resp.status == 200
        assert json.load(resp)["message"] == "Hello, Knative!"
    with urllib.request.urlopen(f"{server}/healthz", timeout=5) as resp:
        assert json.load(resp) == {"status": "ok"}


def test_unknown_path_is_404(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{server}/nope", timeout=5)
    assert err.value.code == 404
