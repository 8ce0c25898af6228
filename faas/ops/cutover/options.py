"""What one cutover run is asked to do, and the checks on it made before anything is called."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parity import ParityCheck


@dataclass
class Options:
    env: str
    target: str
    zone: str
    steps: list[int]
    probe_urls: list[str]  # the target colour's own names: preflight and after every step
    env_probe_urls: list[str]  # the environment names: after every step
    soak: float | None = None  # None: the record TTL (60 s for ELB aliases)
    dry_run: bool = False
    break_lock: bool = False
    operator: str = "unknown"
    insync_timeout: float = 300.0
    insync_delay: float = 2.0  # first pause between GetChange polls, doubled up to the max
    insync_max_delay: float = 15.0
    # Asked once the plan is known and before the lock is taken; None means "--yes".
    confirm: Callable[[str], bool] | None = None
    # Function parity of the colours, checked in the preflight (parity.py); None: --skip-parity.
    parity: ParityCheck | None = None


def validate_steps(steps: list[int]) -> list[str]:
    problems = []
    if not steps:
        problems.append("--steps is empty")
    if any(not 1 <= s <= 100 for s in steps):
        problems.append(f"--steps {steps}: every step must be 1..100 (percent of traffic)")
    if any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
        problems.append(f"--steps {steps}: steps must increase")
    if steps and steps[-1] != 100:
        problems.append(f"--steps {steps}: the last step must be 100")
    return problems
