"""EKS control plane rules (checkov CKV_AWS_37/38/39/58/339; CIS EKS 2.1.1, 4.1.7, 5.3.1, 5.4)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Resource, get, items, resource_rule, strings

CLUSTER = "aws:eks/cluster:Cluster"

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
WORLD = ("0.0.0.0/0", "::/0")
# CKV_AWS_339's supported window at the time of writing; policy config can move it.
SUPPORTED_VERSIONS = ["1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35"]


@resource_rule(
    "eks-control-plane-logging",
    [CLUSTER],
    description="EKS control plane logs all five log types to CloudWatch.",
    source="checkov CKV_AWS_37; CIS EKS 2.1.1; Security Hub EKS.8",
    severity="high",
    level="mandatory",
    fix="Set enabledClusterLogTypes to api, audit, authenticator, controllerManager, scheduler.",
)
def control_plane_logging(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    missing = [t for t in LOG_TYPES if t not in strings(res.props, "enabledClusterLogTypes")]
    if missing:
        yield f"control plane log types not enabled: {', '.join(missing)}"


@resource_rule(
    "eks-public-endpoint-restricted",
    [CLUSTER],
    description="The EKS public API endpoint is off or limited to known CIDRs (never 0.0.0.0/0).",
    source="checkov CKV_AWS_38 (CKV_AWS_39 when fully private); CIS EKS 5.4.1; Security Hub EKS.1",
    severity="critical",
    level="mandatory",
    fix=(
        "Set vpcConfig.endpointPublicAccess=false, or list the CI/operator CIDRs in "
        "vpcConfig.publicAccessCidrs (AWS defaults an empty list to 0.0.0.0/0)."
    ),
)
def public_endpoint(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    # AWS turns the public endpoint on when the flag is absent.
    public = get(res.props, "vpcConfig", "endpointPublicAccess", default=True)
    if public is False:
        return
    cidrs = strings(res.props, "vpcConfig", "publicAccessCidrs")
    if not cidrs:
        yield "public endpoint enabled without publicAccessCidrs (means 0.0.0.0/0)"
    for cidr in cidrs:
        if cidr in WORLD:
            yield f"public endpoint open to {cidr}"


@resource_rule(
    "eks-private-endpoint-enabled",
    [CLUSTER],
    description="Nodes reach the API server through the private endpoint inside the VPC.",
    source="CIS EKS 5.4.2",
    severity="high",
    level="mandatory",
    fix="Set vpcConfig.endpointPrivateAccess=true (AWS default is false).",
)
def private_endpoint(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "vpcConfig", "endpointPrivateAccess") is not True:
        yield "private endpoint access is not enabled"


@resource_rule(
    "eks-secrets-encryption",
    [CLUSTER],
    description="Kubernetes secrets are envelope-encrypted with a customer-managed KMS key.",
    source="checkov CKV_AWS_58; CIS EKS 5.3.1; Security Hub EKS.3",
    severity="critical",
    level="mandatory",
    fix="Set encryptionConfig = {resources: ['secrets'], provider: {keyArn: <platform KMS key>}}.",
)
def secrets_encryption(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    configs = items(res.props, "encryptionConfig")
    if not any("secrets" in strings(c, "resources") for c in configs):
        yield "no encryptionConfig covering the 'secrets' resource"
        return
    if not any(get(c, "provider", "keyArn") for c in configs):
        yield "encryptionConfig has no provider.keyArn"


@resource_rule(
    "eks-supported-version",
    [CLUSTER],
    description="The cluster runs a pinned, supported Kubernetes version.",
    source="checkov CKV_AWS_339; Security Hub EKS.2; "
    "platform invariant (docs/design.md: pinned versions in one place)",
    severity="high",
    level="mandatory",
    fix="Pin a supported version in components/versions.py and pass it as the cluster's version.",
    config={
        "supportedVersions": {
            "type": "array",
            "items": {"type": "string"},
            "default": SUPPORTED_VERSIONS,
        }
    },
)
def supported_version(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    version = get(res.props, "version")
    if version is None:
        # checkov passes a missing version; we do not, since AWS would then pick one for us.
        yield "version is not pinned"
    elif str(version) not in settings["supportedVersions"]:
        yield f"version {version} is not in {', '.join(settings['supportedVersions'])}"


@resource_rule(
    "eks-authentication-mode-api",
    [CLUSTER],
    description="Cluster access is managed by EKS access entries, not the aws-auth ConfigMap.",
    source="CIS EKS 4.1.7 (Cluster Access Manager API)",
    severity="medium",
    level="mandatory",
    fix="Set accessConfig.authenticationMode='API' and grant access with aws:eks/accessEntry.",
)
def authentication_mode(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    mode = get(res.props, "accessConfig", "authenticationMode")
    if mode != "API":
        yield f"authenticationMode is {mode or 'unset (CONFIG_MAP)'}"


RULES = [
    control_plane_logging,
    public_endpoint,
    private_endpoint,
    secrets_encryption,
    supported_version,
    authentication_mode,
]
