"""`faas:cluster`: service range, API endpoint access, admins, log retention.

The Kubernetes version is not set here: it comes with the colour's release (`faas:release`,
components/config/release.py), so it can never disagree with the add-ons built for it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    service_cidr: str
    """Kubernetes service CIDR: in an RFC 1918 block, /12../24 (EKS), not overlapping the VPC."""
    public_access_cidrs: tuple[str, ...]
    """Empty: public API endpoint off. Never 0.0.0.0/0."""
    admin_role_arns: tuple[str, ...]
    """IAM roles with cluster-admin access entries; must include the role that deploys."""
    log_retention_days: int
    """Days CloudWatch keeps the control-plane logs (a value CloudWatch Logs accepts)."""


def read_cluster(r: Reader) -> ClusterConfig:
    if "kubernetesVersion" in r.raw:
        # The key existed before releases did; say where it went instead of "unknown key".
        r.problems.add(
            r.sub("kubernetesVersion"),
            "the Kubernetes version comes from the colour's release now: remove this key and "
            "set faas:release (components/versions.py lists the releases)",
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
        service_cidr=str(service) if service else "",
        public_access_cidrs=public,
        admin_role_arns=admins,
        log_retention_days=r.retention_days("logRetentionDays", 90),
    )
