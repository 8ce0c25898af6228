"""Typical wall-clock creation time per resource type, with the source of each figure.

Figures with a source come from docs/sources/timings-and-prices.md (A.1, A.2), which cites
Terraform/eksctl logs, AWS docs and upstream issues. Types marked "estimate" are single API calls
with no published benchmark; we give them a few seconds so they count, without pretending precision.
A type that matches nothing gets DEFAULT and is reported as "not timed".
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_REF = "docs/sources/timings-and-prices.md"


@dataclass(frozen=True)
class Timing:
    seconds: float
    source: str


_EST = "estimate: one API call, no published benchmark"

# First matching pattern wins, so specific types come before wildcards.
TIMINGS: dict[str, Timing] = {
    # 9-15 min typical; AWS: "9 minutes or less, on average" (2021); Terraform logs 8m21s-12m18s.
    "aws:eks/cluster:Cluster": Timing(600, f"{_REF} A.1 EKS control plane (~9-15 min)"),
    # 1m47s-2m0s typical in logs (spot 1m59s).
    "aws:eks/nodeGroup:NodeGroup": Timing(120, f"{_REF} A.1 EKS managed node group (~2 min)"),
    # coredns 14 s, kube-proxy 35 s, vpc-cni 1m6s once nodes exist.
    "aws:eks/addon:Addon": Timing(60, f"{_REF} A.1 EKS add-ons (15 s-1 min)"),
    "aws:ec2/natGateway:NatGateway": Timing(105, f"{_REF} A.1 NAT gateway (~1.5-2 min)"),
    "aws:lb/loadBalancer:LoadBalancer": Timing(150, f"{_REF} A.1 NLB (~2.5 min)"),
    # The certificate request returns at once; the validation resource waits for ISSUED.
    "aws:acm/certificate:Certificate": Timing(5, _EST),
    "aws:acm/certificateValidation:CertificateValidation": Timing(
        180, f"{_REF} A.1 ACM DNS validation (~1.5-5 min)"
    ),
    # Pulumi waits for the change to be INSYNC.
    "aws:route53/record:Record": Timing(60, f"{_REF} A.1 Route 53 change (<=60 s)"),
    "aws:route53/zone:Zone": Timing(60, f"{_REF} A.1 Route 53 change (<=60 s)"),
    "aws:route53/queryLog:QueryLog": Timing(5, _EST),
    # Both are Route 53 changes that the provider waits on until INSYNC, like a record.
    "aws:route53/keySigningKey:KeySigningKey": Timing(60, f"{_REF} A.1 Route 53 change (<=60 s)"),
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": Timing(
        60, f"{_REF} A.1 Route 53 change (<=60 s)"
    ),
    "aws:ec2/vpc:Vpc": Timing(5, f"{_REF} A.2 budget: VPC, subnets and IGW (<=1 min together)"),
    "aws:ec2/subnet:Subnet": Timing(10, f"{_REF} A.2 budget: VPC, subnets and IGW"),
    "aws:ec2/internetGateway:InternetGateway": Timing(10, f"{_REF} A.2 budget: VPC, subnets, IGW"),
    "aws:ec2/eip:Eip": Timing(5, _EST),
    "aws:ec2/*": Timing(5, _EST),
    # IAM is eventually consistent; providers wait a few seconds after creating roles.
    "aws:iam/*": Timing(5, _EST),
    "aws:kms/*": Timing(5, _EST),
    "aws:acm/*": Timing(5, _EST),
    "aws:route53/*": Timing(5, _EST),
    "aws:cloudwatch/*": Timing(3, _EST),
    "aws:lb/*": Timing(5, _EST),
    "aws:eks/*": Timing(5, _EST),
    "aws:s3/*": Timing(5, _EST),
    # The provider waits for a new queue's attributes to be readable (up to a minute).
    "aws:sqs/queue:Queue": Timing(30, "estimate: CreateQueue plus attribute propagation"),
    "aws:sqs/*": Timing(5, _EST),
    "kubernetes:helm.sh/v3:Release": Timing(90, f"{_REF} A.1 Istio via Helm / Knative (1-3 min)"),
    # Pulumi's await logic waits for readiness of workloads; plain objects are one call.
    "kubernetes:apps/v1:Deployment": Timing(60, "estimate: rollout of a small deployment"),
    "kubernetes:*": Timing(3, _EST),
    "pulumi:providers:*": Timing(1, "estimate: provider configure"),
    "pulumi:pulumi:StackReference": Timing(1, "estimate: one state read"),
    "pulumi:pulumi:Stack": Timing(0, "the stack itself takes no time"),
}

# Helm releases differ a lot by chart: override by exact chart name (components/versions.py).
_HELM = f"{_REF} A.1"
_HELM_EST = "estimate: Helm install with --wait, no published benchmark"
HELM_CHARTS: dict[str, Timing] = {
    "base": Timing(20, f"{_HELM} Istio via Helm (CRDs only)"),
    "istiod": Timing(60, f"{_HELM} Istio via Helm (10 s-2 min once images are cached)"),
    "cni": Timing(60, f"{_HELM} Istio via Helm (a DaemonSet on every node)"),
    "gateway": Timing(120, f"{_HELM} Istio via Helm: gateway pods and Service"),
    "knative-operator": Timing(120, f"{_HELM} Knative Serving (1-3 min)"),
    "aws-load-balancer-controller": Timing(60, _HELM_EST),
    "kube-prometheus-stack": Timing(120, _HELM_EST + " (many CRDs and workloads)"),
    "opentelemetry-collector": Timing(60, _HELM_EST),
    "aws-for-fluent-bit": Timing(60, _HELM_EST),
    "karpenter": Timing(60, _HELM_EST + " (two controller replicas on the system nodes)"),
    "karpenter-crd": Timing(10, _HELM_EST + " (CRDs only)"),
}

DEFAULT = Timing(10, "not timed: no entry for this type")
COMPONENT = Timing(0, "component: takes no time itself")


def timing(
    resource_type: str, custom: bool = True, inputs: Mapping[str, Any] | None = None
) -> Timing:
    """Typical creation time of one resource; components take none (their children do)."""
    if not custom and not resource_type.startswith("pulumi:"):
        return COMPONENT
    if resource_type == "kubernetes:helm.sh/v3:Release" and inputs:
        # An OCI chart is named by its full reference (oci://registry/path/chart).
        chart = str(inputs.get("chart") or "").rsplit("/", 1)[-1]
        if chart in HELM_CHARTS:
            return HELM_CHARTS[chart]
    for pattern, value in TIMINGS.items():
        if fnmatch.fnmatchcase(resource_type, pattern):
            return value
    return DEFAULT


def fmt_duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
