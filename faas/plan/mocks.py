"""AWS-shaped answers for Pulumi's mock monitor: ids, ARNs and computed outputs, deterministic.

Every value is derived from the stack, the resource type and its logical name, so the same program
and config always give the same plan (diffs between plans show only real changes). Outputs use the
providers' camelCase wire names, as the engine would return them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from faas.plan import capacity_mocks
from faas.plan.dnssec import ksk_outputs

ACCOUNT_ID = "123456789012"

# Canonical hosted zone ids of network load balancers per region (for alias records); from the
# "Elastic Load Balancing endpoints and quotas" page of the AWS General Reference.
NLB_ZONE_IDS = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-west-2": "Z18D5FSROUN65G",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-central-1": "Z3F0SRJ5LGBH90",
}
# Account that delivers ELB access logs, per region (ELB access-log bucket policies).
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
}


def digest(*parts: str, n: int = 17) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:n]


def validation_record(domain: str) -> dict[str, str]:
    """ACM's DNS validation CNAME for a name: a function of the name (and account) only, which is
    why blue's and green's certificates share the records of the environment names."""
    bare = domain[2:] if domain.startswith("*.") else domain
    token = digest(ACCOUNT_ID, bare, n=32)
    return {
        "domainName": domain,
        "resourceRecordName": f"_{token}.{bare}.",
        "resourceRecordType": "CNAME",
        "resourceRecordValue": f"_{digest('acm', bare, n=32)}.xlfgrmvvlj.acm-validations.aws.",
    }


class AwsMocks(pulumi.runtime.Mocks):
    def __init__(
        self,
        stack: str,
        region: str,
        stack_outputs: Callable[[str], Mapping[str, Any] | None] | None = None,
    ):
        self.stack = stack
        self.region = region
        self.stack_outputs = stack_outputs or (lambda _name: None)
        self.calls: list[str] = []
        self.zone_names: dict[str, str] = {}  # zone id -> name, for the DS digests of its KSKs

    # -- helpers -----------------------------------------------------------------------------
    def _hex(self, typ: str, name: str, n: int = 17) -> str:
        return digest(self.stack, typ, name, n=n)

    def _arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{ACCOUNT_ID}:{resource}"

    # -- Mocks API ---------------------------------------------------------------------------
    def call(self, args: pulumi.runtime.MockCallArgs):
        self.calls.append(args.token)
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/plan",
                "userId": "AIDAPLAN",
                "id": ACCOUNT_ID,
            }
        if token == "aws:index/getRegion:getRegion":
            return {
                "name": self.region,
                "region": self.region,
                "id": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
            }
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if token == "aws:elb/getServiceAccount:getServiceAccount":
            acct = ELB_LOG_ACCOUNTS.get(self.region, "127311923021")
            return {"id": acct, "arn": f"arn:aws:iam::{acct}:root"}
        return {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "pulumi:pulumi:StackReference":
            ref = inputs.get("name", name)
            outputs = self.stack_outputs(ref)
            return f"{ref}", {"name": ref, "outputs": dict(outputs or {}), "secretOutputNames": []}
        if not args.custom or typ.startswith("pulumi:providers:"):
            return f"{name}_id" if args.custom else "", inputs
        builder = _BUILDERS.get(typ)
        out = {**inputs}
        if "tags" in inputs:
            out["tagsAll"] = inputs["tags"]
        rid = f"{name}-{self._hex(typ, name, 8)}"
        if builder:
            rid, extra = builder(self, name, inputs)
            out.update(extra)
        out.setdefault("arn", self._arn(typ.split(":")[1].split("/")[0], f"{name}/{rid}"))
        return rid, out


# -- per-type outputs -----------------------------------------------------------------------------
Builder = Callable[[AwsMocks, str, dict], tuple[str, dict]]
_BUILDERS: dict[str, Builder] = {}


def builds(*types: str):
    def register(fn: Builder) -> Builder:
        for t in types:
            _BUILDERS[t] = fn
        return fn

    return register


def _prefixed(prefix: str, service: str, kind: str):
    def build(m: AwsMocks, name: str, inputs: dict):
        rid = f"{prefix}-{m._hex(kind, name)}"
        return rid, {"arn": m._arn(service, f"{kind}/{rid}")}

    return build


for _t, _p, _k in [
    ("aws:ec2/subnet:Subnet", "subnet", "subnet"),
    ("aws:ec2/internetGateway:InternetGateway", "igw", "internet-gateway"),
    ("aws:ec2/natGateway:NatGateway", "nat", "natgateway"),
    ("aws:ec2/routeTable:RouteTable", "rtb", "route-table"),
    ("aws:ec2/securityGroup:SecurityGroup", "sg", "security-group"),
    ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "sg", "security-group"),
    ("aws:ec2/flowLog:FlowLog", "fl", "vpc-flow-log"),
    ("aws:ec2/routeTableAssociation:RouteTableAssociation", "rtbassoc", "route-table-association"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "sgr", "security-group-rule"),
    ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "sgr", "security-group-rule"),
]:
    _BUILDERS[_t] = _prefixed(_p, "ec2", _k)


@builds("aws:ec2/vpc:Vpc")
def _vpc(m: AwsMocks, name: str, inputs: dict):
    rid = f"vpc-{m._hex('vpc', name)}"
    return rid, {
        "arn": m._arn("ec2", f"vpc/{rid}"),
        "defaultSecurityGroupId": f"sg-{m._hex('default-sg', name)}",
        "mainRouteTableId": f"rtb-{m._hex('main-rtb', name)}",
        "defaultNetworkAclId": f"acl-{m._hex('acl', name)}",
    }


@builds("aws:ec2/eip:Eip")
def _eip(m: AwsMocks, name: str, inputs: dict):
    h = int(m._hex("eip", name, 4), 16)
    rid = f"eipalloc-{m._hex('eip', name)}"
    return rid, {
        "allocationId": rid,
        "publicIp": f"198.51.100.{h % 250 + 1}",
        "arn": m._arn("ec2", f"elastic-ip/{rid}"),
    }


@builds("aws:ec2/launchTemplate:LaunchTemplate")
def _launch_template(m: AwsMocks, name: str, inputs: dict):
    rid = f"lt-{m._hex('lt', name)}"
    return rid, {
        "arn": m._arn("ec2", f"launch-template/{rid}"),
        "latestVersion": 1,
        "defaultVersion": 1,
        "name": inputs.get("name", name),
    }


def _named(m: AwsMocks, name: str, inputs: dict) -> str:
    """Physical name: the explicit `name` input, else Pulumi's auto-name (logical name + suffix)."""
    return inputs.get("name") or f"{name}-{m._hex('autoname', name, 7)}"


