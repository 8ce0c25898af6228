"""Function parity between the colours: the target must already run every function the active
colour runs, Ready, with the same image, before any DNS change.

Per Knative Service (namespace, name) it compares Ready and the image digest of the latest ready
revision (`status.containerStatuses[].imageDigest` of that Revision; the image reference when
Knative recorded no digest), read from both clusters' APIs (kube.py). Missing, not Ready or a
different image on the target refuses the cutover, each service named; `--allow-missing NS/NAME`
accepts a deliberate difference for one service, and the report records it. Services only the
target has are listed, never a reason to refuse. `--skip-parity` (e.g. the active colour's API
is down) is recorded too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from components.naming import cluster_name

from .aws import Aws
from .kube import KubeApi, KubeError, Route, connect
from .preflight import Check

SERVICES = "/apis/serving.knative.dev/v1/services"
REVISIONS = "/apis/serving.knative.dev/v1/revisions"
_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
_KEY_RE = re.compile(rf"^{_LABEL}/{_LABEL}$")


@dataclass(frozen=True)
class Function:
    namespace: str
    name: str
    ready: bool
    reason: str  # the Ready condition's reason/message when not Ready
    revision: str  # status.latestReadyRevisionName ("" before any revision was ready)
    image: str  # digest(s) of the latest ready revision, or its image reference(s)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def as_dict(self) -> dict[str, Any]:
        return {"ready": self.ready, "revision": self.revision, "image": self.image}


def check_keys(keys: Iterable[str]) -> list[str]:
    """Usage problems of `--allow-missing` values (each must be NAMESPACE/NAME)."""
    return [f"--allow-missing {k!r}: expected NAMESPACE/NAME" for k in keys if not _KEY_RE.match(k)]


def _ready(obj: Mapping[str, Any]) -> tuple[bool, str]:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            ok = cond.get("status") == "True"
            why = cond.get("message") or cond.get("reason") or f"Ready={cond.get('status')}"
            return ok, "" if ok else str(why)
    return False, "no Ready condition yet"


def _image(revision: Mapping[str, Any] | None) -> str:
    if not revision:
        return ""
    statuses = (revision.get("status") or {}).get("containerStatuses") or []
    digests = sorted(
        f"{s.get('name', '')}={s['imageDigest']}" for s in statuses if s.get("imageDigest")
    )
    if digests:
        return ",".join(digests)
    containers = (revision.get("spec") or {}).get("containers") or []
    return ",".join(sorted(f"{c.get('name', '')}={c.get('image', '')}" for c in containers))


def functions(api: KubeApi) -> dict[str, Function]:
    """Every Knative Service of the cluster, by `namespace/name`."""
    revisions = {
        (r["metadata"]["namespace"], r["metadata"]["name"]): r for r in api.list(REVISIONS)
    }
    out = {}
    for svc in api.list(SERVICES):
        meta = svc["metadata"]
        ns, name = meta["namespace"], meta["name"]
        ready, reason = _ready(svc)
        latest = str((svc.get("status") or {}).get("latestReadyRevisionName") or "")
        fn = Function(ns, name, ready, reason, latest, _image(revisions.get((ns, latest))))
        out[fn.key] = fn
    return out


@dataclass
class ParityResult:
    source: str
    target: str
    skipped: str = ""  # why parity was not compared (operator's --skip-parity)
    error: str = ""  # an API could not be read: the cutover is refused
    compared: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # `ns/name: why`, in compared order
    allowed: list[str] = field(default_factory=list)  # differences accepted by --allow-missing

    @property
    def ok(self) -> bool:
        return not self.error and not self.refused

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "skipped": self.skipped,
            "error": self.error,
            "ok": self.ok,
            "compared": self.compared,
            "refused": self.refused,
            "allowed": self.allowed,
        }


def compare(
    source: Mapping[str, Function],
    target: Mapping[str, Function],
    names: tuple[str, str],
    allow: Iterable[str] = (),
) -> ParityResult:
    """Each of `source`'s services against `target`'s (`names`: the two colours)."""
    src, dst = names
    allowed = set(allow)
    result = ParityResult(source=src, target=dst)
    for key in sorted(set(source) | set(target)):
        a, b = source.get(key), target.get(key)
        if a is None:
            verdict, why = "target-only", ""
        elif b is None:
            verdict, why = "missing", f"missing on {dst}"
        elif not b.ready:
            verdict, why = "not-ready", f"not Ready on {dst}: {b.reason}"
        elif a.image and b.image != a.image:
            verdict, why = "different-image", f"{dst} runs {b.image or '?'}, {src} {a.image}"
        else:
            verdict, why = "ok", ""
        if why and key in allowed:
            result.allowed.append(f"{key}: {why}")
            verdict = f"allowed ({verdict})"
        elif why:
            result.refused.append(f"{key}: {why}")
        ns, _, name = key.partition("/")
        result.compared.append(
            {
                "namespace": ns,
                "name": name,
                src: a.as_dict() if a else None,
                dst: b.as_dict() if b else None,
                "verdict": verdict,
            }
        )
    unused = sorted(allowed - {c["namespace"] + "/" + c["name"] for c in result.compared})
    result.allowed += [f"{k}: no such service on either colour (nothing to allow)" for k in unused]
    return result


@dataclass
class ParityCheck:
    """What `Options.parity` holds: how to reach the clusters and what the operator allowed."""

    allow_missing: tuple[str, ...] = ()
    route: Route | None = None
    timeout: float = 10.0
    connector: Callable[..., KubeApi] = connect

    def run(self, aws: Aws, env: str, target: str, source: str) -> ParityResult:
        try:
            apis = {c: self.connector(aws, cluster_name(env, c), self.route, self.timeout)
                    for c in (source, target)}  # fmt: skip
            found = {c: functions(api) for c, api in apis.items()}
        except KubeError as exc:
            hint = " (if that colour is down, --skip-parity cuts over without comparing)"
            return ParityResult(source=source, target=target, error=f"{exc}{hint}")
        return compare(found[source], found[target], (source, target), self.allow_missing)


def skipped(source: str, target: str, why: str) -> ParityResult:
    return ParityResult(source=source, target=target, skipped=why)


def as_checks(result: ParityResult) -> list[Check]:
    """The result as preflight checks: one summary, one failed check per refused service."""
    label = f"function parity {result.source}->{result.target}"
    if result.skipped:
        return [Check(label, True, f"not compared: {result.skipped}")]
    if result.error:
        return [Check(label, False, result.error)]
    detail = (
        f"{len(result.compared)} service(s) compared, {len(result.refused)} refused, "
        f"{len(result.allowed)} allowed by --allow-missing"
    )
    checks = [Check(label, result.ok, detail)]
    for line in result.refused:
        key, _, why = line.partition(": ")
        checks.append(Check(f"function {key}", False, why))
    return checks
