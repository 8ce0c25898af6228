"""`faas:serving.observability`: how long Prometheus keeps metrics, on how large a volume, and
where Alertmanager sends alerts. Part of the `faas:serving` section (components/config/serving.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.config.reader import Problems, Reader, shown

KEYS = {"prometheusRetention", "prometheusStorageGb", "alertReceivers"}
RECEIVER_KEYS = {"name", "webhookUrl"}
# Prometheus durations (`--storage.tsdb.retention.time`): a number and one of y, w, d, h, m, s.
_RETENTION_RE = re.compile(r"^[1-9]\d*(y|w|d|h|m|s)$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
# Alertmanager's own receiver that drops what it gets (the Watchdog heartbeat goes there).
NULL_RECEIVER = "null"


@dataclass(frozen=True)
class AlertReceiver:
    name: str
    """Alertmanager receiver name (a DNS label)."""
    webhook_url: str
    """An https:// endpoint that takes Alertmanager's webhook payload (e.g. an incident tool)."""


@dataclass(frozen=True)
class ObservabilityConfig:
    prometheus_retention: str
    """How long Prometheus keeps samples (`15d`, `6w`)."""
    prometheus_storage_gb: int
    """Size of each Prometheus replica's encrypted gp3 volume."""
    alert_receivers: tuple[AlertReceiver, ...]
    """Where alerts go; the first receives everything not routed elsewhere. At least one."""


def read_observability(raw, path: str, problems: Problems) -> ObservabilityConfig:
    r = Reader(raw, path, problems, KEYS)
    retention = r.str("prometheusRetention", "15d")
    if retention and not _RETENTION_RE.match(retention):
        problems.add(r.sub("prometheusRetention"), f"{shown(retention)} is not a duration like 15d")
    receivers = []
    raw_receivers = r.list("alertReceivers", [])
    if not raw_receivers:
        problems.add(
            r.sub("alertReceivers"),
            "at least one receiver is required, or alerts go nowhere",
        )
    for i, item in enumerate(raw_receivers):
        rr = Reader(item, f"{r.sub('alertReceivers')}[{i}]", problems, RECEIVER_KEYS)
        name = rr.str("name")
        if name and (not _NAME_RE.match(name) or name == NULL_RECEIVER):
            problems.add(
                rr.sub("name"), f"{shown(name)} is not a usable receiver name (a DNS label)"
            )
        url = rr.str("webhookUrl")
        if url and not url.startswith("https://"):
            problems.add(rr.sub("webhookUrl"), f"{shown(url)} must be an https:// URL")
        receivers.append(AlertReceiver(name=name, webhook_url=url))
    names = [x.name for x in receivers]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.add(r.sub("alertReceivers"), f"receiver {shown(dup)} is listed twice")
    return ObservabilityConfig(
        prometheus_retention=retention,
        prometheus_storage_gb=r.int("prometheusStorageGb", 50, lo=10, hi=16000),
        alert_receivers=tuple(receivers),
    )
