"""The local AWS API as `faas/ops/demo/moto_main.py` starts it answers what moto answers: its
speed settings (the partition list read once, no default AMIs) change no answer the cutover,
the demo or the tests read."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.moto_server import MotoServer, moto_fixtures

moto_process, moto = moto_fixtures()


@pytest.mark.parametrize(
    ("role", "accepted"),
    [
        ("arn:aws:iam::123456789012:role/eks", True),
        ("arn:aws-cn:iam::123456789012:role/eks", True),  # another real partition
        ("arn:aws-moon:iam::123456789012:role/eks", False),  # no such partition
        ("arn:aws:iam::1234:role/eks", False),  # not an account id
    ],
)
def test_role_arns_are_checked_against_the_partitions_as_moto_does(
    moto: MotoServer, role: str, accepted: bool
) -> None:
    eks = boto3.client("eks", region_name="us-east-1")
    try:
        eks.create_cluster(name="c", roleArn=role, resourcesVpcConfig={"subnetIds": ["subnet-1"]})
    except ClientError as exc:
        assert not accepted, exc
        assert exc.response["Error"]["Code"] == "InvalidParameterException"
        assert f"Invalid Role Arn: '{role}'" in exc.response["Error"]["Message"]
    else:
        assert accepted
        eks.create_nodegroup(
            clusterName="c", nodegroupName="n", subnets=["subnet-1"], nodeRole=role
        )  # fmt: skip
        assert eks.describe_nodegroup(clusterName="c", nodegroupName="n")["nodegroup"]["status"]


def test_a_server_without_default_amis_still_builds_the_network_the_world_uses(moto: MotoServer):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    assert ec2.describe_images(Owners=["amazon"])["Images"] == []  # not loaded
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")
    assert subnet["Subnet"]["AvailabilityZone"] == "us-east-1a"
