"""The function NodePool and its EC2NodeClass, as Karpenter's v1 API takes them. Pure: no Pulumi.

Schemas: karpenter.sh_nodepools.yaml and karpenter.k8s.aws_ec2nodeclasses.yaml of
aws/karpenter-provider-aws v1.14.1 (stored in contracts/crds/; the contract tests check every
field rendered here). Behaviour: https://karpenter.sh/docs/concepts/nodepools/ and
https://karpenter.sh/docs/concepts/nodeclasses/.
"""

from __future__ import annotations

from components import naming
from components.config.capacity import MIN_FAMILIES, CapacityConfig

NODE_CLASS_GROUP = "karpenter.k8s.aws"
NODE_CLASS_KIND = "EC2NodeClass"
CAPACITY_TYPE = "karpenter.sh/capacity-type"
INSTANCE_FAMILY = "karpenter.k8s.aws/instance-family"
INSTANCE_SIZE = "karpenter.k8s.aws/instance-size"
ROOT_DEVICE = "/dev/xvda"  # AL2023's root device
# Annotation on the NodePool the cost report reads (faas/report/cost.py): the vCPUs of function
# nodes expected to run on average (`faas:capacity.expectedCpu`). Karpenter ignores it.
EXPECTED_CPU_ANNOTATION = "faas.platform/expected-cpu"


def _k8s_taint(taint: dict[str, str]) -> dict[str, str]:
    return {
        "key": taint["key"],
        "value": taint["value"],
        "effect": naming.K8S_TAINT_EFFECT[taint["effect"]],
    }


def capacity_types(cfg: CapacityConfig) -> list[str]:
    """Spot first: with both allowed, Karpenter launches spot and falls back to on-demand only
    when no spot offering fits (https://karpenter.sh/docs/concepts/nodepools/#capacity-type)."""
    return ["spot", "on-demand"] if cfg.on_demand_fallback else ["spot"]


def node_pool_spec(cfg: CapacityConfig, node_class: str) -> dict:
    """`spec` of the function NodePool.

    Its nodes carry the functions pool label and the soft spot taint the static spot groups carry
    (components/compute/nodegroups.py), so functions land on either alike. No platform pod can
    make Karpenter launch a node: platform pods select `faas.platform/pool=system`
    (components/serving/placement.py), a label this pool's nodes never carry.
    """
    families = list(cfg.instance_families)
    return {
        "template": {
            "metadata": {"labels": {naming.POOL_LABEL: naming.FUNCTIONS_POOL}},
            "spec": {
                "nodeClassRef": {
                    "group": NODE_CLASS_GROUP,
                    "kind": NODE_CLASS_KIND,
                    "name": node_class,
                },
                "requirements": [
                    {"key": CAPACITY_TYPE, "operator": "In", "values": capacity_types(cfg)},
                    # Every launch request offers at least this many families, so spot's
                    # price-capacity-optimized allocation can pick the deepest pools.
                    {
                        "key": INSTANCE_FAMILY,
                        "operator": "In",
                        "values": families,
                        "minValues": min(MIN_FAMILIES, len(set(families))),
                    },
                    {"key": INSTANCE_SIZE, "operator": "In", "values": list(cfg.instance_sizes)},
                    {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
                    {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                ],
                "taints": [_k8s_taint(naming.SPOT_TAINT)],
                "expireAfter": cfg.expire_after,
            },
        },
        "disruption": {
            "consolidationPolicy": cfg.consolidation,
            "consolidateAfter": cfg.consolidate_after,
            "budgets": [{"nodes": cfg.disruption_budget}],
        },
        "limits": {"cpu": cfg.cpu_limit, "memory": cfg.memory_limit},
    }


def node_class_spec(
    cfg: CapacityConfig, cluster: str, node_role: str, ami_alias: str, tags: dict[str, str]
) -> dict:
    """`spec` of the function EC2NodeClass: AL2023, IMDSv2 only, an encrypted gp3 root volume,
    subnets and security groups found by the discovery tag (the private subnets and the cluster
    security group carry it).

    IMDS hop limit 1: the node's own agents (kubelet, nodeadm) and the hostNetwork DaemonSets
    (aws-node, kube-proxy, the Pod Identity agent) reach IMDS in one hop; function pods must not
    reach the node role's credentials. Nothing on function nodes needs more: the AWS Load
    Balancer Controller, the one pod that would, runs on the system nodes with its region and VPC
    given explicitly (components/serving/aws.py). Karpenter's own default is the same.
    """
    selector = [{"tags": {naming.KARPENTER_DISCOVERY_TAG: cluster}}]
    return {
        "role": node_role,
        "amiSelectorTerms": [{"alias": ami_alias}],
        "subnetSelectorTerms": selector,
        "securityGroupSelectorTerms": selector,
        "associatePublicIPAddress": False,
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            "httpPutResponseHopLimit": 1,
            "httpTokens": "required",
        },
        "blockDeviceMappings": [
            {
                "deviceName": ROOT_DEVICE,
                "rootVolume": True,
                "ebs": {
                    "volumeSize": f"{cfg.disk_size_gb}Gi",
                    "volumeType": "gp3",
                    "encrypted": True,
                    "deleteOnTermination": True,
                },
            }
        ],
        "tags": tags,
    }
