"""Preflight of the target colour, before any DNS change: every check runs and all failures are
reported together, so the operator fixes everything in one go.

Checks: the EKS cluster and its node groups are ACTIVE; each load balancer the target's
alias records point at is active and each of its target groups has >= 1 healthy target (Route 53
treats an NLB with an empty target group as unhealthy: docs/sources/dns-cutover.md 5.1); its TLS
listeners' ACM certificates are ISSUED and cover the record names; the probes pass N times in a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.naming import cluster_name

from .aws import Aws, AwsCallFailed
from .probe import Prober
from .records import Group


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail}


def covers(san: str, name: str) -> bool:
    """Does certificate name `san` cover DNS name `name`? A wildcard SAN covers exactly one label,
    and a wildcard record name (`*.faas.x`) is covered only by the identical wildcard SAN."""
    san, name = san.lower().rstrip("."), name.lower().rstrip(".")
    if san == name:
        return True
    if not san.startswith("*.") or name.startswith("*."):
        return False
    head, _, rest = name.partition(".")
    return bool(head) and rest == san[2:]


def lb_dns(name: str) -> str:
    # Alias targets may carry a trailing dot and the `dualstack.` prefix Route 53 adds for ELBs.
    n = name.lower().rstrip(".")
    return n.removeprefix("dualstack.")


def check_cluster(aws: Aws, env: str, color: str) -> list[Check]:
    name = cluster_name(env, color)
    try:
        cluster = aws.call("eks", "describe_cluster", name=name)["cluster"]
    except AwsCallFailed as exc:
        return [Check(f"eks cluster {name}", False, str(exc))]
    checks = [
        Check(
            f"eks cluster {name}",
            cluster.get("status") == "ACTIVE",
            f"status {cluster.get('status')}",
        )
    ]
    groups = aws.pages(
        "eks", "list_nodegroups", "nodegroups", "nextToken", "nextToken", clusterName=name
    )
    if not groups:
        checks.append(Check(f"eks node groups of {name}", False, "no node groups"))
    for ng in groups:
        desc = aws.call("eks", "describe_nodegroup", clusterName=name, nodegroupName=ng)[
            "nodegroup"
        ]
        status = desc.get("status")
        checks.append(Check(f"eks node group {name}/{ng}", status == "ACTIVE", f"status {status}"))
    return checks


def _find_lbs(aws: Aws, wanted: set[str]) -> dict[str, dict[str, Any]]:
    lbs = aws.pages("elbv2", "describe_load_balancers", "LoadBalancers", "Marker", "NextMarker")
    return {lb_dns(lb["DNSName"]): lb for lb in lbs if lb_dns(lb["DNSName"]) in wanted}


def check_load_balancer(aws: Aws, lb: dict[str, Any], names: list[str]) -> list[Check]:
    arn, label = lb["LoadBalancerArn"], f"load balancer {lb['LoadBalancerName']}"
    state = lb.get("State", {}).get("Code")
    checks = [Check(label, state == "active", f"state {state}")]
    tgs = aws.pages(
        "elbv2",
        "describe_target_groups",
        "TargetGroups",
        "Marker",
        "NextMarker",
        LoadBalancerArn=arn,
    )
    if not tgs:
        checks.append(Check(f"{label} target groups", False, "no target groups"))
    for tg in tgs:
        health = aws.call("elbv2", "describe_target_health", TargetGroupArn=tg["TargetGroupArn"])
        states = [d["TargetHealth"]["State"] for d in health.get("TargetHealthDescriptions", [])]
        healthy = states.count("healthy")
        detail = f"{healthy}/{len(states)} targets healthy" if states else "no registered targets"
        checks.append(Check(f"target group {tg['TargetGroupName']}", healthy >= 1, detail))
    listeners = aws.pages(
        "elbv2", "describe_listeners", "Listeners", "Marker", "NextMarker", LoadBalancerArn=arn
    )
    cert_arns = sorted(
        {c["CertificateArn"] for ls in listeners for c in ls.get("Certificates", [])}
    )
    if not cert_arns:
        checks.append(Check(f"{label} certificate", False, "no TLS listener with a certificate"))
    for cert_arn in cert_arns:
        cert = aws.call("acm", "describe_certificate", CertificateArn=cert_arn)["Certificate"]
        status = cert.get("Status")
        sans = cert.get("SubjectAlternativeNames") or [cert.get("DomainName", "")]
        missing = [n for n in names if not any(covers(s, n) for s in sans)]
        ok = status == "ISSUED" and not missing
        detail = f"status {status}" + (f", does not cover {', '.join(missing)}" if missing else "")
        checks.append(Check(f"certificate {cert_arn.rsplit('/', 1)[-1]}", ok, detail))
    return checks


def check_load_balancers(aws: Aws, groups: list[Group], color: str) -> list[Check]:
    names_by_lb: dict[str, list[str]] = {}
    checks: list[Check] = []
    for g in groups:
        dns = g.alias_dns(color)
        if dns is None:
            checks.append(
                Check(f"{g.key} {color}", False, "not an alias record: cannot check its target")
            )
            continue
        names_by_lb.setdefault(lb_dns(dns), []).append(g.name)
    found = _find_lbs(aws, set(names_by_lb))
    for dns, names in sorted(names_by_lb.items()):
        lb = found.get(dns)
        if lb is None:
            checks.append(
                Check(f"load balancer {dns}", False, f"no load balancer with DNS name {dns}")
            )
            continue
        checks.extend(check_load_balancer(aws, lb, names))
    return checks


def run_preflight(
    aws: Aws, env: str, color: str, groups: list[Group], prober: Prober, probe_urls: list[str]
) -> tuple[list[Check], list[dict[str, object]]]:
    checks = check_cluster(aws, env, color)
    checks += check_load_balancers(aws, groups, color)
    probes = prober.check_all(probe_urls)
    for p in probes:
        checks.append(
            Check(f"probe {p.url}", p.ok, f"{p.passes}/{p.required} in a row: {p.detail}")
        )
    return checks, [p.as_dict() for p in probes]
