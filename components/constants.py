"""Constants more than one layer uses: in-cluster names, gateway ports, ARN shapes, policy pieces.

The program, the policy rules and the operator tools (cutover, bootstrap) all read these, so each
fact is written once. Pulumi-free on purpose: the tools import it without loading the SDK.
Kubernetes names are the same on every cluster, so blue and green (separate clusters, separate
stacks) never collide; AWS-side names come from `components.naming`.
"""

from __future__ import annotations

import re

from components.naming import ENTRY_POINTS, SMOKE_NAMESPACE

# --- namespaces and service accounts of the platform (docs/serving.md) ---
ISTIO_NAMESPACE = "istio-system"
KNATIVE_OPERATOR_NAMESPACE = "knative-operator"
KNATIVE_SERVING_NAMESPACE = "knative-serving"
KNATIVE_EVENTING_NAMESPACE = "knative-eventing"
OBSERVABILITY_NAMESPACE = "observability"
FLUX_NAMESPACE = "flux-system"  # Flux, syncing the teams' functions from Git (components/gitops)
LBC_NAMESPACE = "kube-system"
LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller"
FLUENT_BIT_SERVICE_ACCOUNT = "aws-for-fluent-bit"
# Karpenter's controller (components/capacity/karpenter.py); its Pod Identity association names
# this namespace and service account.
KARPENTER_NAMESPACE = "karpenter"
KARPENTER_SERVICE_ACCOUNT = "karpenter"
# The Knative Serving controller resolves image tags to digests (knative/serving
# pkg/reconciler/revision/resolve.go); the operator creates its service account.
KNATIVE_CONTROLLER_SERVICE_ACCOUNT = "controller"
# The service account in each team namespace bound to the team's function role (IRSA); a function
# that calls AWS sets `serviceAccountName: functions` (docs/delivery.md).
FUNCTION_SERVICE_ACCOUNT = "functions"

# Namespaces the platform owns or Kubernetes reserves: a team can never be named after one.
PLATFORM_NAMESPACES = frozenset(
    {
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        ISTIO_NAMESPACE,
        KNATIVE_OPERATOR_NAMESPACE,
        KNATIVE_SERVING_NAMESPACE,
        KNATIVE_EVENTING_NAMESPACE,
        OBSERVABILITY_NAMESPACE,
        SMOKE_NAMESPACE,
        KARPENTER_NAMESPACE,
        FLUX_NAMESPACE,
    }
)
# The only namespaces that may enforce Pod Security `privileged`, each for a workload that cannot
# run otherwise: istio-cni's node DaemonSet needs hostPath
# (https://istio.io/latest/docs/setup/additional-setup/pod-security-admission); node-exporter
# (host network/PID) and Fluent Bit (hostPath /var/log) run in observability.
PRIVILEGED_NAMESPACES = (ISTIO_NAMESPACE, OBSERVABILITY_NAMESPACE)

# --- entry points: one Istio ingress gateway Deployment + ClusterIP Service per NLB ---
# The gateway chart names the Service after the release and labels pods `istio: <selector>`.
GATEWAYS = ENTRY_POINTS


def gateway_service(entry: str) -> str:
    return f"istio-{entry}-gateway"


def gateway_selector(entry: str) -> dict[str, str]:
    return {"istio": f"{entry}-gateway"}


# Clients speak TLS to the NLB on 443; the NLB sends plain HTTP to the gateway pods on 8080 (the
# gateway Service maps port 80 to it) and health-checks Istio's readiness endpoint on 15021.
HTTPS_PORT = 443
GATEWAY_HTTP_PORT = 80
GATEWAY_HTTP_TARGET_PORT = 8080
GATEWAY_STATUS_PORT = 15021
GATEWAY_HEALTH_PATH = "/healthz/ready"

# Knative's Istio Gateway objects (in knative-serving): the operator owns the default
# `knative-ingress-gateway` (bound to the internal gateway pods); we add one for the DMZ.
KNATIVE_INTERNAL_GATEWAY = "knative-ingress-gateway"
KNATIVE_DMZ_GATEWAY = "knative-dmz-gateway"
KNATIVE_LOCAL_GATEWAY = "knative-local-gateway"

# The smoke service (components/serving/smoke.py) stays warm and may grow to this many pods; the
# platform's `maxScale` must allow it, and its namespace quota holds one more for a rollout.
SMOKE_MIN_SCALE = 1
SMOKE_MAX_SCALE = 3

OTEL_COLLECTOR = "otel-collector"
OTLP_GRPC_PORT = 4317


def otel_grpc_endpoint() -> str:
    return f"{OTEL_COLLECTOR}.{OBSERVABILITY_NAMESPACE}.svc.cluster.local:{OTLP_GRPC_PORT}"


# Where internal clients beyond a colour's own VPC live (peered VPCs, on-premises networks over VPN
# or Direct Connect): RFC 1918 and RFC 6598 (carrier-grade NAT, used by some on-premises networks).
# `faas:edge.internalIngressCidrs` must lie inside them, and policy rule
# `internal-entry-point-private-sources` checks the internal balancer's group against them.
PRIVATE_IPV4_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")

# --- AWS identifiers ---
# IAM role ARNs in any partition (aws, aws-cn, aws-us-gov); path and name as IAM allows them.
ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
ROUTE53_ZONE_ID_RE = re.compile(r"^Z[A-Z0-9]{6,31}$")


def arn_parts(arn: str) -> tuple[str, str]:
    """(partition, account) of an ARN such as `arn:aws:iam::123456789012:oidc-provider/...`, so
    exact resource ARNs can be built without another API call."""
    parts = arn.split(":")
    return parts[1], parts[4]


def deny_insecure_transport(bucket_arn: str) -> dict:
    """The bucket-policy statement that refuses every request not made over TLS (AWS Security Hub
    S3.5); the access-log bucket and the state bucket both carry it, and a policy rule checks it."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


# --- DNSSEC (components/edge/dnssec.py; docs/edge.md "DNSSEC") ---
# Route 53 signs with a KSK backed by a KMS key that must be asymmetric ECC_NIST_P256 for signing,
# in us-east-1: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-configuring-dnssec-cmk-requirements.html
DNSSEC_KEY_REGION = "us-east-1"
DNSSEC_KEY_SPEC = "ECC_NIST_P256"
DNSSEC_KEY_USAGE = "SIGN_VERIFY"
# What a stack does about DNSSEC for a zone it owns (config `dnssec`), in the order of a rollout;
# a rollback walks them backwards (docs/edge.md):
#   chain: sign the zone and publish its DS record in the parent zone (the chain of trust);
#   sign:  sign the zone, no DS record in the parent (resolvers do not validate it yet);
#   off:   no signing, no key-signing key, no signing key.
DNSSEC_MODES = ("chain", "sign", "off")
