"""Policy rules around delivery, on the documents the program writes (the generic compliant /
non-compliant / unknown cases of every rule are in tests/test_policy_rules.py).

`iam-irsa-trust-pinned` covers every web-identity role: an EKS IRSA trust must pin the audience
to STS, a pipeline's (GitHub, Azure DevOps) to its own issuer's audience, never a wildcard.
"""

from __future__ import annotations

import json

import pytest

from components.delivery import documents as d
from policies.framework import Resource, run_resource_rule
from policies.rules import RULES_BY_NAME

PROVIDER = "arn:aws:iam::123456789012:oidc-provider/"


def hits(rule: str, props: dict) -> list[str]:
    r = RULES_BY_NAME[rule]
    res = Resource(type=r.types[0], urn=f"urn:pulumi:t::p::{r.types[0]}::r", props=props)
    return [h.message for h in run_resource_rule(r, res, r.settings(None))]


@pytest.mark.parametrize(
    ("issuer", "audience", "sub"),
    [
        (
            "token.actions.githubusercontent.com",
            "sts.amazonaws.com",
            "repo:acme/fn:environment:dev",
        ),
        ("vstoken.dev.azure.com/6a3c1b52", "api://AzureADTokenExchange", "sc://acme/fn/faas-dev"),
    ],
)
def test_pipeline_trusts_pass_with_their_own_audience(issuer, audience, sub):
    trust = d.oidc_trust(PROVIDER + issuer, issuer, audience, [sub])
    assert hits("iam-irsa-trust-pinned", {"assumeRolePolicy": trust}) == []


def test_an_eks_trust_with_another_audience_or_a_wildcard_is_flagged():
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/X"
    sub = "system:serviceaccount:payments:functions"
    wrong_aud = d.oidc_trust(PROVIDER + issuer, issuer, "api://other", [sub])
    assert hits("iam-irsa-trust-pinned", {"assumeRolePolicy": wrong_aud}) == [
        "web-identity trust without StringEquals <issuer>:aud = sts.amazonaws.com"
    ]
    doc = json.loads(d.oidc_trust(PROVIDER + "ci.example.com", "ci.example.com", "x", ["s"]))
    doc["Statement"][0]["Condition"]["StringEquals"]["ci.example.com:aud"] = "*"
    assert "web-identity trust without StringEquals on <issuer>:aud" in hits(
        "iam-irsa-trust-pinned", {"assumeRolePolicy": json.dumps(doc)}
    )


def test_the_repository_policy_is_not_public_and_an_open_one_is():
    policy = d.repository_policy("aws", "123456789012", "dev", None)
    assert hits("ecr-policy-not-public", {"repository": "r", "policy": policy}) == []
    doc = json.loads(policy)
    del doc["Statement"][0]["Condition"]["StringEquals"]
    found = hits("ecr-policy-not-public", {"repository": "r", "policy": json.dumps(doc)})
    assert found and "without binding it to the account" in found[0]
