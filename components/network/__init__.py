"""The network of one colour: its VPC, subnets per AZ, internet and NAT egress, routes, flow logs.

`Network` builds them; `subnets` computes the subnet ranges from the VPC range and the AZ letters.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.config.network import NetworkConfig
from components.network import subnets
from components.shared.iam import confined_service_trust, policy_json
from components.shared.identity import Identity
from components.shared.logs import EncryptedLogGroup, EncryptedLogGroupArgs

COMPONENT = "network"


@dataclass
class NetworkArgs:
    identity: Identity
    settings: NetworkConfig


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("faas:network:Network", name, None, opts)
        ident, cfg = args.identity, args.settings
        child = pulumi.ResourceOptions(parent=self)

        def tags(n: str, **extra: str) -> dict[str, str]:
            return ident.tags(n, COMPONENT, **extra)

        vpc_name = ident.name("vpc")
        self.vpc = aws.ec2.Vpc(
            vpc_name,
            cidr_block=cfg.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=tags(vpc_name),
            opts=child,
        )
        # CIS AWS 5.4 / checkov CKV2_AWS_12: adopt the default security group and strip its rules,
        # so nothing that lands in it by accident can talk to anything.
        aws.ec2.DefaultSecurityGroup(
            ident.name("default-sg"),
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=tags(ident.name("default-sg")),
            opts=child,
        )
        igw = aws.ec2.InternetGateway(
            ident.name("igw"), vpc_id=self.vpc.id, tags=tags(ident.name("igw")), opts=child
        )

        # Load-balancer discovery finds subnets by this tag (and the role tags below); Karpenter
        # finds the private ones, where function nodes go, by its discovery tag.
        cluster = naming.cluster_name(ident.environment, ident.color)
        cluster_tag = f"kubernetes.io/cluster/{cluster}"
        layout = subnets.allocate(cfg.cidr, cfg.azs)
        public, private = [], []
        for s in layout:
            letter = s.az[-1]
            pub_name, priv_name = ident.name("public", letter), ident.name("private", letter)
            public.append(
                aws.ec2.Subnet(
                    pub_name,
                    vpc_id=self.vpc.id,
                    cidr_block=s.public,
                    availability_zone=s.az,
                    # Only NLBs and NATs live here; checkov CKV_AWS_130.
                    map_public_ip_on_launch=False,
                    tags=tags(pub_name, **{"kubernetes.io/role/elb": "1", cluster_tag: "shared"}),
                    opts=child,
                )
            )
            private.append(
                aws.ec2.Subnet(
                    priv_name,
                    vpc_id=self.vpc.id,
                    cidr_block=s.private,
                    availability_zone=s.az,
                    tags=tags(
                        priv_name,
                        **{
                            "kubernetes.io/role/internal-elb": "1",
                            cluster_tag: "shared",
                            naming.KARPENTER_DISCOVERY_TAG: cluster,
                        },
                    ),
                    opts=child,
                )
            )

        public_rt = aws.ec2.RouteTable(
            ident.name("public-rt"),
            vpc_id=self.vpc.id,
            tags=tags(ident.name("public-rt")),
            opts=child,
        )
        aws.ec2.Route(
            ident.name("public-default"),
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        for s, sub in zip(layout, public, strict=True):
            aws.ec2.RouteTableAssociation(
                ident.name("public", s.az[-1]),
                subnet_id=sub.id,
                route_table_id=public_rt.id,
                opts=child,
            )

        # One NAT per AZ keeps an AZ outage from cutting the others' egress (production); a single
        # NAT saves ~$33/month per extra AZ where that risk is acceptable (non-prod).
        nat_azs = layout if cfg.nat_strategy == "perAz" else layout[:1]
        nats = {}
        for s, sub in zip(layout, public, strict=True):
            if s not in nat_azs:
                continue
            n = ident.name("nat", s.az[-1])
            eip = aws.ec2.Eip(n, domain="vpc", tags=tags(n), opts=child)
            nats[s.az] = aws.ec2.NatGateway(
                n,
                allocation_id=eip.allocation_id,
                subnet_id=sub.id,
                tags=tags(n),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
        for s, sub in zip(layout, private, strict=True):
            rt_name = ident.name("private-rt", s.az[-1])
            rt = aws.ec2.RouteTable(rt_name, vpc_id=self.vpc.id, tags=tags(rt_name), opts=child)
            nat = nats.get(s.az) or next(iter(nats.values()))
            aws.ec2.Route(
                ident.name("private-default", s.az[-1]),
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                ident.name("private", s.az[-1]), subnet_id=sub.id, route_table_id=rt.id, opts=child
            )

        self._flow_logs(ident, cfg)
        self.vpc_id = self.vpc.id
        self.vpc_cidr = self.vpc.cidr_block
        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
            }
        )

    def _flow_logs(self, ident: Identity, cfg: NetworkConfig) -> None:
        """VPC flow logs (CIS AWS 3.9, checkov CKV2_AWS_11) to an encrypted, expiring log group."""
        child = pulumi.ResourceOptions(parent=self)
        log_name = f"/faas/{ident.name()}/vpc-flow-logs"
        group = EncryptedLogGroup(
            ident.name("flow-logs"),
            EncryptedLogGroupArgs(
                identity=ident, role="flow-logs", component=COMPONENT, log_name=log_name,
                retention_days=cfg.flow_log_retention_days,
            ),
            opts=child,
        )  # fmt: skip
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        # The flow log's id is known only after it exists, so the trust names every flow log of
        # this account and region; the VPC guide recommends exactly this (SourceAccount +
        # SourceArn `vpc-flow-log/*`) against the confused deputy:
        # https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
        flow_logs_arn = pulumi.Output.concat(
            "arn:", partition, ":ec2:", region, ":", account, ":vpc-flow-log/*"
        )
        role_name = ident.name("flow-logs-role")
        role = aws.iam.Role(
            role_name,
            assume_role_policy=confined_service_trust(
                "vpc-flow-logs.amazonaws.com", account, flow_logs_arn
            ),
            tags=ident.tags(role_name, COMPONENT),
            opts=child,
        )
        # The guide's minimum permissions (same page) except logs:CreateLogGroup: our group exists
        # before the flow log, and the service must never make one of its own (unencrypted,
        # never expiring). DescribeLogGroups is a list call; the guide grants it on "*".
        role_policy = aws.iam.RolePolicy(
            role_name,
            role=role.id,
            policy=policy_json(
                [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogStreams",
                        ],
                        "Resource": group.arn.apply(lambda a: [a, f"{a}:*"]),
                    },
                    {
                        "Effect": "Allow",
                        "Action": "logs:DescribeLogGroups",
                        "Resource": "*",
                    },
                ]
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            ident.name("flow-log"),
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=ident.tags(ident.name("flow-log"), COMPONENT),
            # EC2 checks at creation that it can assume the role and write: let the policy land.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )
