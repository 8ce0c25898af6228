"""DNSSEC on every zone we own: signing key, KSK, signing on, then the DS record in the parent.

The plans are the shipped stacks' offline plans (the real program, preview=False); the values
Route 53 and KMS accept are checked against the AWS API models bundled with the pinned botocore
(the machine-readable form of the AWS API reference); the DS record's shape against RFC 4034.
"""

from __future__ import annotations

import base64
import json
import re
import struct

import botocore.loaders
import pytest

from components import constants, naming
from components.config import ConfigError, load
from components.config.stackfile import read_stack_file
from faas.plan import to_document
from faas.plan.engine import Run, run_program
from faas.plan.mocks.dnssec import ds_digest, key_tag
from policies import check as policycheck
from policies.framework import Resource, run_resource_rule, run_stack_rule
from policies.rules import RULES_BY_NAME
from tests.support.plans import plan, states

STACKS = ("dev", "dev-blue", "dev-green", "prod", "prod-blue", "prod-green")
KEY = "aws:kms/key:Key"
KSK = "aws:route53/keySigningKey:KeySigningKey"
DNSSEC = "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec"
ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"


def _one(doc: dict, type_: str, where=lambda s: True) -> dict:
    found = [s for s in states(doc, type_) if where(s)]
    assert len(found) == 1, f"expected one {type_}, found {len(found)}"
    return found[0]


def _signing_key(doc: dict) -> dict:
    return _one(doc, KEY, lambda s: s["urn"].endswith("-dnssec-key"))


