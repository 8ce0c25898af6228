"""The price table: every number the cost estimate uses, with its source and date (one file).

All prices are **us-east-1 list prices** (the reference region of the team's price sheet,
docs/sources/timings-and-prices.md, section A.4). They are not adjusted for the stack's region;
eu-west-1 is typically a few percent dearer, so read the estimate as "us-east-1 equivalent".

`verified=True` means the figure is in the team's reference sheet with a cited source.
`verified=False` means it was taken from the canonical AWS pricing page or a secondary page found
while writing this table and was not re-checked against the live AWS page: verify before quoting it.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

REFERENCE_REGION = "us-east-1"
# AWS pricing pages turn hourly prices into monthly ones with 730 hours (24 * 365 / 12).
HOURS_PER_MONTH = 730.0
# The date this table was assembled from the sources below.
TABLE_DATE = "2026-11-29"

_REF = "docs/sources/timings-and-prices.md A.4"


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str
    as_of: str
    verified: bool = True


EKS_CLUSTER_HOUR = Price(
    0.10,
    "cluster-hour (standard support)",
    f"{_REF}; https://aws.amazon.com/blogs/containers/"
    "amazon-eks-extended-support-for-kubernetes-versions-pricing/",
    TABLE_DATE,
)
# Not applied: extended support is only billed once the version leaves standard support, which a
# plan cannot know. Listed so the table shows what an overdue upgrade costs per cluster.
EKS_CLUSTER_EXTENDED_HOUR = Price(0.60, "cluster-hour (extended support)", _REF, TABLE_DATE)
NAT_GATEWAY_HOUR = Price(
    0.045,
    "NAT gateway-hour (+$0.045/GB processed, not estimated)",
    f"{_REF}; https://aws.amazon.com/vpc/pricing/",
    TABLE_DATE,
)
PUBLIC_IPV4_HOUR = Price(
    0.005, "public IPv4 address-hour", f"{_REF}; https://aws.amazon.com/vpc/pricing/", TABLE_DATE
)
NLB_HOUR = Price(
    0.0225,
    "NLB-hour (+$0.006/NLCU-hour, not estimated)",
    f"{_REF}; https://aws.amazon.com/elasticloadbalancing/pricing/",
    TABLE_DATE,
)
ALB_HOUR = Price(
    0.0225,
    "ALB-hour (+$0.008/LCU-hour, not estimated)",
    "https://aws.amazon.com/elasticloadbalancing/pricing/",
    TABLE_DATE,
    verified=False,
)

_EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/ (Linux)"
# On-demand list price per instance-hour. The first five are the reference sheet's; the rest are
# the same page's published list prices for the sizes a platform like this one commonly picks.
INSTANCE_HOUR: dict[str, Price] = {
    "m5.large": Price(0.096, "instance-hour", _REF, TABLE_DATE),
    "m6i.large": Price(0.096, "instance-hour", _REF, TABLE_DATE),
    "m5.xlarge": Price(0.192, "instance-hour", _REF, TABLE_DATE),
    "c6i.xlarge": Price(0.17, "instance-hour", _REF, TABLE_DATE),
    "c6i.4xlarge": Price(0.68, "instance-hour", _REF, TABLE_DATE),
    "m6i.xlarge": Price(0.192, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "m6i.2xlarge": Price(0.384, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "m5.2xlarge": Price(0.384, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "m6a.large": Price(0.0864, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "m6a.xlarge": Price(0.1728, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "m5a.large": Price(0.086, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "m5a.xlarge": Price(0.172, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "m7i.large": Price(0.1008, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "m7g.large": Price(
        0.0816,
        "instance-hour",
        "https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/",
        "2026-06-17",
        verified=False,
    ),
    "c6i.large": Price(0.085, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "c5.large": Price(0.085, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "c5.xlarge": Price(0.17, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "c6a.large": Price(0.0765, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "c6a.xlarge": Price(0.153, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "t3.medium": Price(0.0416, "instance-hour", _EC2, TABLE_DATE, verified=False),
    "t3.large": Price(
        0.0832, "instance-hour", "https://go-cloud.io/?p=10607", TABLE_DATE, verified=False
    ),
}

# Spot: the reference sheet gives ~55-70% typical discounts in us-east-1 for m5/m6i/c6i. We use 60%
# (inside that range, nearer its cautious end) rather than AWS's "up to 90%".
SPOT_DISCOUNT = Price(0.60, "fraction off on-demand", _REF, TABLE_DATE)

# EKS managed node groups without a launch template get a 20 GiB root volume (`diskSize` default).
DEFAULT_NODE_DISK_GB = 20
# EKS's default instance type when a node group names none (`instanceTypes` default).
DEFAULT_INSTANCE_TYPE = "t3.medium"

EBS_GB_MONTH: dict[str, Price] = {
    "gp3": Price(0.08, "GB-month", "https://aws.amazon.com/ebs/pricing/", TABLE_DATE, False),
    "gp2": Price(0.10, "GB-month", "https://aws.amazon.com/ebs/pricing/", TABLE_DATE, False),
}

LOGS_INGEST_GB = Price(
    0.50,
    "GB ingested (standard class)",
    "https://c3x.dev/blog/cloudwatch-logs-cost-optimization (us-east-1, June 2026); "
    "https://aws.amazon.com/cloudwatch/pricing/",
    "2026-06",
    verified=False,
)
# No traffic exists yet, so ingestion is an assumption per kind of log group, matched on the log
# group's name. Stated here and in the report so a reviewer can replace it with measured volumes.
ASSUMED_LOG_GB_PER_MONTH: dict[str, float] = {
    "/aws/eks/*": 5.0,  # control-plane logs (api, audit, authenticator) of a small cluster
    "*flow*": 10.0,  # VPC flow logs of a dev-sized VPC
    "/aws/route53/*": 1.0,  # public DNS query logs
    "*": 1.0,  # anything else
}

KMS_KEY_MONTH = Price(
    1.00, "key-month", "https://aws.amazon.com/kms/pricing/", TABLE_DATE, verified=False
)
# Same $1/month for symmetric and asymmetric keys ("Key storage" on the pricing page); Sign requests
# with an ECC key are billed per request, and Route 53 signs rarely (its zone-signing key), so they
# are not estimated.
KMS_ASYMMETRIC_KEY_MONTH = Price(
    1.00,
    "key-month (asymmetric; Sign requests billed per 10,000, not estimated)",
    "https://aws.amazon.com/kms/pricing/",
    TABLE_DATE,
    verified=False,
)
HOSTED_ZONE_MONTH = Price(
    0.50,
    "hosted zone-month (first 25 zones)",
    "https://aws.amazon.com/route53/pricing/",
    TABLE_DATE,
    verified=False,
)
S3_STANDARD_GB_MONTH = Price(
    0.023, "GB-month (first 50 TB)", "https://aws.amazon.com/s3/pricing/", TABLE_DATE, False
)
ASSUMED_BUCKET_GB = 5.0  # a log/archive bucket of a dev environment; assumption, not a price
ECR_STORAGE_GB_MONTH = Price(
    0.10,
    "GB-month stored (private repositories; basic scanning and same-region pulls are free)",
    "https://aws.amazon.com/ecr/pricing/",
    TABLE_DATE,
    verified=False,
)
# One function's repository: the lifecycle keeps ~30 releases of a slim image (tens of MB,
# shared base layers stored once); an assumption, not a price.
ASSUMED_REPOSITORY_GB = 1.0

# Types that cost nothing by themselves, with the reason. A type matching none of these and
# without a pricing rule in cost.py is reported as "not priced", never as zero.
FREE_TYPES: dict[str, str] = {
    "aws:iam/*": "IAM is free",
    "aws:ec2/vpc:Vpc": "VPCs are free",
    "aws:ec2/subnet:Subnet": "subnets are free",
    "aws:ec2/routeTable:RouteTable": "route tables are free",
    "aws:ec2/route:Route": "routes are free",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "free",
    "aws:ec2/internetGateway:InternetGateway": "internet gateways are free (egress is not)",
    "aws:ec2/securityGroup:SecurityGroup": "security groups are free",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "free",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "free",
    "aws:vpc/securityGroup*": "free",
    "aws:ec2/flowLog:FlowLog": "charged as log ingestion on its log group",
    "aws:eks/addon:Addon": "EKS add-ons are free (they run on the nodes)",
    "aws:eks/accessEntry:AccessEntry": "free",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "free",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "free",
    "aws:lb/listener:Listener": "included in the load balancer-hour",
    "aws:lb/targetGroup:TargetGroup": "included in the load balancer-hour",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "free",
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": "free (a wait, not a resource)",
    "aws:route53/record:Record": "records are free; queries are usage ($0.40/M), not estimated",
    "aws:route53/queryLog:QueryLog": "charged as log ingestion on its log group",
    # The Route 53 pricing page (https://aws.amazon.com/route53/pricing/) has no DNSSEC line; what
    # signing costs is the KMS key behind the KSK, priced on the key ("Working with customer
    # managed keys for DNSSEC", Route 53 developer guide).
    "aws:route53/keySigningKey:KeySigningKey": "no Route 53 charge; its KMS key is priced",
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": "no Route 53 charge for DNSSEC signing",
    "aws:s3/*": "bucket settings are free; storage is priced on the bucket",
    "aws:kms/alias:Alias": "free",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "free",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "free",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "free",
    "aws:cloudwatch/eventRule:EventRule": "rules matching AWS service events are free "
    "(https://aws.amazon.com/eventbridge/pricing/)",
    "aws:cloudwatch/eventTarget:EventTarget": "free (part of its rule)",
    # Karpenter long-polls its interruption queue: well under the monthly free tier of requests.
    "aws:sqs/queue:Queue": "requests are usage ($0.40/M after 1M free per month, "
    "https://aws.amazon.com/sqs/pricing/), not estimated",
    "aws:sqs/queuePolicy:QueuePolicy": "free",
    "aws:ec2/tag:Tag": "tags are free",
    "pulumi:*": "engine bookkeeping (stack, providers, stack references)",
    "kubernetes:*": "runs on the nodes; no AWS charge of its own",
    "faas:*": "component: its children carry the cost",
}


def free_reason(resource_type: str) -> str | None:
    for pattern, reason in FREE_TYPES.items():
        if fnmatch.fnmatchcase(resource_type, pattern):
            return reason
    return None


def assumed_log_gb(log_group_name: str) -> tuple[float, str]:
    """GB/month assumed for a log group, and the pattern that chose it (first match wins)."""
    for pattern, gb in ASSUMED_LOG_GB_PER_MONTH.items():
        if fnmatch.fnmatchcase(log_group_name, pattern):
            return gb, pattern
    return ASSUMED_LOG_GB_PER_MONTH["*"], "*"


def table() -> list[tuple[str, Price]]:
    """Every price, named, for the HTML page's price table."""
    rows: list[tuple[str, Price]] = [
        ("EKS control plane", EKS_CLUSTER_HOUR),
        ("EKS control plane, extended support (not applied)", EKS_CLUSTER_EXTENDED_HOUR),
        ("NAT gateway", NAT_GATEWAY_HOUR),
        ("Public IPv4 address", PUBLIC_IPV4_HOUR),
        ("Network load balancer", NLB_HOUR),
        ("Application load balancer", ALB_HOUR),
        ("Spot discount", SPOT_DISCOUNT),
        ("CloudWatch Logs ingestion", LOGS_INGEST_GB),
        ("KMS key", KMS_KEY_MONTH),
        ("KMS key, asymmetric (DNSSEC signing)", KMS_ASYMMETRIC_KEY_MONTH),
        ("Route 53 hosted zone", HOSTED_ZONE_MONTH),
        ("S3 standard storage", S3_STANDARD_GB_MONTH),
        ("ECR storage", ECR_STORAGE_GB_MONTH),
    ]
    rows += [(f"EBS {kind}", price) for kind, price in EBS_GB_MONTH.items()]
    rows += [(f"EC2 {name} on-demand", price) for name, price in INSTANCE_HOUR.items()]
    return rows
