"""`faas:cluster`: Kubernetes version, service range, API endpoint access, admins, log retention."""

from __future__ import annotations

from dataclasses import dataclass

from components import versions
from components.config import aws
from components.config.reader import Reader, parse_cidr, shown
from components.constants import ROLE_ARN_RE

KEYS = {
    "kubernetesVersion",
    "serviceCidr",
    "publicAccessCidrs",
    "adminRoleArns",
    "logRetentionDays",
}


@dataclass(frozen=True)
class ClusterConfig:
    kubernetes_version: str
    """A minor in `versions.SUPPORTED_KUBERNETES_VERSIONS`."""
    service_cidr: str
    """Kubernetes service CIDR: in an RFC 1918 block, /12../24 (EKS), not overlapping the VPC."""
    public_access_cidrs: tuple[str, ...]
    """Empty: public API endpoint off. Never 0.0.0.0/0."""
    admin_role_arns: tuple[str, ...]
    """IAM roles with cluster-admin access entries; must include the role that deploys."""
    log_retention_days: int
    """Days CloudWatch keeps the control-plane logs (a value CloudWatch Logs accepts)."""


def read_cluster(r: Reader) -> ClusterConfig:
    version = r.str("kubernetesVersion", versions.DEFAULT_KUBERNETES_VERSION)
    if version not in versions.SUPPORTED_KUBERNETES_VERSIONS:
        r.problems.add(
            r.sub("kubernetesVersion"),
            f"{shown(version)} is not a supported version "
            f"({', '.join(versions.SUPPORTED_KUBERNETES_VERSIONS)})",
        )
    service = r.network("serviceCidr", "172.20.0.0/16")
    for problem in aws.service_cidr_problems(service) if service else ():
        r.problems.add(r.sub("serviceCidr"), problem)
    public = r.str_list("publicAccessCidrs", [])
    for i, c in enumerate(public):
        net = parse_cidr(c, f"{r.sub('publicAccessCidrs')}[{i}]", r.problems)
        if net is not None and net.prefixlen == 0:
            r.problems.add(
                f"{r.sub('publicAccessCidrs')}[{i}]",
                f"{c} opens the API endpoint to "
                "the whole internet; list your office/VPN ranges or leave it empty",
            )
    admins = r.str_list("adminRoleArns", [])
    for i, arn in enumerate(admins):
        if not ROLE_ARN_RE.match(arn):
            r.problems.add(f"{r.sub('adminRoleArns')}[{i}]", f"{shown(arn)} is not an IAM role ARN")
    return ClusterConfig(
        kubernetes_version=version,
        service_cidr=str(service) if service else "",
        public_access_cidrs=public,
        admin_role_arns=admins,
        log_retention_days=r.retention_days("logRetentionDays", 90),
    )
