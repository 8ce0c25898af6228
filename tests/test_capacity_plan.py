"""Karpenter in the cluster plans: controller, IAM, interruption queue, NodePool and EC2NodeClass
(components/capacity/), asserted on the offline plan of every cluster stack."""

from __future__ import annotations

import json

import pytest

from components import config, naming, versions
from components import constants as c
from components.capacity import nodepool
from components.config.stackfile import read_stack_file
from tests.support.plans import name_of, one, plan, states

CLUSTER_STACKS = ("dev-blue", "dev-green", "prod-blue", "prod-green")
RELEASE = "kubernetes:helm.sh/v3:Release"


def release(doc, name):
    return one(doc, RELEASE, name)["inputs"]


def custom(doc, kind):
    return [s["inputs"] for s in states(doc, f"kubernetes:{kind}")]


@pytest.fixture(scope="module", params=CLUSTER_STACKS)
def stack(request):
    return request.param


def test_controller_is_pinned_and_runs_on_the_system_nodes(stack):
    doc = plan(stack)
    catalogue = versions.RELEASES[doc["config"]["faas:release"]]
    pin, crd_pin = catalogue.chart("karpenter"), catalogue.chart("karpenter-crd")
    controller, crds = release(doc, "karpenter"), release(doc, "karpenter-crd")
    assert controller["chart"] == f"{pin['repo']}/{pin['chart']}" and pin["repo"].startswith(
        "oci://"
    )
    assert controller["version"] == pin["version"] == crd_pin["version"]
    assert crds["chart"] == f"{crd_pin['repo']}/karpenter-crd"
    # CRDs come from their own release, so an upgrade upgrades them too.
    assert controller["skipCrds"] is True
    values = controller["values"]
    assert values["nodeSelector"] == {naming.POOL_LABEL: naming.SYSTEM_POOL}
    assert {"key": naming.SYSTEM_TAINT["key"], "operator": "Equal", "value": "true",
            "effect": "NoSchedule"} in values["tolerations"]  # fmt: skip
    assert controller["namespace"] == c.KARPENTER_NAMESPACE
    assert values["serviceAccount"]["name"] == c.KARPENTER_SERVICE_ACCOUNT
    queue = one(doc, "aws:sqs/queue:Queue", f"faas-{stack}-karpenter-interruptions")
    assert values["settings"]["interruptionQueue"] == queue["outputs"]["name"]
    assert values["settings"]["clusterName"] == f"faas-{stack}"
    ns = next(n for n in custom(doc, "core/v1:Namespace") if n["metadata"]["name"] == "karpenter")
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_controller_identity_is_pod_identity_pinned_to_its_service_account(stack):
    doc = plan(stack)
    role = one(doc, "aws:iam/role:Role", f"faas-{stack}-karpenter-controller")
    (stmt,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert stmt["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert stmt["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    region = plan(stack)["config"]["aws:region"]
    assert stmt["Condition"]["StringEquals"] == {
        "aws:RequestTag/eks-cluster-arn": f"arn:aws:eks:{region}:123456789012:cluster/faas-{stack}",
        "aws:RequestTag/kubernetes-namespace": c.KARPENTER_NAMESPACE,
        "aws:RequestTag/kubernetes-service-account": c.KARPENTER_SERVICE_ACCOUNT,
    }
    association = one(
        doc,
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        f"faas-{stack}-karpenter-controller",
    )["inputs"]
    assert (association["namespace"], association["serviceAccount"]) == (
        c.KARPENTER_NAMESPACE,
        c.KARPENTER_SERVICE_ACCOUNT,
    )
    assert association["roleArn"] == role["outputs"]["arn"]


def test_controller_policy_writes_only_to_this_clusters_resources(stack):
    doc = plan(stack)
    policy = one(doc, "aws:iam/rolePolicy:RolePolicy", f"faas-{stack}-karpenter-controller")
    statements = {s["Sid"]: s for s in json.loads(policy["inputs"]["policy"])["Statement"]}
    owned = f"kubernetes.io/cluster/faas-{stack}"
    for sid in ("AllowScopedEC2LaunchTemplateAccessActions", "AllowScopedDeletion"):
        assert statements[sid]["Condition"]["StringEquals"] == {f"aws:ResourceTag/{owned}": "owned"}
    for sid in ("AllowScopedEC2InstanceActionsWithTags", "AllowScopedResourceCreationTagging"):
        assert statements[sid]["Condition"]["StringEquals"][f"aws:RequestTag/{owned}"] == "owned"
    node_role = one(doc, "aws:iam/role:Role", f"faas-{stack}-karpenter-node")
    assert statements["AllowPassingInstanceRole"]["Resource"] == node_role["outputs"]["arn"]
    queue = one(doc, "aws:sqs/queue:Queue", f"faas-{stack}-karpenter-interruptions")
    assert statements["AllowInterruptionQueueActions"]["Resource"] == queue["outputs"]["arn"]
    wildcard = {sid for sid, s in statements.items() if s["Resource"] == "*"}
    assert wildcard == {
        "AllowRegionalReadActions",
        "AllowPricingReadActions",
        "AllowUnscopedInstanceProfileListAction",
    }
    region = plan(stack)["config"]["aws:region"]
    assert statements["AllowRegionalReadActions"]["Condition"] == {
        "StringEquals": {"aws:RequestedRegion": region}
    }


def test_interruption_queue_is_encrypted_confined_and_fed_by_four_rules(stack):
    doc = plan(stack)
    queue = one(doc, "aws:sqs/queue:Queue", f"faas-{stack}-karpenter-interruptions")
    dlq = one(doc, "aws:sqs/queue:Queue", f"faas-{stack}-karpenter-interruptions-dlq")
    for q in (queue, dlq):
        assert q["inputs"]["sqsManagedSseEnabled"] is True
    assert queue["inputs"]["messageRetentionSeconds"] == 300
    redrive = json.loads(queue["inputs"]["redrivePolicy"])
    assert redrive == {"deadLetterTargetArn": dlq["outputs"]["arn"], "maxReceiveCount": 5}
    rules = {
        name_of(r["urn"]): json.loads(r["inputs"]["eventPattern"])
        for r in states(doc, "aws:cloudwatch/eventRule:EventRule")
    }
    assert sorted((p["source"][0], p["detail-type"][0]) for p in rules.values()) == [
        ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
        ("aws.ec2", "EC2 Instance State-change Notification"),
        ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
        ("aws.health", "AWS Health Event"),
    ]
    targets = states(doc, "aws:cloudwatch/eventTarget:EventTarget")
    assert len(targets) == 4 and {t["inputs"]["arn"] for t in targets} == {queue["outputs"]["arn"]}
    qpolicy = one(doc, "aws:sqs/queuePolicy:QueuePolicy", f"faas-{stack}-karpenter-interruptions")
    allow, deny = json.loads(qpolicy["inputs"]["policy"])["Statement"]
    rule_arns = {r["outputs"]["arn"] for r in states(doc, "aws:cloudwatch/eventRule:EventRule")}
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert set(allow["Condition"]["ArnEquals"]["aws:SourceArn"]) == rule_arns
    assert deny["Effect"] == "Deny" and deny["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }


def test_node_pool_is_spot_first_diversified_bounded_and_consolidating(stack):
    doc = plan(stack)
    cfg = config.load(stack, read_stack_file(stack)).capacity
    (pool,) = custom(doc, "karpenter.sh/v1:NodePool")
    spec = pool["spec"]
    reqs = {r["key"]: r for r in spec["template"]["spec"]["requirements"]}
    assert reqs[nodepool.CAPACITY_TYPE]["values"] == ["spot", "on-demand"]
    assert reqs[nodepool.INSTANCE_FAMILY]["values"] == list(cfg.instance_families)
    assert reqs[nodepool.INSTANCE_FAMILY]["minValues"] >= 3
    assert spec["limits"] == {"cpu": cfg.cpu_limit, "memory": cfg.memory_limit}
    assert spec["template"]["spec"]["expireAfter"] == cfg.expire_after
    assert spec["disruption"]["consolidationPolicy"] == "WhenEmptyOrUnderutilized"
    assert spec["disruption"]["budgets"] == [{"nodes": cfg.disruption_budget}]
    assert pool["metadata"]["annotations"][nodepool.EXPECTED_CPU_ANNOTATION] == cfg.expected_cpu
    assert spec["template"]["spec"]["nodeClassRef"]["name"] == "functions"


def _can_land(pool_spec: dict, pod_node_selector: dict) -> bool:
    """Karpenter only launches for a pod whose nodeSelector its nodes' labels satisfy."""
    labels = pool_spec["template"]["metadata"]["labels"]
    return all(labels.get(k, v) == v for k, v in pod_node_selector.items())


def test_no_platform_pod_can_make_karpenter_launch_a_node(stack):
    doc = plan(stack)
    (pool,) = custom(doc, "karpenter.sh/v1:NodePool")
    selectors = [r["inputs"]["values"].get("nodeSelector") for r in states(doc, RELEASE)]
    system = [s for s in selectors if s and naming.POOL_LABEL in s]
    assert system and all(s[naming.POOL_LABEL] == naming.SYSTEM_POOL for s in system)
    assert not any(_can_land(pool["spec"], s) for s in system)
    # Functions select the functions pool and tolerate the same soft taint.
    assert _can_land(pool["spec"], {naming.POOL_LABEL: naming.FUNCTIONS_POOL})
    (taint,) = pool["spec"]["template"]["spec"]["taints"]
    assert taint["key"] == naming.SPOT_TAINT["key"] and taint["effect"] == "PreferNoSchedule"


def test_node_class_is_al2023_imdsv2_encrypted_and_found_by_tag(stack):
    doc = plan(stack)
    cfg = config.load(stack, read_stack_file(stack)).capacity
    (cls,) = custom(doc, "karpenter.k8s.aws/v1:EC2NodeClass")
    spec = cls["spec"]
    assert spec["amiSelectorTerms"] == [{"alias": versions.KARPENTER_NODE_AMI_ALIAS}]
    assert versions.KARPENTER_NODE_AMI_ALIAS.startswith("al2023@")
    assert spec["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpProtocolIPv6": "disabled",
        "httpPutResponseHopLimit": 1,
        "httpTokens": "required",
    }
    (root,) = spec["blockDeviceMappings"]
    assert root["rootVolume"] is True
    assert root["ebs"] == {
        "volumeSize": f"{cfg.disk_size_gb}Gi",
        "volumeType": "gp3",
        "encrypted": True,
        "deleteOnTermination": True,
    }
    node_role = one(doc, "aws:iam/role:Role", f"faas-{stack}-karpenter-node")
    assert spec["role"] == node_role["outputs"]["name"]
    discovery = {naming.KARPENTER_DISCOVERY_TAG: f"faas-{stack}"}
    assert spec["subnetSelectorTerms"] == [{"tags": discovery}]
    assert spec["securityGroupSelectorTerms"] == [{"tags": discovery}]
    # What the selectors find: exactly the private subnets, and the cluster security group.
    tagged = [
        name_of(s["urn"])
        for s in states(doc, "aws:ec2/subnet:Subnet")
        if s["inputs"]["tags"].get(naming.KARPENTER_DISCOVERY_TAG) == f"faas-{stack}"
    ]
    assert tagged and all("-private-" in n for n in tagged)
    cluster = one(doc, "aws:eks/cluster:Cluster", f"faas-{stack}")
    sg_tag = one(doc, "aws:ec2/tag:Tag", f"faas-{stack}-karpenter-discovery-sg")["inputs"]
    assert sg_tag["resourceId"] == cluster["outputs"]["vpcConfig"]["clusterSecurityGroupId"]
    assert (sg_tag["key"], sg_tag["value"]) == (naming.KARPENTER_DISCOVERY_TAG, f"faas-{stack}")


def test_function_nodes_join_through_an_ec2_linux_access_entry(stack):
    doc = plan(stack)
    node_role = one(doc, "aws:iam/role:Role", f"faas-{stack}-karpenter-node")
    entry = one(doc, "aws:eks/accessEntry:AccessEntry", f"faas-{stack}-karpenter-node")
    assert entry["inputs"]["type"] == "EC2_LINUX"
    assert entry["inputs"]["principalArn"] == node_role["outputs"]["arn"]
    attached = {
        a["inputs"]["policyArn"].rsplit("/", 1)[-1]
        for a in states(doc, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if name_of(a["urn"]).startswith(f"faas-{stack}-karpenter-node-")
    }
    assert attached == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"}
