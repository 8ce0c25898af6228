"""HTTPS probes: the smoke service must answer 200 with `ok` in the body, N times in a row.

Probes run back to back (no pause between attempts) so a cutover waits only on INSYNC and soaks.
Certificates are verified (the system trust store, or `--probe-ca` for a private CA / tests).
"""

from __future__ import annotations

import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from components.naming import SMOKE_NAMESPACE, SMOKE_SERVICE, cluster_zone_name, env_zone_name

EXPECT_STATUS = 200
EXPECT_BODY = "ok"


def smoke_host(domain: str) -> str:
    # Knative's domain template `{{.Name}}-{{.Namespace}}.{{.Domain}}` (docs/design.md, traps).
    return f"{SMOKE_SERVICE}-{SMOKE_NAMESPACE}.{domain}"


def target_probe_url(base_domain: str, color: str) -> str:
    """The smoke service at the colour's own name, reachable before any DNS shift."""
    return f"https://{smoke_host(cluster_zone_name(base_domain, color))}/"


def env_probe_url(base_domain: str) -> str:
    """The smoke service at the environment name, i.e. whatever the weights currently select."""
    return f"https://{smoke_host(env_zone_name(base_domain))}/"


@dataclass(frozen=True)
class ProbeResult:
    url: str
    ok: bool
    passes: int  # consecutive successes before the first failure (== required when ok)
    required: int
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "ok": self.ok,
            "passes": self.passes,
            "required": self.required,
            "detail": self.detail,
        }


class Prober:
    def __init__(self, count: int = 3, timeout: float = 5.0, cafile: str | None = None) -> None:
        if count < 1:
            raise ValueError("probe count must be at least 1")
        self.count = count
        self.timeout = timeout
        self._ctx = ssl.create_default_context(cafile=cafile)

    def once(self, url: str) -> tuple[bool, str]:
        start = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=self.timeout, context=self._ctx) as resp:
                status = resp.status
                body = resp.read(4096).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return False, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return False, f"{type(exc).__name__}: {reason}"
        ms = int((time.monotonic() - start) * 1000)
        if status != EXPECT_STATUS:
            return False, f"HTTP {status}"
        if EXPECT_BODY not in body:
            return False, f"HTTP {status} but body lacks {EXPECT_BODY!r}"
        return True, f"HTTP {status} in {ms} ms"

    def check(self, url: str) -> ProbeResult:
        detail = ""
        for i in range(self.count):
            ok, detail = self.once(url)
            if not ok:
                return ProbeResult(url, False, i, self.count, detail)
        return ProbeResult(url, True, self.count, self.count, detail)

    def check_all(self, urls: list[str]) -> list[ProbeResult]:
        return [self.check(u) for u in urls]
