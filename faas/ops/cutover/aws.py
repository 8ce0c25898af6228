"""boto3 clients behind one `call()` that retries, rate-limits Route 53 and counts every attempt.

Why our own retry layer instead of botocore's: the report must show the number of Route 53 API
calls per step (every attempt, throttled ones included) and all waiting must go through the
injectable clock, so botocore's built-in retries are switched off (`total_max_attempts=1`) and this
module is the only place that retries.

Rate: Route 53 allows ~10 requests/s per *account* (token bucket of 50, refill 10/s; it was 5/s
until recently, see docs/sources/dns-cutover.md 5.3), shared with external-dns, Pulumi and the
console. We self-limit to 5 req/s sustained with a burst of 20: at most half the current account
budget and within the old hard limit, while a whole cutover (~15 calls) never has to wait for it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from faas.ops import aws_session

from .clock import Clock

# Error codes that mean "try again later", not "your request is wrong".
RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "PriorRequestNotComplete",  # Route 53: previous change to the same zone still processing
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "RequestTimeout",
    }
)
_TRANSIENT_EXC = (
    EndpointConnectionError,
    ConnectionClosedError,
    ReadTimeoutError,
    ConnectTimeoutError,
)


class AwsCallFailed(RuntimeError):
    """An AWS call failed for good (not retryable, or retries exhausted)."""

    def __init__(self, service: str, operation: str, cause: Exception) -> None:
        super().__init__(f"{service}.{operation} failed: {cause}")
        self.service = service
        self.operation = operation
        self.cause = cause

    @property
    def code(self) -> str:
        if isinstance(self.cause, ClientError):
            return str(self.cause.response.get("Error", {}).get("Code", ""))
        return ""


def error_code(exc: Exception) -> str:
    if isinstance(exc, AwsCallFailed):
        return exc.code
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def is_retryable(exc: Exception) -> bool:
    if isinstance(exc, _TRANSIENT_EXC):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error_code(exc) in RETRYABLE_CODES or int(status or 0) >= 500
    return False


class RateLimiter:
    """Token bucket on the injectable clock."""

    def __init__(self, clock: Clock, rate: float, burst: int) -> None:
        self._clock = clock
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._last = clock.monotonic()
        self.waited = 0.0

    def acquire(self) -> None:
        now = self._clock.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens < 1.0:
            wait = (1.0 - self._tokens) / self._rate
            self.waited += wait
            self._clock.sleep(wait)
            self._tokens = 1.0
            self._last = self._clock.monotonic()
        self._tokens -= 1.0


@dataclass
class CallStats:
    """Attempts per phase ("discover", "step 1", "rollback", ...) and service."""

    by_phase: dict[str, Counter[str]] = field(default_factory=dict)
    retries: int = 0
    retry_wait: float = 0.0

    def count(self, phase: str, service: str) -> None:
        self.by_phase.setdefault(phase, Counter())[service] += 1

    def route53(self, phase: str) -> int:
        return self.by_phase.get(phase, Counter())["route53"]


class Aws:
    def __init__(
        self,
        clock: Clock,
        region: str | None = None,
        *,
        session: boto3.session.Session | None = None,
        max_attempts: int = 8,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        route53_rate: float = 5.0,
        route53_burst: int = 20,
        rng: random.Random | None = None,
        log: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self._session = session or aws_session.session(region)
        self._clock = clock
        self._clients: dict[str, Any] = {}
        self._max_attempts = max_attempts
        self._base = base_delay
        self._cap = max_delay
        self._rng = rng or random.Random()
        self._log = log
        self.limiter = RateLimiter(clock, route53_rate, route53_burst)
        self.stats = CallStats()
        self.phase = "setup"
        self._config = Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        )

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, config=self._config)
        return self._clients[service]

    def call(self, service: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        method = getattr(self.client(service), operation)
        attempt = 0
        while True:
            attempt += 1
            if service == "route53":
                self.limiter.acquire()
            self.stats.count(self.phase, service)
            try:
                return dict(method(**kwargs))
            except Exception as exc:
                if not is_retryable(exc) or attempt >= self._max_attempts:
                    raise AwsCallFailed(service, operation, exc) from exc
                # Exponential backoff with "equal jitter": never less than half the step, so a
                # PriorRequestNotComplete really waits, and jitter spreads competing clients.
                step = min(self._cap, self._base * (2 ** (attempt - 1)))
                delay = step / 2 + self._rng.uniform(0, step / 2)
                self.stats.retries += 1
                self.stats.retry_wait += delay
                if self._log:
                    self._log(
                        "retry",
                        {
                            "call": f"{service}.{operation}",
                            "code": error_code(exc) or type(exc).__name__,
                            "attempt": attempt,
                            "delay_s": round(delay, 2),
                        },
                    )
                self._clock.sleep(delay)

    def pages(
        self, service: str, operation: str, items: str, token_in: str, token_out: str, **kw: Any
    ) -> list[dict[str, Any]]:
        """Simple token pagination through `call` (botocore paginators would bypass counting)."""
        out: list[dict[str, Any]] = []
        while True:
            resp = self.call(service, operation, **kw)
            out.extend(resp.get(items, []))
            token = resp.get(token_out)
            if not token:
                return out
            kw[token_in] = token
