"""Explicit tables from Pulumi tokens and input names to Terraform types and attribute names.

pulumi-aws is bridged from the Terraform AWS provider, so each resource is one Terraform resource
type and each input one Terraform attribute. The bridge renames some of them (lists of nested
blocks are pluralised, `alias` becomes `aliases`), and Terraform models nested objects as blocks,
i.e. lists of one object, where Pulumi has a plain object. Everything that is not a plain
camelCase -> snake_case conversion is written down here; a type that is not in `RESOURCE_TYPES`
is never guessed: it is reported as not scanned.
"""

from __future__ import annotations

import re

# Every aws type that occurs in the shipped plans (checked by a test over all six of them),
# including the DNSSEC key-signing key and signing (CKV2_AWS_38 connects a zone to either).
RESOURCE_TYPES: dict[str, str] = {
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "aws_cloudwatch_log_resource_policy",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/tag:Tag": "aws_ec2_tag",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "aws_eks_access_policy_association",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "aws_ecr_repository_policy",
    "aws:eks/addon:Addon": "aws_eks_addon",
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "aws_eks_pod_identity_association",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": "aws_route53_hosted_zone_dnssec",
    "aws:route53/keySigningKey:KeySigningKey": "aws_route53_key_signing_key",
    "aws:route53/queryLog:QueryLog": "aws_route53_query_log",
    "aws:route53/record:Record": "aws_route53_record",
    "aws:route53/zone:Zone": "aws_route53_zone",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "aws_s3_bucket_lifecycle_configuration"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "aws_vpc_security_group_ingress_rule"
    ),
}

# Pulumi input names that are not the camelCase of the Terraform attribute (the bridge pluralises
# repeated blocks and a few lists), per Terraform type; "*" applies to every type.
RENAMES: dict[str, dict[str, str]] = {
    "*": {"tagsAll": "tags_all"},
    "aws_lb_listener": {"defaultActions": "default_action"},
    "aws_lb": {"subnetMappings": "subnet_mapping"},
    "aws_route53_record": {
        "aliases": "alias",
        "weightedRoutingPolicies": "weighted_routing_policy",
        "failoverRoutingPolicies": "failover_routing_policy",
        "geolocationRoutingPolicies": "geolocation_routing_policy",
        "latencyRoutingPolicies": "latency_routing_policy",
    },
    "aws_route53_zone": {"vpcs": "vpc"},
    "aws_s3_bucket_lifecycle_configuration": {"rules": "rule"},
    "aws_s3_bucket_server_side_encryption_configuration": {"rules": "rule"},
    "aws_eks_node_group": {"taints": "taint"},
    "aws_iam_openid_connect_provider": {
        "clientIdLists": "client_id_list",
        "thumbprintLists": "thumbprint_list",
    },
    "aws_iam_role": {"inlinePolicies": "inline_policy"},
    "aws_ecr_repository": {"encryptionConfigurations": "encryption_configuration"},
    "aws_s3_bucket": {
        "corsRules": "cors_rule",
        "grants": "grant",
        "lifecycleRules": "lifecycle_rule",
        "loggings": "logging",
    },
}

# Object-valued inputs that Terraform models as maps (kept as objects); every other object is a
# nested block and becomes a list of one object, as in `terraform show -json`.
MAP_ATTRIBUTES: frozenset[str] = frozenset({"tags", "tags_all", "labels"})

# Attributes that Terraform holds as JSON strings. Pulumi accepts an object for some of them
# (e.g. `assumeRolePolicy`); checkov's plan parser json-decodes exactly these strings
# (`RESOURCE_TYPES_JSONIFY` in checkov/terraform/plan_parser.py), so objects are serialised.
JSON_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_iam_role": ("assume_role_policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_iam_policy": ("policy",),
    "aws_ecr_repository_policy": ("policy",),
    "aws_ecr_lifecycle_policy": ("policy",),
    "aws_kms_key": ("policy",),
    "aws_s3_bucket_policy": ("policy",),
    "aws_cloudwatch_log_resource_policy": ("policy_document",),
}

# Pulumi step ops -> Terraform change actions (`resource_changes[].change.actions`).
ACTIONS: dict[str, list[str]] = {
    "create": ["create"],
    "same": ["no-op"],
    "update": ["update"],
    "replace": ["delete", "create"],
    "create-replacement": ["delete", "create"],
    "read": ["read"],
    "refresh": ["no-op"],
    "import": ["no-op"],
}

# Kubernetes tokens that are not a single object: a Helm release would need its chart rendered
# (not possible offline); the yaml/kustomize/helm-chart components register children of their own.
K8S_NOT_MANIFESTS: tuple[str, ...] = (
    "kubernetes:helm.sh/",
    "kubernetes:yaml",
    "kubernetes:kustomize",
)

COMPONENT_REASON = "component resource: a grouping with no cloud object of its own"
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """camelCase -> snake_case (`cidrIpv4` -> `cidr_ipv4`, `ec2SshKey` -> `ec2_ssh_key`)."""
    return _CAMEL.sub("_", name).lower()


def tf_attribute(tf_type: str, name: str) -> str:
    """The Terraform attribute name of a Pulumi input (or nested field) name."""
    for table in (RENAMES.get(tf_type, {}), RENAMES["*"]):
        if name in table:
            return table[name]
    return snake(name)


def tf_name(urn_name: str) -> str:
    """A Terraform resource name (identifier) for a Pulumi logical name."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", urn_name)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def not_scanned_reason(type_: str) -> str | None:
    """Why a resource of this type gets no checkov scan; None when it is scanned."""
    if type_ in RESOURCE_TYPES:
        return None
    if type_.startswith("pulumi:providers:"):
        return "provider: no resource of its own (its credentials are never in the plan)"
    if type_.startswith("pulumi:pulumi:"):
        return "stack root: no resource of its own"
    if type_.startswith("kubernetes:helm.sh/"):
        return "Helm release: its chart is not rendered offline, so its objects cannot be scanned"
    if type_.startswith(K8S_NOT_MANIFESTS):
        return "Kubernetes component: scanned through its children, not as one object"
    if type_.startswith("kubernetes:"):
        return None
    if type_.startswith("aws:"):
        return "aws type not in the converter's table (policies/checkov/tables.py)"
    return COMPONENT_REASON
