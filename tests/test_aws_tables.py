"""The pinned AWS tables (components/config/aws_data.json) against the upstream sources installed
here: botocore's endpoint and service models (regions, CloudWatch Logs retention values, EKS
service-range rules) and moto's zone table (zone names per region)."""

from __future__ import annotations

import gzip
import ipaddress
import json
import re
from pathlib import Path

import botocore
import pytest

from components.config import aws
from components.config.stackfile import DEFAULT_DIR, read_stack_file

BOTOCORE = Path(botocore.__file__).parent / "data"
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def _model(service: str) -> dict:
    path = next((BOTOCORE / service).glob("*/service-2.json*"))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        return json.load(fh)


def test_every_table_names_its_source_and_date():
    data = json.loads(aws.DATA_FILE.read_text())
    for table in ("regions", "availabilityZones", "logRetentionDays", "eksServiceCidr", "vpcCidr"):
        assert data[table]["source"].startswith("https://"), table
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data[table]["retrieved"]), table


def test_regions_are_the_ones_botocore_lists():
    endpoints = json.loads((BOTOCORE / "endpoints.json").read_text())
    parts = [p for p in endpoints["partitions"] if p["partition"] in PARTITIONS]
    listed = {r for p in parts for r in p["regions"]}
    assert set(aws.REGIONS) == listed
    assert set(aws.ZONES) == listed  # every region has its zones


def test_zone_names_agree_with_moto():
    """moto's table is one account's view; in the independently mapped regions another account
    may see other letters, which the table adds (only those, and documented in the data file)."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    extra = {}
    for region, names in aws.ZONES.items():
        theirs = {z.name for z in RegionsAndZonesBackend.zones[region]}
        assert theirs <= set(names), region
        if set(names) - theirs:
            extra[region] = sorted(set(names) - theirs)
    assert extra == {"us-west-1": ["us-west-1c"]}
    assert "us-west-1" in json.loads(aws.DATA_FILE.read_text())["availabilityZones"]["note"]
    # The subnet layout keys each zone on its letter a..f (components/network/subnets.py).
    assert all(name[-1] in "abcdef" for names in aws.ZONES.values() for name in names)


def test_retention_values_are_the_ones_the_logs_api_documents():
    doc = _model("logs")["shapes"]["Days"]["documentation"]
    values = doc.split("Possible values are:")[1].split(".")[0]
    listed = [int(n) for n in re.findall(r"\d+", values)]
    assert list(aws.RETENTION_DAYS) == listed


def test_service_range_rules_are_the_ones_the_eks_api_documents():
    doc = _model("eks")["shapes"]["KubernetesNetworkConfigRequest"]["members"]["serviceIpv4Cidr"][
        "documentation"
    ]
    within = doc.split("Within")[1].split("</li>")[0]
    blocks = re.findall(r"<code>(\d+\.\d+\.\d+\.\d+/\d+)</code>", within)
    assert {str(b) for b in aws.EKS_SERVICE_BLOCKS} == set(blocks)
    assert "Between <code>/24</code> and <code>/12</code>" in doc
    assert aws.EKS_SERVICE_PREFIXES == (12, 24)


@pytest.mark.parametrize(
    ("cidr", "ok"),
    [("172.20.0.0/16", True), ("10.100.0.0/16", True), ("192.168.0.0/24", True),
     ("100.64.0.0/16", False), ("8.8.0.0/16", False), ("10.0.0.0/8", False),
     ("10.0.0.0/25", False)],
)  # fmt: skip
def test_service_range_checks(cidr, ok):
    assert (aws.service_cidr_problems(ipaddress.IPv4Network(cidr)) == []) is ok


@pytest.mark.parametrize(
    ("cidr", "ok"),
    [("10.10.0.0/16", True), ("172.31.0.0/16", True), ("192.168.0.0/20", True),
     ("127.0.0.0/16", False), ("169.254.0.0/16", False), ("100.64.0.0/16", False),
     ("8.8.0.0/16", False), ("10.0.0.0/15", False)],
)  # fmt: skip
def test_vpc_range_checks(cidr, ok):
    assert (aws.vpc_cidr_problems(ipaddress.IPv4Network(cidr), (16, 20)) == []) is ok


def test_shipped_stacks_use_real_regions_and_zones():
    for path in DEFAULT_DIR.glob("Pulumi.*.yaml"):
        cfg = read_stack_file(path.name[len("Pulumi.") : -len(".yaml")])
        region = cfg["aws:region"]
        assert aws.is_region(region)
        for az in (cfg.get("faas:network") or {}).get("azs", []):
            assert aws.zone_problem(az, region) is None, az


def test_messages_point_at_near_misses():
    assert "did you mean 'eu-west-1'" in aws.region_problem("eu-wset-1")
    assert "it is a zone of us-east-1" in aws.zone_problem("us-east-1a", "eu-west-1")
    assert "the nearest is 30" in aws.retention_problem(31)
