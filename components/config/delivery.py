"""A team's delivery keys inside `faas:serving.teams[]`: functions, function policies, pipeline.

Read with the rest of the team (components/config/serving.py); the environment stack reads the same
keys from both colours' stack files for the registry (components/config/registry.py). What they
build: docs/delivery.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from components.config.reader import Reader

# Managed policies: customer-managed (account id) or AWS-managed (`aws`), any partition.
POLICY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]{1,512}$")
# An OIDC issuer as IAM names its provider: host and optional path, without the scheme.
_ISSUER_RE = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}(/[\w.~-]+)*$")
GITHUB_ISSUER = "token.actions.githubusercontent.com"
# The audience each well-known issuer puts in its tokens for AWS: GitHub's documented default
# for aws-actions/configure-aws-credentials, Azure DevOps's workload identity federation audience.
DEFAULT_AUDIENCES = {
    GITHUB_ISSUER: "sts.amazonaws.com",
    "vstoken.dev.azure.com": "api://AzureADTokenExchange",
}


@dataclass(frozen=True)
class CiConfig:
    issuer: str
    """OIDC issuer of the team's pipeline without https:// (`token.actions.githubusercontent.com`,
    `vstoken.dev.azure.com/<organisation id>`); its IAM OIDC provider must exist in the account."""
    subjects: tuple[str, ...]
    """Exact `sub` claims allowed to push (`repo:acme/payments:environment:dev`,
    `sc://acme/payments/faas-dev`); wildcards are refused."""
    audience: str
    """The `aud` claim; defaults for GitHub and Azure DevOps."""


def policy_slug(arn: str) -> str:
    """The policy's name (last path segment): names its attachment, so reordering the list never
    detaches and re-attaches a policy."""
    return arn.rsplit("/", 1)[-1].lower().replace("_", "-").replace(".", "-")


def _default_audience(issuer: str) -> str | None:
    host = issuer.split("/", 1)[0]
    return DEFAULT_AUDIENCES.get(issuer) or DEFAULT_AUDIENCES.get(host)


def read_ci(raw: Any, path: str, problems) -> CiConfig | None:
    if raw is None:
        return None
    r = Reader(raw, path, problems, {"issuer", "subjects", "audience"})
    issuer = r.str("issuer")
    valid_issuer = bool(_ISSUER_RE.match(issuer))
    if issuer and not valid_issuer:
        problems.add(r.sub("issuer"), f"{issuer!r} is not an issuer host/path (no https://)")
    subjects = r.str_list("subjects")
    if not subjects and r.raw.get("subjects") is not None:
        problems.add(r.sub("subjects"), "lists no subject: no pipeline could push")
    for i, sub in enumerate(subjects):
        if not sub.strip() or any(ch in sub for ch in "*?"):
            problems.add(
                f"{r.sub('subjects')}[{i}]",
                f"{sub!r} must be one exact subject, not empty and without wildcards (which "
                "would let any branch or fork push)",
            )
    # A known issuer has a documented audience; any other must name its own (a wrong issuer is
    # reported once, not again as a missing audience).
    default = _default_audience(issuer) if valid_issuer else ""
    audience = r.str("audience", default) if default is not None else r.str("audience")
    return CiConfig(issuer=issuer, subjects=subjects, audience=audience)


def read_team_delivery(tr: Reader, label_re: re.Pattern[str]) -> dict[str, Any]:
    """`functions`, `policies` and `ci` of one team, as TeamConfig keyword arguments."""
    problems = tr.problems
    functions = tr.str_list("functions", [])
    for i, fn in enumerate(functions):
        if not label_re.match(fn):
            problems.add(f"{tr.sub('functions')}[{i}]", f"{fn!r} is not a DNS label (a-z, 0-9, -)")
    for dup in sorted({f for f in functions if functions.count(f) > 1}):
        problems.add(tr.sub("functions"), f"function {dup!r} is listed twice")
    policies = tr.str_list("policies", [])
    for i, arn in enumerate(policies):
        if not POLICY_ARN_RE.match(arn):
            problems.add(f"{tr.sub('policies')}[{i}]", f"{arn!r} is not a managed policy ARN")
    slugs = [policy_slug(a) for a in policies]
    for dup in sorted({s for s in slugs if slugs.count(s) > 1}):
        problems.add(tr.sub("policies"), f"two policies are named {dup!r}")
    return {
        "functions": functions,
        "policies": policies,
        "ci": read_ci(tr.get("ci", None), tr.sub("ci"), problems),
    }
