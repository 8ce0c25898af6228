"""A small IAM policy evaluator for tests: does a document allow this request?

Written for the platform's own documents (trust, identity, repository policies), after the IAM
user guide's policy evaluation logic: an explicit Deny wins, then any matching Allow; a statement
matches when its principal, action, resource and every condition match. Supports the operators
the platform writes: StringEquals/StringLike/StringNotEquals, ArnEquals/ArnLike/ArnNotEquals
(`*` and `?` wildcards; several values of one key are ORed, several keys and operators ANDed; a
key missing from the request fails a positive operator and satisfies a negated one). Anything
else (NotAction, NotPrincipal, other operators) raises, so a test never passes by omission.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SUPPORTED = {
    "StringEquals",
    "StringLike",
    "StringNotEquals",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
}


@dataclass(frozen=True)
class Request:
    action: str
    resource: str = "*"
    principal: tuple[str, str] | None = None
    """(kind, value): ("AWS", role ARN), ("Federated", provider ARN), ("Service", name)."""
    context: Mapping[str, str] = field(default_factory=dict)
    """Condition keys of the request: aws:PrincipalArn, <issuer>:sub, aws:RequestTag/..."""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _principal_matches(principal: Any, request: Request) -> bool:
    if request.principal is None:
        return True  # identity policies have no Principal
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        raise ValueError(f"unsupported Principal {principal!r}")
    kind, value = request.principal
    return any(p == "*" or p == value for p in _list(principal.get(kind, [])))


def _condition_matches(condition: Mapping[str, Any], request: Request) -> bool:
    for operator, block in condition.items():
        if operator not in SUPPORTED:
            raise ValueError(f"unsupported condition operator {operator}")
        negated = "Not" in operator
        like = operator.endswith("Like")
        for key, expected in block.items():
            actual = request.context.get(key)
            if actual is None:
                if not negated:
                    return False
                continue
            hit = any(wildcard(e, actual) if like else e == actual for e in _list(expected))
            if hit == negated:
                return False
    return True


def _statement_matches(stmt: Mapping[str, Any], request: Request) -> bool:
    for unsupported in ("NotAction", "NotPrincipal", "NotResource"):
        if unsupported in stmt:
            raise ValueError(f"unsupported element {unsupported}")
    if "Principal" in stmt and not _principal_matches(stmt["Principal"], request):
        return False
    if not any(wildcard(a, request.action, True) for a in _list(stmt["Action"])):
        return False
    if not any(wildcard(r, request.resource) for r in _list(stmt.get("Resource", "*"))):
        return False
    return _condition_matches(stmt.get("Condition") or {}, request)


def allows(document: str | Mapping[str, Any], request: Request) -> bool:
    """True when some statement allows the request and none denies it."""
    doc = json.loads(document) if isinstance(document, str) else document
    statements = _list(doc["Statement"])
    matching = [s for s in statements if _statement_matches(s, request)]
    if any(s["Effect"] == "Deny" for s in matching):
        return False
    return any(s["Effect"] == "Allow" for s in matching)


def web_identity(provider_arn: str, issuer: str, sub: str, aud: str) -> Request:
    """An AssumeRoleWithWebIdentity request carrying a token's sub and aud claims."""
    return Request(
        action="sts:AssumeRoleWithWebIdentity",
        principal=("Federated", provider_arn),
        context={f"{issuer}:sub": sub, f"{issuer}:aud": aud},
    )


def pod_identity(cluster_arn: str, namespace: str, service_account: str) -> Request:
    """The AssumeRole EKS Pod Identity makes, with the session tags it sets."""
    return Request(
        action="sts:AssumeRole",
        principal=("Service", "pods.eks.amazonaws.com"),
        context={
            "aws:RequestTag/eks-cluster-arn": cluster_arn,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": service_account,
        },
    )
