"""Stack-level platform invariants that no single resource can show."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from components import naming
from policies.framework import (
    Hit,
    Resource,
    deferred_hit,
    get,
    of_type,
    referenced,
    stack_rule,
    strings,
)
from policies.rules.compute import NODE_GROUP, POOL_LABEL
from policies.rules.dns import CERTIFICATE
from policies.rules.eks import CLUSTER
from policies.rules.loadbalancing import LISTENER, LOAD_BALANCER, is_internet_facing

CERT_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
_CLUSTER_WILDCARD = re.compile(
    rf"^\*\.{naming.PREFIX}-(?P<color>{'|'.join(naming.COLORS)})\.(?P<base>[a-z0-9.-]+)$"
)


@stack_rule(
    "stack-system-node-group",
    description="A stack with an EKS cluster has an on-demand node group labelled pool=system.",
    source="platform invariant (docs/design.md: control planes stay on on-demand system nodes)",
    severity="critical",
    level="mandatory",
    fix="Add a NodeGroup with capacityType ON_DEMAND and labels faas.platform/pool=system.",
)
def system_node_group(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    clusters = of_type(resources, CLUSTER)
    if not clusters:
        return
    undecided: list[Hit] = []
    for group in of_type(resources, NODE_GROUP):
        try:
            system = get(group.props, "labels", POOL_LABEL) == "system"
            on_demand = get(group.props, "capacityType", default="ON_DEMAND") == "ON_DEMAND"
        except UnknownValueError as error:
            undecided.append(deferred_hit(error, group.urn))
            continue
        if system and on_demand:
            return
    if undecided:
        yield from undecided
    else:
        yield Hit("no ON_DEMAND node group labelled faas.platform/pool=system", clusters[0].urn)


def dmz_certificates(resources: Sequence[Resource]) -> tuple[list[Resource], list[Hit]]:
    """Certificates on listeners of internet-facing balancers (via validation if need be)."""
    certs: dict[str, Resource] = {}
    deferred: list[Hit] = []
    for listener in of_type(resources, LISTENER):
        balancers = referenced(listener, "loadBalancerArn", resources, LOAD_BALANCER)
        try:
            if not any(is_internet_facing(lb) for lb in balancers):
                continue
        except UnknownValueError as error:
            deferred.append(deferred_hit(error, listener.urn))
            continue
        targets = referenced(listener, "certificateArn", resources, CERTIFICATE, CERT_VALIDATION)
        for target in targets:
            if target.type == CERT_VALIDATION:
                for cert in referenced(target, "certificateArn", resources, CERTIFICATE):
                    certs[cert.urn] = cert
            else:
                certs[target.urn] = target
    return list(certs.values()), deferred


@stack_rule(
    "stack-dmz-certificate-names",
    description=(
        "The DMZ listener's certificate covers the cluster name *.faas-<color>.<baseDomain> and "
        "the environment name *.faas.<baseDomain>, so a cutover needs no new certificate."
    ),
    source="platform invariant (docs/edge.md: ACM cert covers cluster and environment names)",
    severity="critical",
    level="mandatory",
    fix="Build the certificate's names with naming.cluster_entry_names and naming.env_entry_names.",
)
def dmz_certificate_names(resources: Sequence[Resource], _: Mapping[str, Any]) -> Iterator[Hit]:
    certs, deferred = dmz_certificates(resources)
    yield from deferred
    for cert in certs:
        try:
            names = strings(cert.props, "domainName") + strings(
                cert.props, "subjectAlternativeNames"
            )
        except UnknownValueError as error:
            yield deferred_hit(error, cert.urn)
            continue
        matches = [m for m in map(_CLUSTER_WILDCARD.match, names) if m]
        if not matches:
            yield Hit(
                f"certificate {cert.name} covers no cluster name *.faas-<color>.<base>", cert.urn
            )
            continue
        for match in matches:
            base = match.group("base")
            cluster = naming.cluster_entry_names(base, match.group("color"))["dmz"]
            environment = naming.env_entry_names(base)["dmz"]
            missing = [n for n in (cluster, environment) if n not in names]
            if missing:
                yield Hit(f"certificate {cert.name} lacks {', '.join(missing)}", cert.urn)


RULES = [system_node_group, dmz_certificate_names]
