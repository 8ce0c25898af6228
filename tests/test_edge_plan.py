"""Mock tests of the cluster stack's edge.

The real `Edge` component runs under the offline engine's recording mock monitor
(faas/plan), with `preview=False`; every assertion reads what was registered, after the
run, so unresolved outputs cannot make a test pass vacuously.
"""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest

from components import config, naming
from components.config.stackfile import read_stack_file
from faas.plan.engine import Registration, Run, run_program

ROOT = Path(__file__).resolve().parent.parent
VPC_CIDR = "10.10.0.0/16"
PUBLIC = ["subnet-pub-a", "subnet-pub-b"]
PRIVATE = ["subnet-priv-a", "subnet-priv-b"]
BD = "dev.example.com"


def raw_config(stack: str) -> dict:
    return read_stack_file(stack)


def run_edge(stack: str, raw: dict | None = None) -> Run:
    raw = raw if raw is not None else raw_config(stack)

    def program() -> None:
        from components.edge import Edge, EdgeArgs
        from components.shared.identity import Identity

        cfg = config.load(stack, raw)
        ident = Identity(cfg.environment, cfg.color)
        edge = Edge(
            ident.name("edge"),
            EdgeArgs(ident, cfg.edge, cfg.base_domain, cfg.parent_zone_id, cfg.region,
                     vpc_id="vpc-0abc", vpc_cidr=VPC_CIDR,
                     public_subnet_ids=PUBLIC, private_subnet_ids=PRIVATE),
        )  # fmt: skip
        for key, value in edge.stack_outputs().items():
            pulumi.export(key, value)

    return run_program(stack, raw, program)


@pytest.fixture(scope="module")
def blue() -> Run:
    return run_edge("dev-blue")


def of_type(run: Run, typ: str) -> list[Registration]:
    return [r for r in run.resources if r.type == typ]


def named(run: Run, name: str) -> Registration:
    (found,) = [r for r in run.resources if r.name == name]
    return found


def record_in(run: Run, zone_id: str) -> list[Registration]:
    return [r for r in of_type(run, "aws:route53/record:Record") if r.inputs["zoneId"] == zone_id]


def zone(run: Run) -> Registration:
    (z,) = of_type(run, "aws:route53/zone:Zone")
    return z


def test_cluster_zone_is_public_and_delegated_from_parent(blue):
    z = zone(blue)
    assert z.inputs["name"] == "faas-blue.dev.example.com"
    assert not z.inputs.get("vpcs"), "a private zone cannot be delegated publicly"
    # the parent holds the delegation (NS) and the DNSSEC chain of trust (DS: tests/test_dnssec.py)
    in_parent = record_in(blue, "Z0DEVPARENT0001")
    assert sorted(r.inputs["type"] for r in in_parent) == ["DS", "NS"]
    (ns,) = [r for r in in_parent if r.inputs["type"] == "NS"]
    assert ns.inputs["name"] == "faas-blue.dev.example.com"
    assert ns.inputs["records"] == z.outputs["nameServers"]


