"""Load balancer, listener and target group rules (checkov CKV_AWS_2/91/103/150/152/261)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.framework import Resource, get, items, resource_rule, tags_of

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"

# CKV_AWS_103's accepted prefixes: TLS 1.2+ only.
TLS_POLICY_PREFIXES = [
    "ELBSecurityPolicy-TLS13",
    "ELBSecurityPolicy-FS-1-2",
    "ELBSecurityPolicy-TLS-1-2",
]


def is_internet_facing(res: Resource) -> bool:
    # AWS creates an internet-facing load balancer when `internal` is absent.
    return get(res.props, "internal") is not True


@resource_rule(
    "listener-tls",
    [LISTENER],
    description="Listeners terminate TLS (TLS/HTTPS), or HTTP only to redirect to HTTPS.",
    source="checkov CKV_AWS_2; CIS EKS 5.4.5",
    severity="critical",
    level="mandatory",
    fix="Use protocol TLS (NLB) or HTTPS (ALB) on port 443 with an ACM certificateArn.",
)
def listener_tls(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    protocol = get(res.props, "protocol")
    if protocol in ("TLS", "HTTPS"):
        if not get(res.props, "certificateArn"):
            yield f"{protocol} listener without certificateArn"
        return
    if protocol == "HTTP":
        actions = items(res.props, "defaultActions")
        if actions and all(
            get(a, "type") == "redirect" and get(a, "redirect", "protocol") == "HTTPS"
            for a in actions
        ):
            return
    yield f"listener protocol {protocol or 'unset'} on port {get(res.props, 'port', default='?')}"


@resource_rule(
    "listener-tls-policy",
    [LISTENER],
    description="TLS listeners negotiate TLS 1.2 or newer with forward-secret ciphers.",
    source="checkov CKV_AWS_103, CKV2_AWS_74",
    severity="high",
    level="mandatory",
    fix="Set sslPolicy='ELBSecurityPolicy-TLS13-1-2-2021-06' (or another TLS 1.2+ policy).",
    config={
        "allowedPrefixes": {
            "type": "array",
            "items": {"type": "string"},
            "default": TLS_POLICY_PREFIXES,
        }
    },
)
def listener_tls_policy(res: Resource, settings: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "protocol") not in ("TLS", "HTTPS"):
        return
    policy = get(res.props, "sslPolicy")
    if not policy:
        yield "sslPolicy unset (AWS default allows TLS 1.0)"
    elif not any(str(policy).startswith(p) for p in settings["allowedPrefixes"]):
        yield f"sslPolicy {policy} allows protocols older than TLS 1.2"


@resource_rule(
    "lb-access-logs",
    [LOAD_BALANCER],
    description="Load balancers write access logs to S3.",
    source="checkov CKV_AWS_91",
    severity="medium",
    level="mandatory",
    fix="Set accessLogs={bucket: <log bucket>, enabled: true}.",
)
def access_logs(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "accessLogs", "enabled") is not True or not get(
        res.props, "accessLogs", "bucket"
    ):
        yield "access logs are not enabled"


@resource_rule(
    "lb-cross-zone",
    [LOAD_BALANCER],
    description="Network load balancers balance across zones, so one zone's loss halves nothing.",
    source="checkov CKV_AWS_152",
    severity="medium",
    level="mandatory",
    fix="Set enableCrossZoneLoadBalancing=true on network load balancers.",
)
def cross_zone(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "loadBalancerType") == "network" and (
        get(res.props, "enableCrossZoneLoadBalancing") is not True
    ):
        yield "cross-zone load balancing is off"


@resource_rule(
    "lb-deletion-protection",
    [LOAD_BALANCER],
    description="Load balancers cannot be deleted by accident (their DNS names are in records).",
    source="checkov CKV_AWS_150",
    severity="medium",
    level="mandatory",
    fix="Set enableDeletionProtection=true (config level: advisory in dev, mandatory in prod).",
)
def deletion_protection(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "enableDeletionProtection") is not True:
        yield "deletion protection is off"


@resource_rule(
    "lb-entry-point-exposure",
    [LOAD_BALANCER],
    description="Only the DMZ balancer (Name *-dmz) is internet-facing; *-internal stays internal.",
    source="platform invariant (docs/edge.md: DMZ and internal entry points)",
    severity="critical",
    level="mandatory",
    fix="Name balancers via components/naming.py (-dmz or -internal) and set internal to match.",
)
def entry_point_exposure(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    name = tags_of(res).get("Name", "")
    public = is_internet_facing(res)
    if name.endswith("-dmz"):
        if not public:
            yield f"{name} is the DMZ entry point but internal=true"
    elif name.endswith("-internal"):
        if public:
            yield f"{name} is internet-facing"
    else:
        yield f"Name tag {name or 'missing'} ends neither with -dmz nor -internal"


@resource_rule(
    "target-group-health-check",
    [TARGET_GROUP],
    description="Target groups health-check their targets (with a path for HTTP(S) checks).",
    source="checkov CKV_AWS_261",
    severity="medium",
    level="mandatory",
    fix="Set healthCheck={enabled: true, protocol, port, path (for HTTP/HTTPS)}.",
)
def health_check(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    check = get(res.props, "healthCheck")
    if not check:
        yield "no healthCheck block"
        return
    if get(check, "enabled") is False:
        yield "health check disabled"
    elif get(check, "protocol") in ("HTTP", "HTTPS") and not get(check, "path"):
        yield "HTTP(S) health check without a path"


RULES = [
    listener_tls,
    listener_tls_policy,
    access_logs,
    cross_zone,
    deletion_protection,
    entry_point_exposure,
    health_check,
]
