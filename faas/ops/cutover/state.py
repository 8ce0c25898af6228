"""A cutover run's state as it goes, and the exceptions that end its stages."""

from __future__ import annotations

from dataclasses import dataclass, field

from .lock import LockInfo
from .records import Group, Weights


class Refused(Exception):
    """Nothing was changed; the message says why."""


class StepFailed(Exception):
    pass


class Interrupted(Exception):
    pass


@dataclass
class RunState:
    """What one run knows as it goes: where DNS is, the lock it holds, whether it must stop."""

    zone_id: str = ""
    groups: list[Group] = field(default_factory=list)
    written: Weights = field(default_factory=dict)  # what Route 53 holds now (as far as we wrote)
    lock: LockInfo | None = None
    interrupted: str = ""
    rolling_back: bool = False
