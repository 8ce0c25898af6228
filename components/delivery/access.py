"""How a team member reaches the team's namespace on a colour (docs/delivery.md, "Access").

The team's IAM role (`faas:serving.teams[].iamRoleArn`) is mapped by an EKS access entry to the
Kubernetes group `faas-team-<team>` (components/serving/aws.py), which a RoleBinding in the team's
namespace binds to the developer Role (components/serving/tenants.py): nothing outside the
namespace. `aws eks update-kubeconfig --role-arn` writes a kubeconfig whose token comes from
`aws eks get-token` under that role. Whether the command works from a laptop depends on the API
endpoint: public with an allow-list (dev) or private only (prod: a runner in the VPC, or a shell
inside it such as CloudShell's VPC environments).
"""

from __future__ import annotations

from collections.abc import Sequence


def kubeconfig_command(cluster: str, region: str, role_arn: str, team: str) -> list[str]:
    """The command a team member runs: a context named `<cluster>-<team>` under the team role."""
    return [
        "aws", "eks", "update-kubeconfig",
        "--name", cluster,
        "--region", region,
        "--role-arn", role_arn,
        "--alias", f"{cluster}-{team}",
    ]  # fmt: skip


def endpoint_reach(public_access_cidrs: Sequence[str]) -> str:
    """Where the cluster's API answers, as the team guide states it."""
    if public_access_cidrs:
        return "public endpoint from " + ", ".join(public_access_cidrs) + "; private in the VPC"
    return "private endpoint only: from inside the VPC (a CI runner, CloudShell VPC environment)"


def team_access(
    cluster: str, region: str, teams: Sequence[tuple[str, str]], public_access_cidrs: Sequence[str]
) -> dict[str, dict[str, str]]:
    """Per team: its namespace, the command that writes its kubeconfig, where it works."""
    reach = endpoint_reach(public_access_cidrs)
    return {
        team: {
            "namespace": team,
            "kubeconfig": " ".join(kubeconfig_command(cluster, region, role, team)),
            "reach": reach,
        }
        for team, role in teams
    }
