"""The health probes against local HTTPS servers (loopback only): status, body, N in a row, and
real certificate verification."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from faas.ops.cutover.probe import Prober, env_probe_url, target_probe_url
from tests.support.https_probe import ProbeServer, https_probe_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ProbeServer]:
    with https_probe_server(tmp_path / "probe") as s:
        yield s


def test_passes_only_after_count_successes_in_a_row(server: ProbeServer) -> None:
    result = Prober(count=3, cafile=server.cafile).check(server.url)
    assert result.ok and (result.passes, result.required) == (3, 3)
    assert result.detail.startswith("HTTP 200")
    assert server.requests == 3  # really asked three times


@pytest.mark.parametrize(
    ("status", "body", "detail"),
    [(503, "down", "HTTP 503"), (200, "maintenance", "body lacks 'ok'"), (404, "ok", "HTTP 404")],
    ids=["5xx", "200-without-ok", "404-with-ok-body"],
)
def test_wrong_status_or_body_fails_at_the_first_attempt(
    server: ProbeServer, status: int, body: str, detail: str
) -> None:
    server.fail(status, body)
    result = Prober(count=3, cafile=server.cafile).check(server.url)
    assert not result.ok and result.passes == 0 and detail in result.detail
    assert server.requests == 1  # stops at the first failure


def test_certificate_is_verified(server: ProbeServer) -> None:
    """Without the test CA the self-signed certificate must be refused, not trusted."""
    result = Prober(count=1).check(server.url)
    assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in result.detail
    assert server.requests == 0  # the handshake failed before any request


def test_unreachable_url_is_a_failure_not_an_exception(tmp_path: Path) -> None:
    with https_probe_server(tmp_path / "gone") as s:
        url, cafile = s.url, s.cafile
    result = Prober(count=2, timeout=2, cafile=cafile).check(url)  # server shut down: refused
    assert not result.ok and result.passes == 0


def test_probe_count_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Prober(count=0)


def test_default_probe_urls_use_the_knative_domain_template() -> None:
    assert target_probe_url("dev.example.com", "green") == (
        "https://smoke-faas-smoke.faas-green.dev.example.com/"
    )
    assert env_probe_url("dev.example.com") == "https://smoke-faas-smoke.faas.dev.example.com/"