def _parent_records(doc: dict, type_: str) -> list[dict]:
    parent = doc["config"]["faas:parentZoneId"]
    return [
        s
        for s in states(doc, RECORD)
        if s["inputs"]["zoneId"] == parent and s["inputs"]["type"] == type_
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_the_zone_is_signed_and_its_ds_record_follows_signing(stack):
    doc = plan(stack)
    zone = _one(doc, ZONE)
    key = _signing_key(doc)
    ksk = _one(doc, KSK)
    signing = _one(doc, DNSSEC)
    (ds,) = _parent_records(doc, "DS")
    (ns,) = _parent_records(doc, "NS")

    assert ksk["inputs"]["hostedZoneId"] == zone["outputs"]["zoneId"]
    assert ksk["inputs"]["keyManagementServiceArn"] == key["outputs"]["arn"]
    assert ksk["inputs"]["status"] == "ACTIVE"
    assert signing["inputs"] == {
        "hostedZoneId": zone["outputs"]["zoneId"],
        "signingStatus": "SIGNING",
    }
    # the order Route 53 needs: key -> KSK -> signing on -> DS in the parent
    assert key["urn"] in ksk["dependencies"]
    assert ksk["urn"] in signing["dependencies"]
    assert signing["urn"] in ds["dependencies"]
    # the DS sits next to the NS delegation: same name and TTL, the KSK's DS as its one value
    assert ds["inputs"]["name"] == ns["inputs"]["name"] == zone["inputs"]["name"]
    assert ds["inputs"]["ttl"] == ns["inputs"]["ttl"]
    assert ds["inputs"]["records"] == [ksk["outputs"]["dsRecord"]]
    output = (
        "env_zone_ds_record"
        if naming.parse_stack_name(stack)[1] is None
        else ("cluster_zone_ds_record")
    )
    assert doc["outputs"][output] == ksk["outputs"]["dsRecord"]


@pytest.mark.parametrize("stack", ["dev", "prod-blue"])
def test_signing_key_is_an_asymmetric_us_east_1_key_only_route53_dnssec_may_use(stack):
    doc = plan(stack)
    key = _signing_key(doc)["inputs"]
    zone = _one(doc, ZONE)
    assert key["region"] == "us-east-1"
    assert (key["customerMasterKeySpec"], key["keyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    assert "enableKeyRotation" not in key  # AWS refuses rotation of asymmetric keys
    assert _signing_key(doc)["outputs"]["arn"].startswith("arn:aws:kms:us-east-1:")
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    assert statements["AccountAdministers"]["Principal"] == {
        "AWS": "arn:aws:iam::123456789012:root"
    }
    signs = statements["Route53DnssecSigns"]
    assert signs["Principal"] == {"Service": "dnssec-route53.amazonaws.com"}
    assert sorted(signs["Action"]) == ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"]
    # confused deputy: this account, and this zone only
    assert signs["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": zone["outputs"]["arn"]},
    }
    grant = statements["Route53DnssecCreatesGrant"]
    assert grant["Action"] == "kms:CreateGrant"
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    alias = _one(doc, "aws:kms/alias:Alias", lambda s: s["urn"].endswith("-dnssec-key"))
    assert alias["inputs"]["region"] == "us-east-1"


# --- values the AWS APIs accept (botocore's service models of the pinned version) ---

_LOADER = botocore.loaders.Loader()


def _shapes(service: str) -> dict:
    return _LOADER.load_service_model(service, "service-2")["shapes"]


def _codes(doc: str) -> set[str]:
    return set(re.findall(r"<(?:code|dt)>([A-Z_]+)</(?:code|dt)>", doc))


@pytest.mark.parametrize("stack", ["dev", "dev-blue", "prod-green"])
def test_dnssec_values_are_ones_the_aws_apis_accept(stack):
    doc = plan(stack)
    kms, r53 = _shapes("kms"), _shapes("route53")
    key = _signing_key(doc)["inputs"]
    assert key["customerMasterKeySpec"] in kms["KeySpec"]["enum"]
    assert key["keyUsage"] in kms["KeyUsageType"]["enum"]
    ksk = _one(doc, KSK)["inputs"]
    name_shape = r53["SigningKeyName"]
    assert name_shape["min"] <= len(ksk["name"]) <= name_shape["max"]
    # CreateKeySigningKey: "Name can include numbers, letters, and underscores (_)"
    name_doc = r53["CreateKeySigningKeyRequest"]["members"]["Name"]["documentation"]
    assert "numbers, letters, and underscores" in name_doc
    assert re.fullmatch(r"[A-Za-z0-9_]+", ksk["name"]), ksk["name"]
    status_doc = r53["CreateKeySigningKeyRequest"]["members"]["Status"]["documentation"]
    assert ksk["status"] in _codes(status_doc) == {"ACTIVE", "INACTIVE"}
    signing = _one(doc, DNSSEC)["inputs"]
    assert signing["signingStatus"] in _codes(
        r53["DNSSECStatus"]["members"]["ServeSignature"]["documentation"]
    )
    (ds,) = _parent_records(doc, "DS")
    assert ds["inputs"]["type"] in r53["RRType"]["enum"]
    assert r53["TTL"]["min"] <= ds["inputs"]["ttl"] <= r53["TTL"]["max"]


def test_the_constants_match_what_route53_requires_of_the_key():
    # CreateKeySigningKey's KeyManagementServiceArn: "Key spec ECC_NIST_P256", "Sign and verify"
    arn_doc = _shapes("route53")["CreateKeySigningKeyRequest"]["members"][
        "KeyManagementServiceArn"
    ]["documentation"]
    assert constants.DNSSEC_KEY_SPEC in arn_doc and "Sign and verify" in arn_doc
    assert "dnssec-route53.amazonaws.com" in arn_doc
    assert constants.DNSSEC_KEY_USAGE == "SIGN_VERIFY"


# --- the DS record is a real DS record of the KSK's DNSKEY (RFC 4034) ---


def test_key_tag_and_digest_follow_rfc_4034_and_4509():
    # RFC 4509 section 2.3: the DNSKEY of dskey.example.com (key id 60485) and its SHA-256 DS.
    public_key = base64.b64decode(
        "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMm"
        "mAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=="
    )
    rdata = struct.pack("!HBB", 256, 3, 5) + public_key
    assert key_tag(rdata) == 60485
    assert ds_digest("dskey.example.com.", rdata) == (
        "D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A"
    )


@pytest.mark.parametrize("stack", ["dev", "prod-blue"])
def test_planned_ds_record_matches_the_planned_dnskey(stack):
    doc = plan(stack)
    out = _one(doc, KSK)["outputs"]
    flags, protocol, algorithm, b64 = out["dnskeyRecord"].split(" ")
    assert (int(flags), int(protocol), int(algorithm)) == (257, 3, 13)  # KSK, DNSSEC, ECDSAP256
    public_key = base64.b64decode(b64)
    assert len(public_key) == 64 and out["publicKey"] == b64
    rdata = struct.pack("!HBB", 257, 3, 13) + public_key
    tag, alg, digest_type, digest = out["dsRecord"].split(" ")
    assert (int(tag), int(alg), int(digest_type)) == (key_tag(rdata), 13, 2)
    assert digest == out["digestValue"] == ds_digest(_one(doc, ZONE)["inputs"]["name"], rdata)
    assert (out["signingAlgorithmMnemonic"], out["digestAlgorithmMnemonic"]) == (
        "ECDSAP256SHA256",
        "SHA-256",
    )


# --- the modes of a rollout and a rollback (docs/edge.md, "DNSSEC") ---


def _zone(mode: str) -> Run:
    raw = read_stack_file("dev-blue")

    def program() -> None:
        from components.edge.zone import DelegatedZone, DelegatedZoneArgs
        from components.shared.identity import Identity

        DelegatedZone(
            "faas-dev-blue-cluster-zone",
            DelegatedZoneArgs(
                identity=Identity("dev", "blue"),
                zone_name="faas-blue.dev.example.com",
                parent_zone_id="Z0DEVPARENT0001",
                component="edge",
                dnssec=mode,
            ),
        )

    return run_program("dev-blue", raw, program)


def _types(run: Run) -> list[str]:
    return sorted(r.type for r in run.resources if r.custom)


@pytest.mark.parametrize(
    ("mode", "expected", "signed"),
    [
        ("chain", [KEY, "aws:kms/alias:Alias", KSK, DNSSEC, RECORD, RECORD], True),
        ("sign", [KEY, "aws:kms/alias:Alias", KSK, DNSSEC, RECORD], True),  # NS only: no DS
        ("off", [RECORD], False),
    ],
)
def test_each_mode_creates_what_it_says_and_the_pack_sees_it(mode, expected, signed):
    run = _zone(mode)
    assert _types(run) == sorted([ZONE, *expected])
    types_in_parent = sorted(r.inputs["type"] for r in run.resources if r.type == RECORD)
    assert types_in_parent == (["DS", "NS"] if mode == "chain" else ["NS"])
    report = policycheck.check_document(to_document(run, resolved=True), env="dev")
    unsigned = [v for v in report.violations if v.rule == "route53-dnssec-signing"]
    assert bool(unsigned) is not signed, unsigned


def test_dnssec_modes_are_validated_in_both_kinds_of_stack():
    for stack, key, path in (
        ("dev-blue", "faas:edge", "faas:edge.dnssec"),
        ("dev", "faas:dnssec", "faas:dnssec"),
    ):
        raw = dict(read_stack_file(stack))
        raw[key] = {**raw[key], "dnssec": "maybe"} if key == "faas:edge" else "maybe"
        with pytest.raises(ConfigError) as error:
            load(stack, raw)
        assert any(
            p.startswith(f"{path}: 'maybe' is not one of chain, sign, off")
            for p in error.value.problems
        )
        raw[key] = {**raw[key], "dnssec": "sign"} if key == "faas:edge" else "sign"
        cfg = load(stack, raw)
        assert (cfg.edge.dnssec if key == "faas:edge" else cfg.dnssec) == "sign"


# --- the pack: every public zone signed; rotation only where AWS can rotate ---

STACK_URN = "urn:pulumi:dev-blue::faas-platform::"


def _res(type_: str, name: str, props: dict, deps: dict | None = None) -> Resource:
    return Resource(
        type=type_,
        urn=f"{STACK_URN}{type_}::{name}",
        props=props,
        property_dependencies={
            k: tuple(f"{STACK_URN}{ZONE}::{n}" for n in v) for k, v in (deps or {}).items()
        },
    )


def _dnssec_hits(resources) -> list:
    rule = RULES_BY_NAME["route53-dnssec-signing"]
    return run_stack_rule(rule, resources, rule.settings(None))


U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def test_dnssec_rule_links_signing_to_its_zone_by_property_dependency():
    blue = _res(ZONE, "blue", {"name": "faas-blue.dev.example.com"})
    green = _res(ZONE, "green", {"name": "faas-green.dev.example.com"})
    private = _res(ZONE, "private", {"name": "internal.example", "vpcs": [{"vpcId": "vpc-1"}]})
    signs_blue = _res(DNSSEC, "sig", {"hostedZoneId": U}, {"hostedZoneId": ["blue"]})
    hits = _dnssec_hits([blue, green, private, signs_blue])
    # green is unsigned; blue is signed (signingStatus defaults to SIGNING); private zones
    # cannot be signed by Route 53 and are not asked to be
    assert [(h.urn, h.deferred) for h in hits] == [(green.urn, False)]
    assert hits[0].message == "public zone green is not DNSSEC-signed"
    # a signing resource whose zone is hidden by an unknown defers, never a false "unsigned"
    hidden = _res(DNSSEC, "hidden", {"hostedZoneId": U})
    hits = _dnssec_hits([blue, green, signs_blue, hidden])
    assert hits and all(h.deferred for h in hits)
    # a known zone id links without a dependency (`pulumi preview` of an existing zone)
    known = _res(ZONE, "known", {"name": "faas.dev.example.com", "zoneId": "Z123"})
    assert _dnssec_hits([known, _res(DNSSEC, "k", {"hostedZoneId": "Z123"})]) == []


@pytest.mark.parametrize(
    ("props", "flagged"),
    [
        ({}, True),  # symmetric by default: must rotate
        ({"customerMasterKeySpec": "SYMMETRIC_DEFAULT", "enableKeyRotation": True}, False),
        ({"customerMasterKeySpec": "ECC_NIST_P256", "keyUsage": "SIGN_VERIFY"}, False),
        ({"customerMasterKeySpec": "RSA_2048"}, False),
        ({"customerMasterKeySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"}, False),
        ({"customKeyStoreId": "cks-1234567890abcdef0"}, False),
    ],
)
def test_rotation_is_asked_only_of_keys_aws_can_rotate(props, flagged):
    rule = RULES_BY_NAME["kms-key-rotation"]
    res = Resource(type=KEY, urn=f"{STACK_URN}{KEY}::k", props=props)
    hits = run_resource_rule(rule, res, rule.settings(None))
    assert bool(hits) is flagged, hits
    # every spec here is one the KMS API knows
    spec = props.get("customerMasterKeySpec")
    assert spec is None or spec in _shapes("kms")["KeySpec"]["enum"]


def test_rotation_rule_defers_on_an_unknown_spec():
    rule = RULES_BY_NAME["kms-key-rotation"]
    res = Resource(type=KEY, urn=f"{STACK_URN}{KEY}::k", props={"customerMasterKeySpec": U})
    (hit,) = run_resource_rule(rule, res, rule.settings(None))
    assert hit.deferred
