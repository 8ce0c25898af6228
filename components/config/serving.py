"""The `faas:serving` section: Knative, tracing, logs, OIDC and teams, typed and validated.

Read by `components.config.load`; the serving components take these dataclasses, not raw config,
so the settings have one definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.capacity import podsize
from components.config.delivery import CiConfig, read_team_delivery
from components.config.gitops import SourceConfig, read_source
from components.config.observability import ObservabilityConfig, read_observability
from components.config.reader import Problems, Reader, shown
from components.constants import PLATFORM_NAMESPACES, ROLE_ARN_RE, SMOKE_MAX_SCALE

_LABEL_RE = re.compile(r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$")

_QUANTITY_RE = re.compile(r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$")
_DURATION_RE = re.compile(r"^\d+(s|m|h)$")


@dataclass(frozen=True)
class TeamConfig:
    name: str
    """Team name; also its namespace (a DNS label)."""
    iam_role_arn: str
    """IAM role the team's engineers assume; bound to the namespace through an EKS access entry."""
    cpu: str
    """ResourceQuota `requests.cpu` and `limits.cpu` of the namespace."""
    memory: str
    """ResourceQuota `requests.memory` and `limits.memory`."""
    pods: int
    """ResourceQuota `pods`: never more than cpu and memory hold in default-sized function pods
    (the default when unset), never fewer than `maxScale`."""
    functions: tuple[str, ...] = ()
    """Function names; the environment stack gives each an image repository `<env>/<team>/<fn>`."""
    policies: tuple[str, ...] = ()
    """Managed policy ARNs attached to the team's function role (within the platform boundary)."""
    ci: CiConfig | None = None
    """The team's pipeline identity (OIDC issuer and subjects) that may push its images."""
    source: SourceConfig | None = None
    """Where the team's functions live in Git (`source: {url, path, revision, secretName}`);
    Flux syncs it on every colour. None: nothing is synced for the team."""


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    jwks_uri: str
    audiences: tuple[str, ...]
    public_hosts: tuple[str, ...]
    """Hosts on the DMZ gateway reachable without a token (e.g. a public webhook receiver)."""
    public_paths: tuple[str, ...]


@dataclass(frozen=True)
class TracingConfig:
    otlp_endpoint: str
    """Where the in-cluster OpenTelemetry collector exports traces (the backend)."""
    sample_rate: float


@dataclass(frozen=True)
class ServingConfig:
    scale_to_zero: bool
    container_concurrency: int
    """Default hard concurrency limit per pod; 0 = unbounded. Functions override per service."""
    scale_to_zero_grace: str
    revision_min_non_active: int
    revision_max_non_active: int
    revision_retain_since_last_active: str
    log_retention_days: int
    max_scale: int
    """The most pods one function may scale to (Knative `max-scale` and `max-scale-limit`); every
    team's quota holds at least this many default-sized function pods."""
    tracing: TracingConfig
    oidc: OidcConfig
    teams: tuple[TeamConfig, ...]
    observability: ObservabilityConfig


def _https(r: Reader, key: str) -> str:
    value = r.str(key)
    if value and not value.startswith("https://"):
        r.problems.add(r.sub(key), f"{shown(value)} must be an https:// URL")
    return value


