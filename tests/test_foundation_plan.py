"""Mock tests: the real program for dev-blue / prod-blue under the recording mock monitor
(preview=False, every registration awaited), asserting the security and cost properties."""

from __future__ import annotations

import copy
import ipaddress
import json

import pulumi
import pytest

from components import naming, versions
from components.config.stackfile import read_stack_file
from components.platform import main
from faas.plan.engine import run_program
from tests.support.plans import name_of, one, plan, states

DEV = "dev-blue"


@pytest.fixture(scope="module")
def dev():
    return plan(DEV)


def test_base_has_at_least_40_aws_resources(dev):
    aws = [s for s in dev["steps"] if s["newState"]["type"].startswith("aws:")]
    assert len(aws) >= 40


def test_vpc_subnets_and_discovery_tags(dev):
    vpc = one(dev, "aws:ec2/vpc:Vpc", "faas-dev-blue-vpc")
    assert vpc["inputs"]["cidrBlock"] == "10.10.0.0/16"
    subnets = states(dev, "aws:ec2/subnet:Subnet")
    assert len(subnets) == 4  # public + private in each of two AZs
    cidrs = [ipaddress.IPv4Network(s["inputs"]["cidrBlock"]) for s in subnets]
    assert all(c.subnet_of(ipaddress.IPv4Network("10.10.0.0/16")) for c in cidrs)
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])
    cluster_tag = "kubernetes.io/cluster/faas-dev-blue"
    for s in subnets:
        tags = s["inputs"]["tags"]
        role = "elb" if "-public-" in name_of(s["urn"]) else "internal-elb"
        assert tags[f"kubernetes.io/role/{role}"] == "1" and tags[cluster_tag] == "shared"
        assert s["inputs"].get("mapPublicIpOnLaunch") in (False, None)


@pytest.mark.parametrize(("stack", "nats"), [("dev-blue", 1), ("prod-blue", 3)])
def test_nat_strategy_from_config(stack, nats):
    doc = plan(stack)
    assert len(states(doc, "aws:ec2/natGateway:NatGateway")) == nats
    assert len(states(doc, "aws:ec2/eip:Eip")) == nats
    # Every private route table sends its default route through a NAT of this stack.
    nat_ids = {s["id"] for s in states(doc, "aws:ec2/natGateway:NatGateway")}
    private_routes = [r for r in states(doc, "aws:ec2/route:Route") if "private" in r["urn"]]
    assert private_routes and all(r["inputs"]["natGatewayId"] in nat_ids for r in private_routes)


def test_flow_logs_encrypted_and_expiring(dev):
    flow = states(dev, "aws:ec2/flowLog:FlowLog")[0]["inputs"]
    assert flow["trafficType"] == "ALL" and flow["logDestinationType"] == "cloud-watch-logs"
    group = one(dev, "aws:cloudwatch/logGroup:LogGroup", "faas-dev-blue-flow-logs")
    assert flow["logDestination"] == group["outputs"]["arn"]
    assert group["inputs"]["retentionInDays"] == 30
    assert group["inputs"]["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:")


