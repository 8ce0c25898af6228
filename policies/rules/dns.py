"""ACM and Route 53 rules (checkov CKV_AWS_234, CKV2_AWS_38, CKV2_AWS_39; weighted routing)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from policies.framework import (
    Hit,
    Resource,
    coverage,
    deferred_hit,
    get,
    items,
    links,
    of_type,
    resource_rule,
    stack_rule,
)

CERTIFICATE = "aws:acm/certificate:Certificate"
ZONE = "aws:route53/zone:Zone"
QUERY_LOG = "aws:route53/queryLog:QueryLog"
DNSSEC = "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec"
RECORD = "aws:route53/record:Record"
MAX_WEIGHT = 255  # Route 53 API limit


@resource_rule(
    "acm-dns-validation",
    [CERTIFICATE],
    description="Certificates validate by DNS so ACM renews them without anyone acting.",
    source="platform invariant (AWS ACM: managed renewal needs DNS validation records)",
    severity="high",
    level="mandatory",
    fix="Set validationMethod='DNS' and publish the validation CNAMEs in Route 53.",
)
def dns_validation(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    method = get(res.props, "validationMethod")
    if method != "DNS":
        yield f"validationMethod is {method or 'unset'}"


@resource_rule(
    "acm-transparency-logging",
    [CERTIFICATE],
    description="Certificates are published to Certificate Transparency logs.",
    source="checkov CKV_AWS_234",
    severity="medium",
    level="mandatory",
    fix="Set options.certificateTransparencyLoggingPreference='ENABLED' (or leave it unset).",
)
def transparency_logging(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if get(res.props, "options", "certificateTransparencyLoggingPreference") == "DISABLED":
        yield "certificate transparency logging is disabled"


@resource_rule(
    "route53-weight-range",
    [RECORD],
    description="Weighted records carry a setIdentifier and a weight within 0..255.",
    source="platform invariant (Route 53 API: weight 0..255, SetIdentifier required)",
    severity="high",
    level="mandatory",
    fix="Give each weighted record a setIdentifier (the colour) and a weight in 0..255.",
)
def weight_range(res: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    for policy in items(res.props, "weightedRoutingPolicies"):
        weight = get(policy, "weight")
        if not isinstance(weight, int | float) or not 0 <= weight <= MAX_WEIGHT:
            yield f"weight {weight} outside 0..{MAX_WEIGHT}"
        if not get(res.props, "setIdentifier"):
            yield "weighted record without setIdentifier"


@stack_rule(
    "route53-weighted-not-all-zero",
    description="A weighted record set never has every weight at 0.",
    source="platform invariant (Route 53: all-zero weights split traffic equally)",
    severity="critical",
    level="mandatory",
    fix="Keep the active colour's weight above 0; cutover moves weight, it never zeroes both.",
)
def weighted_not_all_zero(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    groups: dict[tuple[str, str], list[tuple[Resource, float]]] = defaultdict(list)
    undecided: set[tuple[str, str]] = set()
    for res in of_type(resources, RECORD):
        try:
            key = (str(get(res.props, "name", default="")).rstrip("."), str(get(res.props, "type")))
        except UnknownValueError as error:
            yield deferred_hit(error, res.urn)
            continue
        try:
            for policy in items(res.props, "weightedRoutingPolicies"):
                groups[key].append((res, float(get(policy, "weight", default=0))))
        except UnknownValueError as error:
            # One unknown weight leaves the whole set undecided: defer it, never pass or fail it.
            undecided.add(key)
            yield deferred_hit(error, res.urn)
    for key, members in sorted(groups.items()):
        if key not in undecided and all(weight == 0 for _, weight in members):
            yield Hit(f"every weight of {key[0]} {key[1]} is 0", members[0][0].urn)


def _is_public(zone: Resource) -> bool:
    return not items(zone.props, "vpcs")


@stack_rule(
    "route53-query-logging",
    description="Every public hosted zone logs DNS queries.",
    source="checkov CKV2_AWS_39",
    severity="medium",
    level="mandatory",
    fix="Add aws:route53/queryLog:QueryLog with zoneId=<zone>.zoneId (log group in us-east-1).",
)
def query_logging(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    public: list[Resource] = []
    for zone in of_type(resources, ZONE):
        try:
            if _is_public(zone):
                public.append(zone)
        except UnknownValueError as error:
            yield deferred_hit(error, zone.urn)
    yield from coverage(
        public,
        of_type(resources, QUERY_LOG),
        "zoneId",
        resources,
        ZONE,
        lambda zone: f"public zone {zone.name} has no query log",
    )


def _public_zones(resources: Sequence[Resource], deferred: list[Hit]) -> list[Resource]:
    public: list[Resource] = []
    for zone in of_type(resources, ZONE):
        try:
            if _is_public(zone):
                public.append(zone)
        except UnknownValueError as error:
            deferred.append(deferred_hit(error, zone.urn))
    return public


@stack_rule(
    "route53-dnssec-signing",
    description="Every public hosted zone is DNSSEC-signed (Route 53 signs only public zones).",
    source="checkov CKV2_AWS_38",
    severity="medium",
    level="mandatory",
    fix="Add aws:route53/hostedZoneDnsSec:HostedZoneDnsSec with hostedZoneId=<zone>.zoneId, "
    "signingStatus SIGNING, after an ACTIVE KeySigningKey (components/edge/dnssec.py).",
)
def dnssec_signing(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    deferred: list[Hit] = []
    public = _public_zones(resources, deferred)
    yield from deferred
    signed: set[str] = set()
    undecided: set[str] = set()
    pending: list[Hit] = []
    for dnssec in of_type(resources, DNSSEC):
        try:
            zones = {z.urn for z in links(dnssec, "hostedZoneId", resources, ZONE)}
        except UnknownValueError as error:  # which zone it signs is hidden by an unknown
            pending.append(deferred_hit(error, dnssec.urn))
            continue
        try:
            # The provider's default is SIGNING; NOT_SIGNING keeps the KSK but signs nothing.
            status = get(dnssec.props, "signingStatus", default="SIGNING")
        except UnknownValueError as error:
            undecided |= zones
            yield deferred_hit(error, dnssec.urn)
            continue
        if status == "SIGNING":
            signed |= zones
    unsigned = [z for z in public if z.urn not in signed | undecided]
    if unsigned and pending:
        yield from pending
        return
    for zone in unsigned:
        yield Hit(f"public zone {zone.name} is not DNSSEC-signed", zone.urn)


RULES = [
    dns_validation,
    transparency_logging,
    weight_range,
    weighted_not_all_zero,
    query_logging,
    dnssec_signing,
]
