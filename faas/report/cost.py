"""Monthly cost estimate of a plan: per resource, per stack, per environment, and a budget check.

Every resource ends in exactly one of three states: priced (a rule below), free (listed in
prices.FREE_TYPES with a reason) or "not priced" (no rule and not known to be free). Nothing unknown
is ever counted as zero silently; the "not priced" list is part of every summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from . import plan_doc, prices
from .elastic import node_pool_cost
from .money import rate, usd
from .plan_doc import UNKNOWN, Resource

H = prices.HOURS_PER_MONTH
Status = Literal["priced", "free", "not priced"]


@dataclass(frozen=True)
class CostLine:
    urn: str
    type: str
    name: str
    status: Status
    monthly_usd: float
    # What the line would cost if every instance ran on-demand; differs only for spot capacity.
    on_demand_usd: float
    basis: str
    # Elastic capacity (a Karpenter NodePool): `monthly_usd` is the expected size; this is the
    # most it can cost, at the NodePool's limits. None for everything else.
    ceiling_usd: float | None = None


@dataclass(frozen=True)
class StackCost:
    stack: str
    environment: str
    color: str | None
    region: str
    lines: tuple[CostLine, ...]

    @property
    def total(self) -> float:
        return sum(line.monthly_usd for line in self.lines)

    @property
    def all_on_demand(self) -> float:
        return sum(line.on_demand_usd for line in self.lines)

    @property
    def spot_savings(self) -> float:
        return self.all_on_demand - self.total

    @property
    def not_priced(self) -> list[CostLine]:
        return [line for line in self.lines if line.status == "not priced"]

    @property
    def priced(self) -> list[CostLine]:
        return [line for line in self.lines if line.status == "priced"]

    @property
    def elastic(self) -> list[CostLine]:
        """Lines priced at an expected size, with a ceiling (function capacity)."""
        return [line for line in self.lines if line.ceiling_usd is not None]


def _known(value: Any) -> bool:
    return value is not None and value != UNKNOWN


def _number(value: Any, default: float) -> float:
    return float(value) if _known(value) and isinstance(value, int | float) else default


class _Context:
    """What the pricing rules need beyond one resource: links between node groups and templates."""

    def __init__(self, items: list[Resource]) -> None:
        self.by_urn = plan_doc.by_urn(items)
        self.templates = [r for r in items if r.type == "aws:ec2/launchTemplate:LaunchTemplate"]
        self.groups = [r for r in items if r.type == "aws:eks/nodeGroup:NodeGroup"]

    def template_of(self, group: Resource) -> Resource | None:
        deps = (
            set(group.property_dependencies.get("launchTemplate", ())) or group.all_dependencies()
        )
        for template in self.templates:
            if template.urn in deps:
                return template
        # Without dependency data (a hand-written or real preview), fall back to the template name.
        wanted = (group.inputs.get("launchTemplate") or {}).get("name")
        for template in self.templates:
            if wanted and template.inputs.get("name") == wanted:
                return template
        return None

    def groups_of(self, template: Resource) -> list[Resource]:
        return [g for g in self.groups if self.template_of(g) is template]


def desired_size(group: Resource) -> tuple[int, str]:
    scaling = group.inputs.get("scalingConfig") or {}
    if _known(scaling.get("desiredSize")):
        return int(scaling["desiredSize"]), "desired"
    if _known(scaling.get("minSize")):
        return int(scaling["minSize"]), "min (desired unknown)"
    return 1, "1 (no scaling config)"


# (monthly, all-on-demand, basis[, ceiling]) or a "not priced" reason
Priced = tuple[float, float, str] | tuple[float, float, str, float] | str
Rule = Callable[[Resource, _Context], Priced]


def _eks_cluster(_: Resource, __: _Context) -> Priced:
    p = prices.EKS_CLUSTER_HOUR.usd
    return p * H, p * H, f"{rate(p)}/h standard support x {H:.0f} h"


def _node_group(group: Resource, ctx: _Context) -> Priced:
    nodes, size_basis = desired_size(group)
    types = group.inputs.get("instanceTypes")
    template = ctx.template_of(group)
    if _known(types) and types:
        itype = str(types[0])
    elif template is not None and _known(template.inputs.get("instanceType")):
        itype = str(template.inputs["instanceType"])
    else:
        itype = prices.DEFAULT_INSTANCE_TYPE
    price = prices.INSTANCE_HOUR.get(itype)
    if price is None:
        return f"instance type {itype} is not in the price table"
    compute = price.usd * H * nodes
    disk_usd, disk = 0.0, ""
    if template is None:
        # Without a launch template EKS gives each node a root volume of `diskSize` GiB.
        gb = _number(group.inputs.get("diskSize"), prices.DEFAULT_NODE_DISK_GB)
        disk_usd = gb * prices.EBS_GB_MONTH["gp3"].usd * nodes
        disk = f" + {nodes} x {gb:.0f} GB root volume ({usd(disk_usd)})"
    # EKS fills on-demand groups in list order ("prioritized"), so the first type is the one that
    # runs; spot uses the same type so the saving shown is the spot discount alone.
    basis = f"{nodes} ({size_basis}) x {itype} at {rate(price.usd)}/h"
    if str(group.inputs.get("capacityType") or "ON_DEMAND") == "SPOT":
        discount = prices.SPOT_DISCOUNT.usd
        monthly = compute * (1 - discount) + disk_usd
        return monthly, compute + disk_usd, f"{basis}, spot at {discount:.0%} off{disk}"
    return compute + disk_usd, compute + disk_usd, f"{basis}, on-demand{disk}"


def _launch_template(template: Resource, ctx: _Context) -> Priced:
    gb_usd = 0.0
    parts: list[str] = []
    for mapping in template.inputs.get("blockDeviceMappings") or []:
        ebs = (mapping or {}).get("ebs") or {}
        size = _number(ebs.get("volumeSize"), 0)
        kind = str(ebs.get("volumeType") or "gp3")
        price = prices.EBS_GB_MONTH.get(kind)
        if price is None:
            return f"EBS volume type {kind} is not in the price table"
        gb_usd += size * price.usd
        parts.append(f"{size:.0f} GB {kind}")
    if not parts:
        return 0.0, 0.0, "no EBS volumes declared (the AMI's root volume is not priced)"
    groups = ctx.groups_of(template)
    if groups:
        nodes = sum(desired_size(g)[0] for g in groups)
        who = f"{nodes} nodes of {len(groups)} node group(s)"
    else:
        nodes, who = 1, "1 node (assumed: no node group links to this template)"
    monthly = gb_usd * nodes
    return monthly, monthly, f"{' + '.join(parts)} per node x {who}"


def _hourly(price: prices.Price, what: str) -> Rule:
    def rule(_: Resource, __: _Context) -> Priced:
        return price.usd * H, price.usd * H, f"{what}: {rate(price.usd)}/h x {H:.0f} h"

    return rule


def _monthly(price: prices.Price, what: str) -> Rule:
    def rule(_: Resource, __: _Context) -> Priced:
        return price.usd, price.usd, f"{what}: {usd(price.usd)}/month"

    return rule


def _kms_key(key: Resource, ctx: _Context) -> Priced:
    # An asymmetric key (a DNSSEC key-signing key's) costs the same per month but has its own row.
    spec = key.inputs.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    if not _known(spec) or spec == "SYMMETRIC_DEFAULT":
        return _monthly(prices.KMS_KEY_MONTH, "KMS key")(key, ctx)
    return _monthly(prices.KMS_ASYMMETRIC_KEY_MONTH, f"KMS key ({spec})")(key, ctx)


def _load_balancer(lb: Resource, _: _Context) -> Priced:
    kind = str(lb.inputs.get("loadBalancerType") or "application")
    base = {"network": prices.NLB_HOUR, "application": prices.ALB_HOUR}.get(kind)
    if base is None:
        return f"load balancer type {kind} is not in the price table"
    monthly = base.usd * H
    basis = f"{kind} {rate(base.usd)}/h (capacity units not estimated)"
    if not lb.inputs.get("internal"):
        # An internet-facing load balancer holds one public IPv4 per subnet, billed like an EIP,
        # unless the subnet mapping brings its own EIP (then that EIP resource carries the cost).
        mappings = lb.inputs.get("subnetMappings") or []
        subnets = lb.inputs.get("subnets") or []
        count = sum(1 for m in mappings if not (m or {}).get("allocationId")) if mappings else 0
        if not mappings:
            count = len(subnets) if _known(subnets) and subnets else 2
        ip = prices.PUBLIC_IPV4_HOUR.usd * H * count
        monthly += ip
        basis += f" + {count} public IPv4 ({usd(ip)})"
    return monthly, monthly, basis


def _log_group(group: Resource, _: _Context) -> Priced:
    name = group.inputs.get("name")
    name = str(name) if _known(name) and name else group.name
    gb, pattern = prices.assumed_log_gb(name)
    monthly = gb * prices.LOGS_INGEST_GB.usd
    return monthly, monthly, f"assumed {gb:g} GB/month ingested (kind {pattern!r})"


def _bucket(_: Resource, __: _Context) -> Priced:
    gb = prices.ASSUMED_BUCKET_GB
    monthly = gb * prices.S3_STANDARD_GB_MONTH.usd
    return monthly, monthly, f"assumed {gb:g} GB stored"


def _repository(_: Resource, __: _Context) -> Priced:
    gb = prices.ASSUMED_REPOSITORY_GB
    monthly = gb * prices.ECR_STORAGE_GB_MONTH.usd
    return monthly, monthly, f"assumed {gb:g} GB of images stored"


RULES: dict[str, Rule] = {
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/natGateway:NatGateway": _hourly(prices.NAT_GATEWAY_HOUR, "NAT gateway"),
    "aws:ec2/eip:Eip": _hourly(prices.PUBLIC_IPV4_HOUR, "public IPv4"),
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:kms/key:Key": _kms_key,
    "aws:route53/zone:Zone": _monthly(prices.HOSTED_ZONE_MONTH, "hosted zone"),
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "kubernetes:karpenter.sh/v1:NodePool": lambda pool, _: node_pool_cost(pool.inputs),
    "aws:ecr/repository:Repository": _repository,
}


def _line(resource: Resource, ctx: _Context) -> CostLine:
    rule = RULES.get(resource.type)
    if rule is not None:
        result = rule(resource, ctx)
        if isinstance(result, str):
            return CostLine(resource.urn, resource.type, resource.name, "not priced", 0, 0, result)
        monthly, on_demand, basis, *ceiling = result
        return CostLine(
            resource.urn,
            resource.type,
            resource.name,
            "priced",
            monthly,
            on_demand,
            basis,
            ceiling[0] if ceiling else None,
        )
    reason = prices.free_reason(resource.type)
    if reason is not None or resource.is_component:
        basis = reason or "component: its children carry the cost"
        return CostLine(resource.urn, resource.type, resource.name, "free", 0, 0, basis)
    basis = "no price rule for this type"
    return CostLine(resource.urn, resource.type, resource.name, "not priced", 0, 0, basis)


def stack_cost(doc: Mapping[str, Any]) -> StackCost:
    items = plan_doc.resources(doc)
    ctx = _Context(items)
    return StackCost(
        stack=plan_doc.stack(doc),
        environment=plan_doc.environment(doc),
        color=plan_doc.color(doc),
        region=plan_doc.region(doc),
        lines=tuple(_line(r, ctx) for r in items),
    )


@dataclass(frozen=True)
class EnvironmentCost:
    environment: str
    stacks: tuple[StackCost, ...]
    active_color: str | None
    standby_color: str | None
    standby_usd: float
    standby_basis: str

    @property
    def total(self) -> float:
        return sum(s.total for s in self.stacks)

    @property
    def all_on_demand(self) -> float:
        return sum(s.all_on_demand for s in self.stacks)

    @property
    def spot_savings(self) -> float:
        return self.all_on_demand - self.total

    @property
    def not_priced(self) -> list[CostLine]:
        return [line for s in self.stacks for line in s.not_priced]


def active_color(doc: Mapping[str, Any]) -> str | None:
    """The colour with the highest weight among the environment stack's weighted records."""
    weights: dict[str, float] = {}
    for r in plan_doc.resources(doc):
        if r.type != "aws:route53/record:Record":
            continue
        ident = r.inputs.get("setIdentifier")
        policies = r.inputs.get("weightedRoutingPolicies") or []
        if not _known(ident) or not policies:
            continue
        weight = _number((policies[0] or {}).get("weight"), 0)
        weights[str(ident)] = max(weights.get(str(ident), 0), weight)
    if not weights or len(set(weights.values())) < len(weights):
        return None  # no records, or a tie: no colour is clearly the live one
    return max(weights, key=lambda c: weights[c])


