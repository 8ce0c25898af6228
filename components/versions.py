"""Every pinned version of what the platform installs: Kubernetes, EKS addons, Helm charts.

Python packages are pinned in requirements*.txt; everything that runs *in* the clusters is pinned
here and nowhere else, so an upgrade is one reviewed diff (and, with blue/green, one cutover).
EKS addon versions are the `eksbuild` strings AWS publishes per Kubernetes minor
(`aws eks describe-addon-versions --kubernetes-version 1.34 --addon-name NAME`); bump them with the
Kubernetes version.
"""

from __future__ import annotations

# Minors in EKS standard support that this project has been planned against. checkov CKV_AWS_339
# accepts 1.29..1.35; we stay on the newest three so a colour can always be rebuilt one minor up.
SUPPORTED_KUBERNETES_VERSIONS = ("1.33", "1.34", "1.35")
DEFAULT_KUBERNETES_VERSION = "1.34"

# Managed addons per Kubernetes minor. coredns and ebs-csi need nodes, so the cluster component
# creates them after the node groups (see components/cluster.py).
EKS_ADDONS: dict[str, dict[str, str]] = {
    "1.33": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.33.5-eksbuild.2",
        "coredns": "v1.12.4-eksbuild.1",
        "aws-ebs-csi-driver": "v1.51.1-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.9-eksbuild.3",
    },
    "1.34": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.34.1-eksbuild.2",
        "coredns": "v1.12.4-eksbuild.1",
        "aws-ebs-csi-driver": "v1.51.1-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.9-eksbuild.3",
    },
    "1.35": {
        "vpc-cni": "v1.21.1-eksbuild.1",
        "kube-proxy": "v1.35.3-eksbuild.2",
        "coredns": "v1.13.1-eksbuild.1",
        "aws-ebs-csi-driver": "v1.53.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.1",
    },
}

# Helm charts and operator-managed component versions (serving stack). Repository URLs sit beside
# the versions so a chart can never be pulled from somewhere other than where it was reviewed.
HELM_CHARTS: dict[str, dict[str, str]] = {
    "istio-base": {
        "repo": "https://istio-release.storage.googleapis.com/charts",
        "chart": "base",
        "version": "1.30.1",
    },
    "istiod": {
        "repo": "https://istio-release.storage.googleapis.com/charts",
        "chart": "istiod",
        "version": "1.30.1",
    },
    "istio-cni": {
        "repo": "https://istio-release.storage.googleapis.com/charts",
        "chart": "cni",
        "version": "1.30.1",
    },
    "istio-gateway": {
        "repo": "https://istio-release.storage.googleapis.com/charts",
        "chart": "gateway",
        "version": "1.30.1",
    },
    "aws-load-balancer-controller": {
        "repo": "https://aws.github.io/eks-charts",
        "chart": "aws-load-balancer-controller",
        "version": "1.17.1",
    },
    "knative-operator": {
        "repo": "https://knative.github.io/operator",
        "chart": "knative-operator",
        "version": "v1.23.0",
    },
    "kube-prometheus-stack": {
        "repo": "https://prometheus-community.github.io/helm-charts",
        "chart": "kube-prometheus-stack",
        "version": "86.2.0",
    },
    "opentelemetry-collector": {
        "repo": "https://open-telemetry.github.io/opentelemetry-helm-charts",
        "chart": "opentelemetry-collector",
        "version": "0.139.1",
    },
    "aws-for-fluent-bit": {
        "repo": "https://aws.github.io/eks-charts",
        "chart": "aws-for-fluent-bit",
        "version": "0.2.0",
    },
    # An OCI repository: Helm pulls `<repo>/<chart>` (components/serving/helm.py). The CRDs come
    # as their own chart so a Karpenter upgrade upgrades them too (Helm never upgrades a chart's
    # crds/ directory); keep both at the same version.
    "karpenter": {
        "repo": "oci://public.ecr.aws/karpenter",
        "chart": "karpenter",
        "version": "1.14.1",
    },
    "karpenter-crd": {
        "repo": "oci://public.ecr.aws/karpenter",
        "chart": "karpenter-crd",
        "version": "1.14.1",
    },
}

# Versions the Knative Operator installs (KnativeServing / KnativeEventing `spec.version`). A
# major.minor pin lets the operator pick the newest patch it bundles for that minor; the operator
# chart above fixes which patches those are.
KNATIVE_SERVING_VERSION = "1.23"
KNATIVE_EVENTING_VERSION = "1.23"
# The platform's smoke function (components/serving/smoke.py): a static "ok" responder.
KNATIVE_SMOKE_IMAGE = "hashicorp/http-echo:1.0.0"

# Amazon Linux 2023 is the EKS-optimised AMI family for managed node groups from 1.33 on.
NODE_AMI_TYPE = "AL2023_x86_64_STANDARD"
# The same family for Karpenter's function nodes (EC2NodeClass `amiSelectorTerms[].alias`):
# `latest` follows the EKS-optimised AL2023 releases for the cluster's minor, and Karpenter
# replaces drifted nodes within the NodePool's disruption budget. Freeze a colour with
# `al2023@vYYYYMMDD` when an AMI release must be held back.
KARPENTER_NODE_AMI_ALIAS = "al2023@latest"
