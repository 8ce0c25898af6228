"""Mock outputs of load balancers, certificates, hosted zones, DNSSEC, records and buckets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faas.plan.mocks.dnssec import ksk_outputs
from faas.plan.mocks.registry import NLB_ZONE_IDS, builds, named, validation_record

if TYPE_CHECKING:
    from faas.plan.mocks import AwsMocks


@builds("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(m: AwsMocks, name: str, inputs: dict):
    n = named(m, name, inputs)[:32]
    kind = "net" if inputs.get("loadBalancerType") == "network" else "app"
    arn = m._arn("elasticloadbalancing", f"loadbalancer/{kind}/{n}/{m._hex('lb', name, 16)}")
    prefix = "internal-" if inputs.get("internal") else ""
    return arn, {
        "arn": arn,
        "name": n,
        "arnSuffix": arn.split(":loadbalancer/")[1],
        "dnsName": f"{prefix}{n}-{m._hex('lbdns', name, 16)}.elb.{m.region}.amazonaws.com",
        "zoneId": NLB_ZONE_IDS.get(m.region, "Z26RNL4JYFTOTI"),
    }


@builds("aws:lb/targetGroup:TargetGroup")
def _target_group(m: AwsMocks, name: str, inputs: dict):
    n = named(m, name, inputs)[:32]
    arn = m._arn("elasticloadbalancing", f"targetgroup/{n}/{m._hex('tg', name, 16)}")
    return arn, {"arn": arn, "name": n, "arnSuffix": arn.split(":", 5)[5]}


@builds("aws:lb/listener:Listener")
def _listener(m: AwsMocks, name: str, inputs: dict):
    arn = m._arn("elasticloadbalancing", f"listener/net/{name}/{m._hex('lis', name, 16)}")
    return arn, {"arn": arn}


@builds("aws:acm/certificate:Certificate")
def _certificate(m: AwsMocks, name: str, inputs: dict):
    arn = m._arn("acm", f"certificate/{m._hex('acm', name, 8)}-{m._hex('acm2', name, 24)}")
    names = [inputs.get("domainName", "")] + list(inputs.get("subjectAlternativeNames") or [])
    seen, dvos = set(), []
    for d in names:
        if d and d not in seen:
            seen.add(d)
            dvos.append(validation_record(d))
    return arn, {"arn": arn, "status": "PENDING_VALIDATION", "domainValidationOptions": dvos}


@builds("aws:acm/certificateValidation:CertificateValidation")
def _cert_validation(m: AwsMocks, name: str, inputs: dict):
    return f"{name}-validated", {"certificateArn": inputs.get("certificateArn")}


@builds("aws:route53/zone:Zone")
def _zone(m: AwsMocks, name: str, inputs: dict):
    zid = "Z" + m._hex("zone", name, 20).upper()
    ns = [
        f"ns-{int(m._hex('ns', name, 3), 16) % 2000 + i}.awsdns-{i:02d}.{tld}"
        for i, tld in enumerate(("com", "net", "org", "co.uk"))
    ]
    m.zone_names[zid] = str(inputs.get("name", name)).rstrip(".")
    return zid, {"zoneId": zid, "nameServers": ns, "arn": f"arn:aws:route53:::hostedzone/{zid}"}


@builds("aws:route53/keySigningKey:KeySigningKey")
def _key_signing_key(m: AwsMocks, name: str, inputs: dict):
    # Route 53 computes these from the KMS key's public key (faas/plan/dnssec.py); the provider's
    # id is "<zone id>,<name>".
    zid, ksk = str(inputs.get("hostedZoneId", "")), str(inputs.get("name", name))
    out = ksk_outputs(m.zone_names.get(zid, name), seed=m._hex("ksk", name, 64))
    return f"{zid},{ksk}", {**out, "status": inputs.get("status") or "ACTIVE"}


@builds("aws:route53/hostedZoneDnsSec:HostedZoneDnsSec")
def _hosted_zone_dnssec(m: AwsMocks, name: str, inputs: dict):
    return str(inputs.get("hostedZoneId")), {
        "signingStatus": inputs.get("signingStatus") or "SIGNING"
    }


@builds("aws:route53/record:Record")
def _record(m: AwsMocks, name: str, inputs: dict):
    fqdn = str(inputs.get("name", name)).rstrip(".")
    rid = f"{inputs.get('zoneId')}_{fqdn}_{inputs.get('type')}"
    if inputs.get("setIdentifier"):
        rid += f"_{inputs['setIdentifier']}"
    return rid, {"fqdn": fqdn}


@builds("aws:s3/bucket:Bucket")
def _bucket(m: AwsMocks, name: str, inputs: dict):
    b = inputs.get("bucket") or f"{name}-{m._hex('bucket', name, 7)}"
    return b, {
        "bucket": b,
        "arn": f"arn:aws:s3:::{b}",
        "bucketDomainName": f"{b}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{b}.s3.{m.region}.amazonaws.com",
    }