@builds("aws:iam/role:Role")
def _role(m: AwsMocks, name: str, inputs: dict):
    n = _named(m, name, inputs)
    return n, {
        "name": n,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{n}",
        "uniqueId": f"AROA{m._hex('role', name, 16).upper()}",
    }


@builds("aws:iam/policy:Policy")
def _policy(m: AwsMocks, name: str, inputs: dict):
    n = _named(m, name, inputs)
    arn = f"arn:aws:iam::{ACCOUNT_ID}:policy/{n}"
    return arn, {"name": n, "arn": arn, "policyId": f"ANPA{m._hex('pol', name, 16).upper()}"}


@builds("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
def _oidc(m: AwsMocks, name: str, inputs: dict):
    url = str(inputs.get("url", "")).removeprefix("https://")
    arn = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{url}"
    return arn, {"arn": arn}


def _regional_arn(m: AwsMocks, inputs: dict, service: str, resource: str) -> str:
    """An ARN in the resource's own `region` input (pulumi-aws v7), else the stack's region."""
    return f"arn:aws:{service}:{inputs.get('region') or m.region}:{ACCOUNT_ID}:{resource}"


@builds("aws:kms/key:Key")
def _kms(m: AwsMocks, name: str, inputs: dict):
    h = m._hex("kms", name, 32)
    key_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return key_id, {"keyId": key_id, "arn": _regional_arn(m, inputs, "kms", f"key/{key_id}")}


@builds("aws:kms/alias:Alias")
def _kms_alias(m: AwsMocks, name: str, inputs: dict):
    n = inputs.get("name", f"alias/{name}")
    return n, {"arn": _regional_arn(m, inputs, "kms", n)}


@builds("aws:cloudwatch/logGroup:LogGroup")
def _log_group(m: AwsMocks, name: str, inputs: dict):
    n = _named(m, name, inputs)
    return n, {"name": n, "arn": _regional_arn(m, inputs, "logs", f"log-group:{n}")}


@builds("aws:eks/cluster:Cluster")
def _cluster(m: AwsMocks, name: str, inputs: dict):
    n = inputs.get("name", name)
    h = m._hex("eks", name, 32).upper()
    ca = base64.b64encode(
        f"-----BEGIN CERTIFICATE-----\nplan-{h}\n-----END CERTIFICATE-----\n".encode()
    ).decode()
    vpc = dict(inputs.get("vpcConfig") or {})
    vpc["clusterSecurityGroupId"] = f"sg-{m._hex('eks-cluster-sg', name)}"
    vpc["vpcId"] = vpc.get("vpcId") or f"vpc-{m._hex('vpc', name)}"
    return n, {
        "name": n,
        "arn": m._arn("eks", f"cluster/{n}"),
        "status": "ACTIVE",
        "endpoint": f"https://{h}.gr7.{m.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": ca},
        "identities": [
            {"oidcs": [{"issuer": f"https://oidc.eks.{m.region}.amazonaws.com/id/{h}"}]}
        ],
        "platformVersion": "eks.1",
        "vpcConfig": vpc,
        "version": inputs.get("version"),
    }


@builds("aws:eks/nodeGroup:NodeGroup")
def _node_group(m: AwsMocks, name: str, inputs: dict):
    n = inputs.get("nodeGroupName", name)
    cluster = inputs.get("clusterName", "cluster")
    return f"{cluster}:{n}", {
        "nodeGroupName": n,
        "status": "ACTIVE",
        "arn": m._arn("eks", f"nodegroup/{cluster}/{n}/{m._hex('ng', name, 8)}"),
        "resources": [{"autoscalingGroups": [{"name": f"eks-{n}-{m._hex('asg', name, 8)}"}]}],
    }


@builds("aws:eks/addon:Addon")
def _addon(m: AwsMocks, name: str, inputs: dict):
    cluster, addon = inputs.get("clusterName", "cluster"), inputs.get("addonName", name)
    return f"{cluster}:{addon}", {"arn": m._arn("eks", f"addon/{cluster}/{addon}/x")}


@builds("aws:eks/accessEntry:AccessEntry")
def _access_entry(m: AwsMocks, name: str, inputs: dict):
    cluster, principal = inputs.get("clusterName", "cluster"), inputs.get("principalArn", "")
    arn = m._arn("eks", f"access-entry/{cluster}/role/{m._hex('ae', name, 8)}")
    return f"{cluster}:{principal}", {"accessEntryArn": arn, "arn": arn}


@builds("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(m: AwsMocks, name: str, inputs: dict):
    n = _named(m, name, inputs)[:32]
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
    n = _named(m, name, inputs)[:32]
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


# Karpenter's interruption queue and identity (faas/plan/capacity_mocks.py).
_BUILDERS.update(capacity_mocks.BUILDERS)
