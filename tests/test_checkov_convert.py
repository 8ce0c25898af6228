"""The checkov converter, skip list and merged report, without running checkov."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policies.check import check_document
from policies.checkov import tables
from policies.checkov.convert import UNKNOWN, convert, convert_document, manifest_id
from policies.checkov.report import format_merged, merged_report
from policies.checkov.runner import (
    CheckovResult,
    CheckovUnavailable,
    pinned_requirement,
    read_results,
)
from policies.checkov.skips import (
    DEFAULT,
    SkipListError,
    apply_skips,
    load_skips,
    parse_skips,
    stale,
)
from tests.support.plans import document as plan  # what `faas plan --json` writes

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "checkov" / "small-preview.json"
STACKS = ("dev", "dev-blue", "dev-green", "prod", "prod-blue", "prod-green")


@pytest.fixture(scope="module")
def small():
    return convert_document(json.loads(FIXTURE.read_text()))


def planned(conv, address):
    resources = conv.tf_plan["planned_values"]["root_module"]["resources"]
    return next(r for r in resources if r["address"] == address)


def expressions(conv, address):
    resources = conv.tf_plan["configuration"]["root_module"]["resources"]
    return next(r for r in resources if r["address"] == address)["expressions"]


def change(conv, address):
    return next(r for r in conv.tf_plan["resource_changes"] if r["address"] == address)["change"]


# --- names and shapes ------------------------------------------------------------------------


def test_attribute_names():
    assert tables.snake("cidrIpv4") == "cidr_ipv4"
    assert tables.snake("ec2SshKey") == "ec2_ssh_key"
    assert tables.snake("httpPutResponseHopLimit") == "http_put_response_hop_limit"
    assert tables.tf_attribute("aws_lb_listener", "defaultActions") == "default_action"
    assert tables.tf_attribute("aws_route53_record", "aliases") == "alias"
    assert tables.tf_attribute("aws_s3_bucket_lifecycle_configuration", "rules") == "rule"
    assert tables.tf_attribute("aws_iam_openid_connect_provider", "clientIdLists") == (
        "client_id_list"
    )
    assert tables.tf_attribute("aws_vpc", "rules") == "rules"  # renames are per type
    assert tables.tf_name("faas-dev-blue.zone") == "faas_dev_blue_zone"
    assert tables.tf_name("0abc") == "_0abc"


def test_plan_has_the_shape_checkovs_parser_reads(small):
    tf = small.tf_plan
    # checkov/terraform/context_parsers/tf_plan/__init__.py requires both keys
    assert tf["terraform_version"] and tf["format_version"]
    addresses = [r["address"] for r in tf["planned_values"]["root_module"]["resources"]]
    assert addresses == [r["address"] for r in tf["resource_changes"]]
    assert addresses == [r["address"] for r in tf["configuration"]["root_module"]["resources"]]
    for r in tf["planned_values"]["root_module"]["resources"]:
        assert r["mode"] == "managed" and r["address"] == f"{r['type']}.{r['name']}"
    assert change(small, "aws_vpc.t_vpc")["actions"] == ["create"]
    assert tf["configuration"]["provider_config"]["aws"]["expressions"]["region"] == {
        "constant_value": "eu-west-1"
    }


def test_nested_objects_become_blocks_and_maps_stay_maps(small):
    values = planned(small, "aws_eks_cluster.t_cluster")["values"]
    assert values["vpc_config"][0]["endpoint_public_access"] is False
    assert values["encryption_config"] == [{"resources": ["secrets"], "provider": [{}]}]
    # tags are a map: their keys are not renamed and not wrapped
    assert values["tags"] == {"Name": "t", "kubernetes.io/role/internal-elb": "1"}
    listener = planned(small, "aws_lb_listener.t_listener")["values"]
    assert listener["default_action"] == [{"type": "forward"}]  # repeated block: no extra list
    tg = planned(small, "aws_lb_target_group.t_tg")["values"]
    assert tg["health_check"] == [{"path": "/healthz", "protocol": "HTTP"}]


def test_json_policies_are_strings(small):
    policy = planned(small, "aws_kms_key.t_key")["values"]["policy"]
    assert json.loads(policy) == {"Version": "2012-10-17", "Statement": []}


# --- references ------------------------------------------------------------------------------


def test_ids_of_dependencies_become_references(small):
    flow = planned(small, "aws_flow_log.t_flow_log")["values"]
    assert "vpc_id" not in flow and "log_destination" not in flow
    expr = expressions(small, "aws_flow_log.t_flow_log")
    assert expr["vpc_id"]["references"] == ["aws_vpc.t_vpc.id", "aws_vpc.t_vpc"]
    assert expr["log_destination"]["references"] == [
        "aws_cloudwatch_log_group.t_flow_logs.arn",
        "aws_cloudwatch_log_group.t_flow_logs",
    ]
    assert change(small, "aws_flow_log.t_flow_log")["after_unknown"]["vpc_id"] is True


def test_content_that_only_matches_an_input_stays_a_value(small):
    # cidrIpv4 came from the VPC, but it is the VPC's input, known at plan time in Terraform too
    rule = planned(small, "aws_vpc_security_group_egress_rule.t_out")["values"]
    assert rule["cidr_ipv4"] == "10.0.0.0/16"
    assert "cidr_ipv4" not in expressions(small, "aws_vpc_security_group_egress_rule.t_out")


def test_nested_references_and_arn_preferred(small):
    cluster = planned(small, "aws_eks_cluster.t_cluster")["values"]
    assert cluster["vpc_config"][0]["subnet_ids"] == [None, None]
    expr = expressions(small, "aws_eks_cluster.t_cluster")
    assert expr["vpc_config"][0]["subnet_ids"]["references"] == [
        "aws_subnet.t_private_a.id",
        "aws_subnet.t_private_a",
        "aws_subnet.t_private_b.id",
        "aws_subnet.t_private_b",
    ]
    assert expr["encryption_config"][0]["provider"][0]["key_arn"]["references"][0] == (
        "aws_kms_key.t_key.arn"
    )
    # the target group's id is its ARN: the listener's target_group_arn names .arn
    listener = expressions(small, "aws_lb_listener.t_listener")
    assert listener["default_action"][0]["target_group_arn"]["references"][0] == (
        "aws_lb_target_group.t_tg.arn"
    )


# --- unknowns and secrets --------------------------------------------------------------------


def test_unknown_with_a_dependency_is_a_reference_not_a_guess(small):
    subnet = planned(small, "aws_subnet.t_private_b")["values"]
    assert "vpc_id" not in subnet
    assert expressions(small, "aws_subnet.t_private_b")["vpc_id"]["references"] == ["aws_vpc.t_vpc"]
    assert "aws_subnet.t_private_b" not in small.unknown  # checkov sees what a TF plan shows


def test_unknown_without_a_dependency_and_secrets_are_deferred(small):
    role = planned(small, "aws_iam_role.t_role")["values"]
    assert "user_data" not in role  # "[secret]": never a value checkov could judge
    assert small.unknown["aws_iam_role.t_role"] == {"user_data"}
    assert change(small, "aws_iam_role.t_role")["after_unknown"] == {"user_data": True}
    assert small.unknown["Deployment.faas-smoke.smoke"] == {
        "spec/template/spec/containers/[0]/image"
    }
    assert UNKNOWN not in json.dumps(small.tf_plan) + json.dumps(small.manifests)
    assert "[secret]" not in json.dumps(small.tf_plan)


def test_results_reading_unknown_paths_are_deferred(small):
    out = {
        "check_type": "kubernetes",
        "results": {
            "failed_checks": [
                {
                    "check_id": "CKV_K8S_43",
                    "check_name": "Image should use digest",
                    "resource": "Deployment.faas-smoke.smoke",
                    "check_result": {
                        "result": "FAILED",
                        "evaluated_keys": ["spec/template/spec/containers/[0]/image"],
                    },
                },
                {
                    "check_id": "CKV_K8S_8",
                    "check_name": "Liveness Probe Should be Configured",
                    "resource": "Deployment.faas-smoke.smoke",
                    "check_result": {
                        "evaluated_keys": ["spec/template/spec/containers/[0]/livenessProbe"]
                    },
                },
            ],
            "passed_checks": [
                {
                    "check_id": "CKV_K8S_21",
                    "check_name": "The default namespace should not be used",
                    "resource": "Service.faas-smoke.smoke",
                    "check_result": {"evaluated_keys": []},
                },
                {
                    "check_id": "CKV2_K8S_6",
                    "check_name": "NetworkPolicy",
                    "resource": "Pod.faas-smoke.smoke.serving.knative.dev/service-smoke",
                    "check_result": {"evaluated_keys": ["resource_type"]},
                },
            ],
        },
    }
    found = {f.check_id: f for f in read_results([out], small)}
    assert found["CKV_K8S_43"].status == "deferred" and "image" in found["CKV_K8S_43"].reason
    assert found["CKV_K8S_8"].status == "failed"
    assert found["CKV_K8S_21"].status == "deferred"  # names nothing it read: cannot be trusted
    assert found["CKV2_K8S_6"].status == "passed"
    assert found["CKV2_K8S_6"].urn.endswith("Service::t-ksvc")  # the pod of the Knative Service


# --- Kubernetes ------------------------------------------------------------------------------


def test_kubernetes_objects_become_manifests(small):
    kinds = [(m["apiVersion"], m["kind"]) for m in small.manifests]
    assert kinds == [
        ("v1", "Namespace"),
        ("serving.knative.dev/v1", "Service"),
        ("apps/v1", "Deployment"),  # the revision's workload, for the container checks
    ]
    deployment = small.manifests[2]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["name"] == "smoke"
    assert manifest_id(deployment) == "Deployment.faas-smoke.smoke"
    assert small.urns["Deployment.faas-smoke.smoke"] == small.urns["Service.faas-smoke.smoke"]


def test_what_is_not_scanned_is_listed_with_a_reason(small):
    assert small.unmapped == [
        "aws:dynamodb/table:Table",
        "faas:network:Network",
        "kubernetes:helm.sh/v3:Release",
        "pulumi:providers:kubernetes",
    ]
    assert "not in the converter's table" in tables.not_scanned_reason("aws:dynamodb/table:Table")
    assert "not rendered offline" in tables.not_scanned_reason("kubernetes:helm.sh/v3:Release")
    tf, manifests, unmapped = convert(json.loads(FIXTURE.read_text()))
    assert unmapped == small.unmapped and len(manifests) == 3 and tf == small.tf_plan


# --- the real plans --------------------------------------------------------------------------


EMBEDS_NEW_ARNS = {
    ("EC2NodeClass", "spec/role"),
    ("ServiceAccount", "metadata/annotations/eks.amazonaws.com/role-arn"),
    ("TargetGroupBinding", "spec/networking/ingress/[0]/from/[0]/securityGroup/groupID"),
    ("TargetGroupBinding", "spec/targetGroupARN"),
    ("aws_cloudwatch_log_resource_policy", "policy_document"),
    ("aws_ecr_repository_policy", "policy"),
    ("aws_iam_role", "assume_role_policy"),
    ("aws_iam_role_policy", "policy"),
    ("aws_kms_key", "policy"),
    ("aws_s3_bucket_policy", "policy"),
}


@pytest.mark.parametrize("stack", STACKS)
def test_real_plans_convert(stack):
    doc = plan(stack)
    conv = convert_document(doc)
    types = {s["newState"]["type"] for s in doc["steps"]}
    # every aws type of the shipped plans is mapped; nothing else that is scanned is dropped
    assert not [t for t in types if t.startswith("aws:") and t not in tables.RESOURCE_TYPES]
    scanned = set(conv.urns.values())
    for step in doc["steps"]:
        state = step["newState"]
        assert state["urn"] in scanned or state["type"] in conv.unmapped, state["urn"]
    # What a first deploy's plan cannot know: JSON policies that embed a new resource's ARN (whole,
    # as in a preview) and Kubernetes fields that carry one. Checkov's results reading these are
    # deferred (policies/checkov/convert.py); everything else is known.
    unknown = {(a.split(".")[0], p) for a, paths in conv.unknown.items() for p in paths}
    assert unknown <= EMBEDS_NEW_ARNS, unknown - EMBEDS_NEW_ARNS
    by_type: dict[str, list] = {}
    for r in conv.tf_plan["configuration"]["root_module"]["resources"]:
        by_type.setdefault(r["type"], []).append(r["expressions"])
    # the edges checkov's graph checks need: CKV2_AWS_11, CKV2_AWS_12, CKV2_AWS_6, CKV2_AWS_39
    wanted = {
        "aws_flow_log": "vpc_id",
        "aws_default_security_group": "vpc_id",
        "aws_s3_bucket_public_access_block": "bucket",
        "aws_route53_query_log": "zone_id",
    }
    for tf_type, attr in wanted.items():
        for expr in by_type.get(tf_type, []):
            assert expr[attr]["references"], (tf_type, attr)


# --- skip list -------------------------------------------------------------------------------


def test_shipped_skip_list_is_valid_and_reasoned():
    skips = load_skips(DEFAULT)
    assert skips and all(len(s.reason) >= 20 for s in skips)


def test_skip_list_errors_are_all_reported():
    data = {
        "skips": [
            {"check": "CKV_AWS_39", "resource": "aws_eks_cluster.*"},
            {"check": "nope", "reason": "a reason that is long enough"},
            {"check": "CKV_AWS_1", "reason": "a reason that is long enough", "color": "x"},
        ]
    }
    with pytest.raises(SkipListError) as err:
        parse_skips(data)
    message = str(err.value)
    assert "skips[0].reason: every skip needs a reason" in message
    assert "skips[1].check: 'nope' is not a checkov check id" in message
    assert "skips[2].color: unknown key" in message


def _result(small, findings):
    return CheckovResult("3.3.30", findings, small)


def test_skips_explain_failures_and_unused_ones_are_stale(small):
    out = {
        "check_type": "terraform_plan",
        "results": {
            "failed_checks": [
                {
                    "check_id": "CKV_AWS_338",
                    "check_name": "retention",
                    "resource": "aws_cloudwatch_log_group.t_flow_logs",
                    "check_result": {"evaluated_keys": ["retention_in_days"]},
                },
                {
                    "check_id": "CKV_AWS_37",
                    "check_name": "logging",
                    "resource": "aws_eks_cluster.t_cluster",
                    "check_result": {"evaluated_keys": ["enabled_cluster_log_types"]},
                },
            ]
        },
    }
    skips = parse_skips(
        {
            "skips": [
                {
                    "check": "CKV_AWS_338",
                    "resource": "aws_cloudwatch_log_group.t_*",
                    "reason": "x" * 20,
                },
                {"check": "CKV_AWS_39", "reason": "y" * 20},
            ]
        }
    )
    result = apply_skips(_result(small, read_results(out, small)), skips)
    statuses = {f.check_id: (f.status, f.reason) for f in result.findings}
    assert statuses["CKV_AWS_338"] == ("skipped", "x" * 20)
    assert statuses["CKV_AWS_37"] == ("failed", None)
    assert stale(skips, [result]) == [skips[1]]


# --- merge -----------------------------------------------------------------------------------


def test_merged_report_joins_pack_and_checkov_by_resource(small):
    doc = json.loads(FIXTURE.read_text())
    pack = check_document(doc)
    log_group = small.urns["aws_cloudwatch_log_group.t_flow_logs"]
    out = {
        "check_type": "terraform_plan",
        "results": {
            "failed_checks": [
                {
                    "check_id": "CKV_AWS_338",
                    "check_name": "Ensure CloudWatch log groups retains logs for at least 1 year",
                    "resource": "aws_cloudwatch_log_group.t_flow_logs",
                    "check_result": {"evaluated_keys": ["retention_in_days"]},
                }
            ],
            "passed_checks": [
                {
                    "check_id": "CKV_AWS_158",
                    "check_name": "KMS",
                    "resource": "aws_cloudwatch_log_group.t_flow_logs",
                    "check_result": {"evaluated_keys": ["kms_key_id"]},
                }
            ],
        },
    }
    result = _result(small, read_results(out, small))
    report = merged_report(doc, pack, result)
    assert report["ok"] is False  # an unexplained checkov failure
    assert report["summary"]["checkov"] | {"seconds": 0} == {
        "version": "3.3.30",
        "passed": 1,
        "failed": 1,
        "skipped": 0,
        "deferred": 0,
        "resources": len(small.urns),
        "seconds": 0,
    }
    entry = next(r for r in report["resources"] if r["urn"] == log_group)
    assert [c["check_id"] for c in entry["checkov"]] == ["CKV_AWS_338"]
    assert entry["type"] == "aws:cloudwatch/logGroup:LogGroup"
    assert report["checkov_checks"]["CKV_AWS_158"]["passed"] == 1
    assert {"type": "kubernetes:helm.sh/v3:Release", "count": 1}.items() <= next(
        n for n in report["not_scanned"] if n["type"] == "kubernetes:helm.sh/v3:Release"
    ).items()
    json.dumps(report)  # serialisable as is
    text = format_merged(report)
    assert "checkov FAILED    CKV_AWS_338" in text
    assert "not scanned: 1 x kubernetes:helm.sh/v3:Release" in text
    assert text.splitlines()[-1].endswith(": FAIL")


def test_pin_read_from_pyproject_extra(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "faas"\nversion = "0"\n'
        '[project.optional-dependencies]\ncheckov = ["checkov == 3.3.99"]\n'
    )
    assert pinned_requirement(pyproject) == "checkov==3.3.99"
    assert pinned_requirement().startswith("checkov==")  # the project's own pin
    with pytest.raises(CheckovUnavailable, match="cannot read the checkov pin"):
        pinned_requirement(tmp_path / "missing.toml")
    pyproject.write_text('[project]\nname = "faas"\nversion = "0"\n')
    with pytest.raises(CheckovUnavailable, match="pins no checkov"):
        pinned_requirement(pyproject)


# --- CLI: refused input, end to end (no checkov needed: input is checked first) ----------------


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "No such file"), ("{", "not JSON"), ("{}", "no steps")],
)
def test_cli_refuses_bad_input(tmp_path, content, message):
    path = tmp_path / "preview.json"
    if content is not None:
        path.write_text(content)
    proc = subprocess.run(
        [sys.executable, "-m", "policies.checkov", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_refuses_a_skip_without_reason(tmp_path):
    skips = tmp_path / "skips.yaml"
    skips.write_text("skips:\n  - check: CKV_AWS_39\n")
    proc = subprocess.run(
        [sys.executable, "-m", "policies.checkov", str(FIXTURE), "--skips", str(skips)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2 and "every skip needs a reason" in proc.stderr
