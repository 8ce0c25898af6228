"""Managed node groups: one on-demand system group for the platform, spot groups for functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming, versions
from components.compute.record import ClusterRecord
from components.config.nodegroups import NodeGroupConfig
from components.shared.iam import service_trust
from components.shared.identity import Identity

COMPONENT = "nodes"
# Exactly what a managed node needs: join the cluster and pull images. The CNI policy is given to
# vpc-cni through IRSA (components/compute/addons.py), so no pod can borrow it from the node.
NODE_POLICIES = {
    "worker": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "ecr": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
}


@dataclass
class NodeGroupsArgs:
    identity: Identity
    cluster: ClusterRecord
    subnet_ids: Sequence[pulumi.Input[str]]
    system: NodeGroupConfig
    spot: Sequence[NodeGroupConfig]
    after: Sequence[pulumi.Resource] = ()
    """What must exist before nodes join (the networking addons): without vpc-cni a node never
    becomes Ready and the node group fails to create."""


class NodeGroups(pulumi.ComponentResource):
    def __init__(self, name: str, args: NodeGroupsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:nodes:NodeGroups", name, None, opts)
        ident = args.identity
        role_name = ident.name("node-role")
        self.role = aws.iam.Role(
            role_name,
            assume_role_policy=service_trust("ec2.amazonaws.com"),
            tags=ident.tags(role_name, COMPONENT),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                ident.name("node", key),
                role=self.role.name,
                policy_arn=arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for key, arn in NODE_POLICIES.items()
        ]
        self.groups: list[aws.eks.NodeGroup] = [
            self._group(
                ident, args, args.system, naming.SYSTEM_POOL, naming.SYSTEM_TAINT, attachments
            )
        ] + [
            self._group(ident, args, g, naming.FUNCTIONS_POOL, naming.SPOT_TAINT, attachments)
            for g in args.spot
        ]
        self.register_outputs({"names": [g.node_group_name for g in self.groups]})

    def _group(
        self,
        ident: Identity,
        args: NodeGroupsArgs,
        cfg: NodeGroupConfig,
        pool: str,
        taint: dict[str, str],
        attachments: list,
    ) -> aws.eks.NodeGroup:
        name = ident.name(cfg.name)
        tags = ident.tags(name, COMPONENT, **{naming.POOL_LABEL: pool})
        template = aws.ec2.LaunchTemplate(
            name,
            name=name,
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",  # IMDSv2 only; checkov CKV_AWS_79
                # Hop limit 1: pods cannot reach the node's credentials (checkov CKV_AWS_341).
                # Every platform pod that calls AWS uses IRSA, and the AWS Load Balancer
                # Controller gets its region and VPC id explicitly instead of from IMDS.
                http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=cfg.disk_size_gb,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=tags)
                for kind in ("instance", "volume")
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.eks.NodeGroup(
            name,
            cluster_name=args.cluster.name,
            node_group_name=name,
            node_role_arn=self.role.arn,
            subnet_ids=list(args.subnet_ids),
            capacity_type=cfg.capacity_type,
            instance_types=list(cfg.instance_types),
            ami_type=versions.NODE_AMI_TYPE,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=cfg.min_size, max_size=cfg.max_size, desired_size=cfg.desired_size
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable_percentage=33),
            labels={naming.POOL_LABEL: pool},
            taints=[aws.eks.NodeGroupTaintArgs(**taint)],
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            tags=tags,
            # The cluster autoscaler owns the running size once the group exists; a `pulumi up`
            # must not scale a busy group back to its initial size.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*attachments, *args.after],
                ignore_changes=["scalingConfig.desiredSize"],
            ),
        )