def test_query_logging_lives_in_us_east_1_encrypted_with_retention(blue):
    (group,) = of_type(blue, "aws:cloudwatch/logGroup:LogGroup")
    (key,) = [k for k in of_type(blue, "aws:kms/key:Key") if "query-logs" in k.name]
    (policy,) = of_type(blue, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy")
    (qlog,) = of_type(blue, "aws:route53/queryLog:QueryLog")
    assert group.inputs["region"] == key.inputs["region"] == policy.inputs["region"] == "us-east-1"
    assert group.inputs["name"] == "/aws/route53/faas-blue.dev.example.com"
    assert group.inputs["retentionInDays"] == 30
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    statement = json.loads(policy.inputs["policyDocument"])["Statement"][0]
    assert statement["Principal"] == {"Service": "route53.amazonaws.com"}
    assert statement["Resource"].endswith(":log-group:/aws/route53/faas-blue.dev.example.com:*")
    assert qlog.inputs["zoneId"] == zone(blue).outputs["zoneId"]
    assert qlog.inputs["cloudwatchLogGroupArn"] == group.outputs["arn"]
    assert policy.urn in qlog.dependencies


def test_certificate_covers_cluster_and_environment_names_with_ct_logging(blue):
    (cert,) = of_type(blue, "aws:acm/certificate:Certificate")
    names = [cert.inputs["domainName"], *cert.inputs["subjectAlternativeNames"]]
    assert sorted(names) == sorted(
        [
            "*.faas-blue.dev.example.com",
            "*.internal.faas-blue.dev.example.com",
            "*.faas.dev.example.com",
            "*.internal.faas.dev.example.com",
        ]
    )
    assert cert.inputs["validationMethod"] == "DNS"
    assert cert.inputs["options"]["certificateTransparencyLoggingPreference"] == "ENABLED"


def test_cluster_names_are_validated_in_the_cluster_zone_environment_names_are_not_owned(blue):
    (cert,) = of_type(blue, "aws:acm/certificate:Certificate")
    dvo = {o["domainName"]: o for o in cert.outputs["domainValidationOptions"]}
    cname_records = [r for r in of_type(blue, "aws:route53/record:Record")
                     if r.inputs["type"] == "CNAME"]  # fmt: skip
    # Exactly the two cluster names, in the cluster zone; the shared environment records are the
    # environment stack's (components/edge/certificate.py explains why).
    assert {r.inputs["zoneId"] for r in cname_records} == {zone(blue).outputs["zoneId"]}
    assert sorted((r.inputs["name"], r.inputs["records"][0]) for r in cname_records) == sorted(
        (dvo[d]["resourceRecordName"], dvo[d]["resourceRecordValue"])
        for d in naming.cluster_entry_names(BD, "blue").values()
    )
    (gate,) = of_type(blue, "aws:acm/certificateValidation:CertificateValidation")
    assert gate.inputs["certificateArn"] == cert.outputs["arn"]
    assert sorted(f.rstrip(".") for f in gate.inputs["validationRecordFqdns"]) == sorted(
        o["resourceRecordName"].rstrip(".") for o in dvo.values()
    )


def test_listeners_are_tls_on_443_and_wait_for_the_validated_certificate(blue):
    (gate,) = of_type(blue, "aws:acm/certificateValidation:CertificateValidation")
    listeners = of_type(blue, "aws:lb/listener:Listener")
    lbs = {r.outputs["arn"]: r for r in of_type(blue, "aws:lb/loadBalancer:LoadBalancer")}
    tgs = {r.outputs["arn"]: r for r in of_type(blue, "aws:lb/targetGroup:TargetGroup")}
    assert len(listeners) == 2
    assert {lbs[r.inputs["loadBalancerArn"]].inputs["internal"] for r in listeners} == {True, False}
    for listener in listeners:
        assert listener.inputs["protocol"] == "TLS"
        assert listener.inputs["port"] == 443
        assert listener.inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        assert listener.inputs["certificateArn"] == gate.outputs["certificateArn"]
        # The gate: the listener's certificate input comes from the CertificateValidation.
        assert gate.urn in listener.property_dependencies["certificateArn"]
        (action,) = listener.inputs["defaultActions"]
        assert action["type"] == "forward"
        lb, tg = lbs[listener.inputs["loadBalancerArn"]], tgs[action["targetGroupArn"]]
        assert lb.inputs["name"] == tg.inputs["name"], "each NLB forwards to its own group"


def test_two_nlbs_one_internet_facing_one_internal(blue):
    lbs = {r.inputs["internal"]: r for r in of_type(blue, "aws:lb/loadBalancer:LoadBalancer")}
    assert set(lbs) == {True, False}
    assert lbs[False].inputs["subnets"] == PUBLIC
    assert lbs[True].inputs["subnets"] == PRIVATE
    (bucket,) = of_type(blue, "aws:s3/bucket:Bucket")
    (policy,) = of_type(blue, "aws:s3/bucketPolicy:BucketPolicy")
    for lb in lbs.values():
        assert lb.inputs["loadBalancerType"] == "network"
        assert lb.inputs["enableCrossZoneLoadBalancing"] is True
        assert lb.inputs["enableDeletionProtection"] is False  # dev stack file
        assert len(lb.inputs["securityGroups"]) == 1
        logs = lb.inputs["accessLogs"]
        assert logs["enabled"] is True and logs["bucket"] == bucket.outputs["bucket"]
        assert policy.urn in lb.dependencies
        assert len(lb.inputs["name"]) <= 32


def test_deletion_protection_follows_config():
    raw = raw_config("dev-blue")
    raw["faas:edge"] = {**raw["faas:edge"], "deletionProtection": True}
    run = run_edge("dev-blue", raw)
    lbs = of_type(run, "aws:lb/loadBalancer:LoadBalancer")
    assert [lb.inputs["enableDeletionProtection"] for lb in lbs] == [True, True]
    (bucket,) = of_type(run, "aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is False


def test_target_groups_point_at_istio_gateway_pods(blue):
    tgs = of_type(blue, "aws:lb/targetGroup:TargetGroup")
    assert len(tgs) == 2
    for tg in tgs:
        assert (tg.inputs["protocol"], tg.inputs["port"], tg.inputs["targetType"]) == (
            "TCP", 8080, "ip",
        )  # fmt: skip
        hc = tg.inputs["healthCheck"]
        assert (hc["protocol"], hc["port"], hc["path"]) == ("HTTP", "15021", "/healthz/ready")


def test_access_log_bucket_is_protected(blue):
    (bucket,) = of_type(blue, "aws:s3/bucket:Bucket")
    bid = bucket.id

    def one(typ: str) -> Registration:
        (r,) = [r for r in of_type(blue, typ) if r.inputs["bucket"] == bid]
        return r

    pab = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(pab.inputs[k] is True for k in flags)
    sse = one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    own = one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert own.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    life = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    (rule,) = life.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["expiration"]["days"] == 30
    statements = {s["Sid"]: s for s in json.loads(
        one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])["Statement"]}  # fmt: skip
    deny = statements["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    write = statements["NlbLogDeliveryWrite"]
    assert write["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert write["Action"] == "s3:PutObject"


def test_security_groups_allow_443_in_and_only_gateway_ports_out(blue):
    sgs = {r.id: r for r in of_type(blue, "aws:ec2/securityGroup:SecurityGroup")}
    lbs = of_type(blue, "aws:lb/loadBalancer:LoadBalancer")
    ingress = of_type(blue, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    egress = of_type(blue, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    for lb in lbs:
        (sg,) = lb.inputs["securityGroups"]
        assert sg in sgs
        ins = [r.inputs for r in ingress if r.inputs["securityGroupId"] == sg]
        outs = [r.inputs for r in egress if r.inputs["securityGroupId"] == sg]
        # The internal entry point also takes the configured peered/on-premises ranges.
        extra = list(blue.config["faas:edge"].get("internalIngressCidrs", []))
        expected_src = [VPC_CIDR, *extra] if lb.inputs["internal"] else ["0.0.0.0/0"]
        assert extra or not lb.inputs["internal"], "dev-blue should exercise the extra ranges"
        # Registration order follows output resolution, which varies: compare as sets.
        assert sorted((i["fromPort"], i["toPort"], i["cidrIpv4"]) for i in ins) == sorted(
            (443, 443, c) for c in expected_src
        )
        assert sorted((o["fromPort"], o["toPort"], o["cidrIpv4"]) for o in outs) == [
            (8080, 8080, VPC_CIDR),
            (15021, 15021, VPC_CIDR),
        ]


def test_wildcard_aliases_in_the_cluster_zone_point_at_the_right_nlb(blue):
    lbs = {r.inputs["internal"]: r for r in of_type(blue, "aws:lb/loadBalancer:LoadBalancer")}
    aliases = {r.inputs["name"]: r for r in record_in(blue, zone(blue).outputs["zoneId"])
               if r.inputs["type"] == "A"}  # fmt: skip
    names = naming.cluster_entry_names(BD, "blue")
    assert set(aliases) == set(names.values())
    for entry, internal in (("dmz", False), ("internal", True)):
        (target,) = aliases[names[entry]].inputs["aliases"]
        assert target["name"] == lbs[internal].outputs["dnsName"]
        assert target["zoneId"] == lbs[internal].outputs["zoneId"]


def test_every_taggable_resource_carries_the_house_tags(blue):
    tagged = [r for r in blue.resources if r.custom and "tags" in r.inputs]
    assert len(tagged) >= 12
    for r in tagged:
        missing = [t for t in naming.REQUIRED_TAGS if t not in r.inputs["tags"]]
        assert not missing, f"{r.name} lacks {missing}"
        assert r.inputs["tags"]["Component"] == "edge"
        assert r.inputs["tags"]["Color"] == "blue"


def test_every_resource_is_parented_inside_the_edge(blue):
    components = {r.urn for r in blue.resources if not r.custom}
    (root,) = [r for r in blue.resources if r.type == "faas:edge:Edge"]
    for r in blue.resources:
        if r is not root:
            assert r.parent in components, f"{r.name} is not parented to an edge component"


def test_stack_outputs_have_the_stable_names_the_environment_stack_reads(blue):
    assert set(blue.outputs) == {
        "cluster_zone_id", "cluster_zone_name", "certificate_arn", "dmz_lb_dns_name",
        "dmz_lb_zone_id", "internal_lb_dns_name", "internal_lb_zone_id", "cluster_zone_ds_record",
    }  # fmt: skip
    lbs = {r.inputs["internal"]: r for r in of_type(blue, "aws:lb/loadBalancer:LoadBalancer")}
    assert blue.outputs["dmz_lb_dns_name"] == lbs[False].outputs["dnsName"]
    assert blue.outputs["internal_lb_zone_id"] == lbs[True].outputs["zoneId"]
    assert blue.outputs["cluster_zone_name"] == "faas-blue.dev.example.com"


def test_the_edge_passes_the_policy_pack_with_no_mandatory_violation(blue):
    from faas.plan import to_document
    from policies import check as policycheck

    report = policycheck.check_document(to_document(blue), env="dev")
    mandatory = [v for v in report.violations if v.level == "mandatory" and not v.deferred]
    assert not mandatory, policycheck.format_report(report)
    # on the planner's values (what the document marks unknown) nothing is left deferred
    assert policycheck.check_document(to_document(blue, resolved=True), env="dev").deferred == 0