def test_flow_logs_role_is_confined_to_our_flow_logs_and_group(dev):
    # VPC guide (flow-logs-iam-role): SourceAccount + SourceArn against the confused deputy.
    role = one(dev, "aws:iam/role:Role", "faas-dev-blue-flow-logs-role")
    (stmt,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert stmt["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert stmt["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert stmt["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*"
    }
    policy = one(dev, "aws:iam/rolePolicy:RolePolicy", "faas-dev-blue-flow-logs-role")
    allowed: set[str] = set()
    for st in json.loads(policy["inputs"]["policy"])["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        allowed.update(actions)
        if "logs:PutLogEvents" in actions:
            group = one(dev, "aws:cloudwatch/logGroup:LogGroup", "faas-dev-blue-flow-logs")
            assert st["Resource"] == [group["outputs"]["arn"], group["outputs"]["arn"] + ":*"]
    assert "logs:DescribeLogGroups" in allowed and "logs:CreateLogGroup" not in allowed
    flow = states(dev, "aws:ec2/flowLog:FlowLog")[0]
    assert policy["urn"] in flow["dependencies"]


def test_default_security_group_is_closed(dev):
    sg = states(dev, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")[0]["inputs"]
    assert sg.get("ingress", []) == [] and sg.get("egress", []) == []


def test_every_kms_key_rotates(dev):
    keys = states(dev, "aws:kms/key:Key")
    # AWS rotates symmetric keys only; the DNSSEC signing key is asymmetric (tests/test_dnssec.py)
    symmetric = [k for k in keys if "customerMasterKeySpec" not in k["inputs"]]
    assert len(symmetric) >= 3 and all(k["inputs"]["enableKeyRotation"] is True for k in symmetric)
    assert [k["inputs"]["customerMasterKeySpec"] for k in keys if k not in symmetric] == [
        "ECC_NIST_P256"
    ]


def test_eks_control_plane(dev):
    eks = one(dev, "aws:eks/cluster:Cluster", "faas-dev-blue")["inputs"]
    assert sorted(eks["enabledClusterLogTypes"]) == sorted(
        ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    )
    assert eks["vpcConfig"]["endpointPrivateAccess"] is True
    assert "0.0.0.0/0" not in eks["vpcConfig"].get("publicAccessCidrs", [])
    assert eks["encryptionConfig"]["resources"] == ["secrets"]
    assert eks["encryptionConfig"]["provider"]["keyArn"].startswith("arn:aws:kms:")
    assert eks["accessConfig"]["authenticationMode"] == "API"
    assert eks["version"] in versions.SUPPORTED_KUBERNETES_VERSIONS


def test_prod_endpoint_is_private_only():
    eks = one(plan("prod-blue"), "aws:eks/cluster:Cluster", "faas-prod-blue")["inputs"]
    assert eks["vpcConfig"]["endpointPublicAccess"] is False
    assert not eks["vpcConfig"].get("publicAccessCidrs")


def test_control_plane_log_group_exists_before_the_cluster(dev):
    eks = one(dev, "aws:eks/cluster:Cluster", "faas-dev-blue")
    group = one(dev, "aws:cloudwatch/logGroup:LogGroup", "faas-dev-blue-control-plane-logs")
    assert group["inputs"]["name"] == "/aws/eks/faas-dev-blue/cluster"
    assert group["urn"] in eks["dependencies"]


def test_cluster_role_may_use_exactly_the_secrets_key(dev):
    eks = one(dev, "aws:eks/cluster:Cluster", "faas-dev-blue")
    key_arn = eks["inputs"]["encryptionConfig"]["provider"]["keyArn"]
    policy = one(dev, "aws:iam/rolePolicy:RolePolicy", "faas-dev-blue-cluster-role-secrets-key")
    role = one(dev, "aws:iam/role:Role", "faas-dev-blue-cluster-role")
    assert policy["inputs"]["role"] == role["id"]
    (stmt,) = json.loads(policy["inputs"]["policy"])["Statement"]
    assert stmt["Resource"] == key_arn
    assert sorted(stmt["Action"]) == sorted(
        ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
    )
    # EKS checks the key when the cluster is created: the grant exists first.
    assert policy["urn"] in eks["dependencies"]


def test_admin_access_entries_and_oidc_provider(dev):
    entry = one(dev, "aws:eks/accessEntry:AccessEntry", "faas-dev-blue-admin-0")["inputs"]
    assert entry["principalArn"] == "arn:aws:iam::123456789012:role/platform-admins"
    assoc = states(dev, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")[0]["inputs"]
    assert assoc["policyArn"].endswith("AmazonEKSClusterAdminPolicy")
    oidc = states(dev, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]["inputs"]
    eks = one(dev, "aws:eks/cluster:Cluster", "faas-dev-blue")["outputs"]
    assert oidc["url"] == eks["identities"][0]["oidcs"][0]["issuer"]
    assert oidc["clientIdLists"] == ["sts.amazonaws.com"]


def test_addons_pinned_and_ordered_around_the_nodes(dev):
    addons = {s["inputs"]["addonName"]: s for s in states(dev, "aws:eks/addon:Addon")}
    assert set(addons) == {
        "vpc-cni",
        "kube-proxy",
        "coredns",
        "aws-ebs-csi-driver",
        "eks-pod-identity-agent",
    }
    # Tenant NetworkPolicies are only enforced when the VPC CNI is told to.
    cni_config = json.loads(addons["vpc-cni"]["inputs"]["configurationValues"])
    assert cni_config["enableNetworkPolicy"] == "true"
    pinned = versions.RELEASES[dev["config"]["faas:release"]].addons
    assert all(a["inputs"]["addonVersion"] == pinned[n] for n, a in addons.items())
    groups = {s["urn"] for s in states(dev, "aws:eks/nodeGroup:NodeGroup")}
    for late in ("coredns", "aws-ebs-csi-driver"):
        assert groups <= set(addons[late]["dependencies"]), late
    for g in states(dev, "aws:eks/nodeGroup:NodeGroup"):
        assert addons["vpc-cni"]["urn"] in g["dependencies"]
    # The addons that call AWS use IRSA roles trusted by exactly one service account.
    for name, sa in (("vpc-cni", "aws-node"), ("aws-ebs-csi-driver", "ebs-csi-controller-sa")):
        role_arn = addons[name]["inputs"]["serviceAccountRoleArn"]
        role = next(r for r in states(dev, "aws:iam/role:Role") if r["outputs"]["arn"] == role_arn)
        cond = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]["Condition"]
        eq = cond["StringEquals"]
        assert any(
            k.endswith(":sub") and v == f"system:serviceaccount:kube-system:{sa}"
            for k, v in eq.items()
        )
        assert any(k.endswith(":aud") and v == "sts.amazonaws.com" for k, v in eq.items())


def test_node_groups_system_on_demand_and_spot_functions(dev):
    groups = {name_of(s["urn"]): s for s in states(dev, "aws:eks/nodeGroup:NodeGroup")}
    system, spot = groups["faas-dev-blue-system"], groups["faas-dev-blue-functions"]
    assert system["inputs"]["capacityType"] == "ON_DEMAND"
    assert system["inputs"]["labels"] == {naming.POOL_LABEL: naming.SYSTEM_POOL}
    assert system["inputs"]["taints"] == [naming.SYSTEM_TAINT]
    assert spot["inputs"]["capacityType"] == "SPOT"
    assert len(spot["inputs"]["instanceTypes"]) >= 3
    assert spot["inputs"]["labels"] == {naming.POOL_LABEL: naming.FUNCTIONS_POOL}
    for g in groups.values():
        assert g["ignoreChanges"] == ["scalingConfig.desiredSize"]


def test_launch_templates_imdsv2_and_encrypted_gp3(dev):
    templates = states(dev, "aws:ec2/launchTemplate:LaunchTemplate")
    assert len(templates) == 2
    ids = {t["id"] for t in templates}
    for g in states(dev, "aws:eks/nodeGroup:NodeGroup"):
        assert g["inputs"]["launchTemplate"]["id"] in ids
    for t in templates:
        md = t["inputs"]["metadataOptions"]
        assert md["httpTokens"] == "required" and md["httpPutResponseHopLimit"] == 1
        ebs = t["inputs"]["blockDeviceMappings"][0]["ebs"]
        assert ebs["encrypted"] == "true" and ebs["volumeType"] == "gp3"


def test_node_role_has_exactly_the_node_policies(dev):
    role = one(dev, "aws:iam/role:Role", "faas-dev-blue-node-role")
    attached = [
        a["inputs"]["policyArn"]
        for a in states(dev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a["inputs"]["role"] == role["outputs"]["name"]
    ]
    assert sorted(attached) == [
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]


def test_kubeconfig_is_secret_and_a_kubernetes_provider_uses_it(dev):
    assert dev["outputs"]["kubeconfig"] == "[secret]"
    assert states(dev, "pulumi:providers:kubernetes")


def test_same_inputs_give_the_same_plan():
    from faas.plan import run_plan

    assert run_plan(DEV)["steps"] == run_plan(DEV)["steps"]


def test_config_error_under_the_engine_is_one_run_error_and_creates_nothing():
    """What `pulumi up` shows: the program raises one RunError listing every problem."""
    cfg = copy.deepcopy(read_stack_file(DEV))
    cfg["faas:network"]["cidr"] = "10.0.0.0/33"
    cfg["faas:nodeGroups"]["system"]["desiredSize"] = 9
    with pytest.raises(pulumi.RunError) as err:
        run_program(DEV, cfg, main)
    text = str(err.value)
    assert "faas:network.cidr: 10.0.0.0/33 is not a CIDR" in text
    assert "faas:nodeGroups.system.desiredSize: 9 is outside" in text