def environment_cost(docs: Iterable[Mapping[str, Any]]) -> EnvironmentCost:
    """Sum the stacks of one environment; the standby colour is the one not taking traffic."""
    docs = list(docs)
    envs = {plan_doc.environment(d) for d in docs}
    if len(envs) != 1:
        raise ValueError(f"documents span environments {sorted(envs)}; pass one environment")
    stacks = tuple(stack_cost(d) for d in docs)
    colours = {s.color: s for s in stacks if s.color}
    active = next((c for d in docs if not plan_doc.color(d) for c in [active_color(d)] if c), None)
    if active and len(colours) == 2 and active in colours:
        standby = next(c for c in colours if c != active)
        basis = f"{standby} takes no traffic (weights in the environment stack)"
        standby_usd = colours[standby].total
    elif colours:
        # Blue and green are built from the same code, so either one is "the standby" in cost.
        standby = None
        standby_usd = max(s.total for s in colours.values())
        basis = "active colour unknown from the plan; the dearer colour stack is shown"
    else:
        standby, standby_usd, basis = None, 0.0, "no colour stacks in the plan"
    return EnvironmentCost(envs.pop(), stacks, active, standby, standby_usd, basis)


@dataclass(frozen=True)
class BudgetCheck:
    ok: bool
    message: str


