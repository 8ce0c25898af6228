"""Authentication on the DMZ gateway: validate JWTs from the configured issuer, require one.

`RequestAuthentication` only rejects *invalid* tokens; the `AuthorizationPolicy` (ALLOW) makes a
valid one mandatory, except for configured public hosts and paths
(https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#require-a-valid-token).
The internal gateway is reachable only inside the VPC and is left to the functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components import constants as c
from components import naming
from components.config.serving import OidcConfig

# Knative's readiness prober calls `/healthz` on the gateway pods (with a K-Network-Probe header);
# blocking it would leave every route not-ready, so the path is always public.
PROBE_PATH = "/healthz"


@dataclass
class AuthArgs:
    oidc: OidcConfig
    platform_public_hosts: list[str]
    """Platform hosts that answer without a token (the smoke service the cutover probes)."""
    depends_on: list[pulumi.Resource]
    """istiod (its chart installs the security.istio.io CRDs and validating webhook)."""


def authorization_rules(oidc: OidcConfig, platform_public_hosts: list[str]) -> list[dict]:
    rules: list[dict] = [{"from": [{"source": {"requestPrincipals": ["*"]}}]}]
    hosts = sorted({*oidc.public_hosts, *platform_public_hosts})
    if hosts:
        rules.append({"to": [{"operation": {"hosts": hosts}}]})
    paths = sorted({*oidc.public_paths, PROBE_PATH})
    rules.append({"to": [{"operation": {"paths": paths}}]})
    return rules


class GatewayAuth(pulumi.ComponentResource):
    def __init__(self, name: str, args: AuthArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:serving:GatewayAuth", name, None, opts)
        selector = {"matchLabels": c.gateway_selector("dmz")}
        rule = {
            "issuer": args.oidc.issuer,
            "jwksUri": args.oidc.jwks_uri,
            "forwardOriginalToken": True,
        }
        if args.oidc.audiences:
            rule["audiences"] = list(args.oidc.audiences)
        CustomResource(
            naming.child_name(name, "jwt"),
            api_version="security.istio.io/v1",
            kind="RequestAuthentication",
            metadata=ObjectMetaArgs(name="dmz-jwt", namespace=c.ISTIO_NAMESPACE),
            spec={"selector": selector, "jwtRules": [rule]},
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.depends_on),
        )
        CustomResource(
            naming.child_name(name, "require-jwt"),
            api_version="security.istio.io/v1",
            kind="AuthorizationPolicy",
            metadata=ObjectMetaArgs(name="dmz-require-jwt", namespace=c.ISTIO_NAMESPACE),
            spec={
                "selector": selector,
                "action": "ALLOW",
                "rules": authorization_rules(args.oidc, args.platform_public_hosts),
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.depends_on),
        )
        self.register_outputs({})
