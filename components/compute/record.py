"""The cluster record: what every component that works on a colour's cluster receives, as one value.

Shaped after pulumi-eks's `CoreData`: the cluster component returns it, the composition root adds
the Kubernetes provider once the nodes exist, and components take the record instead of loose
fields, so a new fact about the cluster is added in one place (docs/design.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.versions import Release


@dataclass(frozen=True)
class ClusterRecord:
    """One colour's cluster, as every component that works on it receives it."""

    name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    """IAM OIDC provider of the cluster (IRSA trust policies name it)."""
    oidc_issuer: pulumi.Output[str]
    """Issuer host and path without https://, e.g. oidc.eks.eu-west-1.amazonaws.com/id/ABC."""
    region: str
    security_group_id: pulumi.Output[str]
    """The cluster security group: the nodes' (and so, with the VPC CNI, the pods') group."""
    kubeconfig: pulumi.Output[str]
    release: Release
    """The catalogue release the cluster runs (`faas:release`): its Kubernetes minor, add-ons and
    charts. Components that install something on the cluster take their versions from it."""
    provider: k8s.Provider | None = None
    """The Kubernetes provider; None until the nodes exist (`with_kubernetes_provider`)."""