def check_budget(env: EnvironmentCost, budget_usd: float) -> BudgetCheck:
    """`--budget USD`: fail when the environment's monthly estimate exceeds the budget."""
    unpriced = len(env.not_priced)
    caveat = f" ({unpriced} resources not priced)" if unpriced else ""
    if env.total > budget_usd:
        return BudgetCheck(
            False,
            f"environment {env.environment}: estimate {usd(env.total)}/month exceeds the budget "
            f"{usd(budget_usd)} by {usd(env.total - budget_usd)}{caveat}",
        )
    return BudgetCheck(
        True,
        f"environment {env.environment}: estimate {usd(env.total)}/month is within the budget "
        f"{usd(budget_usd)}{caveat}",
    )


def format_environment_cost(env: EnvironmentCost) -> str:
    region_note = f"{prices.REFERENCE_REGION} reference prices, not adjusted for region"
    lines = [f"environment {env.environment}: {usd(env.total)}/month ({region_note})"]
    for s in env.stacks:
        lines.append(f"  {s.stack:<16} {usd(s.total):>12}  ({s.region})")
    lines.append(
        f"  spot saves {usd(env.spot_savings)}/month against all on-demand "
        f"({usd(env.all_on_demand)})"
    )
    lines.append(f"  standby colour costs {usd(env.standby_usd)}/month: {env.standby_basis}")
    if env.not_priced:
        names = ", ".join(sorted({line.type for line in env.not_priced}))
        lines.append(f"  not priced ({len(env.not_priced)}): {names}")
    return "\n".join(lines)