def read_serving(raw, path: str, problems: Problems) -> ServingConfig:
    r = Reader(
        raw,
        path,
        problems,
        {
            "scaleToZero",
            "containerConcurrency",
            "scaleToZeroGrace",
            "revisionGc",
            "logRetentionDays",
            "tracing",
            "oidc",
            "teams",
            "maxScale",
            "observability",
        },
    )
    gc = Reader(
        r.get("revisionGc", {}),
        r.sub("revisionGc"),
        problems,
        {"minNonActive", "maxNonActive", "retainSinceLastActive"},
    )
    min_na = gc.int("minNonActive", 2, lo=0, hi=1000)
    max_na = gc.int("maxNonActive", 20, lo=0, hi=1000)
    if min_na > max_na:
        problems.add(gc.sub("minNonActive"), f"{min_na} is greater than maxNonActive {max_na}")
    retain = gc.str("retainSinceLastActive", "48h")
    grace = r.str("scaleToZeroGrace", "30s")
    for p, v in ((gc.sub("retainSinceLastActive"), retain), (r.sub("scaleToZeroGrace"), grace)):
        if v and not _DURATION_RE.match(v):
            problems.add(p, f"{shown(v)} is not a duration like 30s, 10m or 48h")

    t = Reader(r.get("tracing", {}), r.sub("tracing"), problems, {"otlpEndpoint", "sampleRate"})
    endpoint = t.str("otlpEndpoint", "")
    if endpoint and not re.match(r"^https?://", endpoint):
        problems.add(t.sub("otlpEndpoint"), f"{shown(endpoint)} is not an http(s):// URL")
    rate = t.get("sampleRate", 0.1)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        problems.add(t.sub("sampleRate"), f"{shown(rate)} is not a number in 0..1")
        rate = 0.1

    o = Reader(
        r.get("oidc"),
        r.sub("oidc"),
        problems,
        {"issuer", "jwksUri", "audiences", "publicHosts", "publicPaths"},
    )
    oidc = OidcConfig(
        issuer=_https(o, "issuer"),
        jwks_uri=_https(o, "jwksUri"),
        audiences=o.str_list("audiences", []),
        public_hosts=o.str_list("publicHosts", []),
        public_paths=o.str_list("publicPaths", ["/healthz"]),
    )
    for i, p in enumerate(oidc.public_paths):
        if not p.startswith("/"):
            problems.add(f"{o.sub('publicPaths')}[{i}]", f"{shown(p)} must start with /")

    max_scale = r.int("maxScale", 10, lo=1, hi=1000)
    if max_scale < SMOKE_MAX_SCALE:
        problems.add(
            r.sub("maxScale"),
            f"{max_scale} is below the smoke service's max-scale {SMOKE_MAX_SCALE}",
        )
    teams = []
    for i, raw_team in enumerate(r.list("teams", [])):
        tr = Reader(
            raw_team,
            f"{r.sub('teams')}[{i}]",
            problems,
            {
                "name",
                "iamRoleArn",
                "cpu",
                "memory",
                "pods",
                "functions",
                "policies",
                "ci",
                "source",
            },
        )
        name = tr.str("name")
        if name and not _LABEL_RE.match(name):
            problems.add(tr.sub("name"), f"{shown(name)} is not a DNS label (a-z, 0-9, -)")
        if name in PLATFORM_NAMESPACES:
            problems.add(tr.sub("name"), f"{shown(name)} is reserved for the platform")
        arn = tr.str("iamRoleArn")
        if arn and not ROLE_ARN_RE.match(arn):
            problems.add(tr.sub("iamRoleArn"), f"{shown(arn)} is not an IAM role ARN")
        cpu, memory = tr.str("cpu", "16"), tr.str("memory", "16Gi")
        for key, v in (("cpu", cpu), ("memory", memory)):
            if v and not _QUANTITY_RE.match(v):
                problems.add(tr.sub(key), f"{shown(v)} is not a Kubernetes quantity")
        quantities_ok = all(podsize.is_quantity(v) for v in (cpu, memory))
        fit = _team_fit(tr, cpu, memory, max_scale) if quantities_ok else 0
        pods = tr.int("pods", max(fit, 1), lo=1, hi=10000)
        if quantities_ok and pods > fit:
            problems.add(
                tr.sub("pods"),
                f"{pods} promises more pods than cpu {shown(cpu, True)} and memory "
                f"{shown(memory, True)} hold "
                f"({fit} default-sized function pods)",
            )
        elif "pods" in tr.raw and pods < max_scale:
            problems.add(tr.sub("pods"), f"{pods} is below maxScale {max_scale}")
        teams.append(
            TeamConfig(
                name=name,
                iam_role_arn=arn,
                cpu=cpu,
                memory=memory,
                pods=pods,
                **read_team_delivery(tr, _LABEL_RE),
                source=read_source(tr.get("source", None), tr.sub("source"), problems),
            )
        )
    names = [t.name for t in teams]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.add(r.sub("teams"), f"team {shown(dup)} is listed twice")

    return ServingConfig(
        scale_to_zero=r.bool("scaleToZero", True),
        container_concurrency=r.int("containerConcurrency", 0, lo=0, hi=1000),
        scale_to_zero_grace=grace,
        revision_min_non_active=min_na,
        revision_max_non_active=max_na,
        revision_retain_since_last_active=retain,
        log_retention_days=r.retention_days("logRetentionDays", 30),
        tracing=TracingConfig(otlp_endpoint=endpoint, sample_rate=float(rate)),
        oidc=oidc,
        teams=tuple(teams),
        max_scale=max_scale,
        observability=read_observability(
            r.get("observability", {}), r.sub("observability"), problems
        ),
    )


def _team_fit(tr: Reader, cpu: str, memory: str, max_scale: int) -> int:
    """How many default-sized function pods (function + queue-proxy + Istio sidecar, as
    components/capacity/podsize.py sizes them) the team's quota holds; a problem on the key that
    falls short when that is fewer than one function at `max_scale`."""
    pod = podsize.function_pod()
    given = {"cpu": cpu, "memory": memory}
    hard = {k: given[k.split(".", 1)[1]] for k in podsize.QUOTA_KEYS}
    fit = podsize.pods_that_fit(hard, pod)
    if fit < max_scale:
        key = min(hard, key=lambda k: podsize.amount(k.split(".", 1)[1], hard[k]) // pod.usage(k))
        res = key.split(".", 1)[1]
        tr.problems.add(
            tr.sub(res),
            f"{shown(given[res], True)} holds {fit} function pods ({pod.describe()} each); "
            f"maxScale {max_scale} needs at least "
            f"{podsize.format_amount(res, pod.usage(key) * max_scale)}",
        )
    return fit
