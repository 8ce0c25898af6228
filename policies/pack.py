"""Wrap the framework's rules as CrossGuard policies, without starting the policy server.

`policies/__main__.py` hands `POLICIES` to `PolicyPack`; tests import this module instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from policies.framework import Hit, Resource, Rule, run_resource_rule, run_stack_rule
from policies.rules import ALL_RULES

PACK_NAME = "faas-platform"


def report(rule: Rule, hits: Sequence[Hit], report_violation: ReportViolation) -> None:
    """Report violations at the rule's level; hand deferred checks back to the SDK as unknowns.

    The SDK reports an escaping `UnknownValueError` as an advisory "can't run policy during
    preview" diagnostic; raising it after the real violations keeps those at their level.
    """
    deferred = []
    for hit in hits:
        if hit.deferred:
            deferred.append(hit)
        else:
            report_violation(f"{hit.message}. Fix: {rule.fix}", hit.urn)
    if deferred:
        error = UnknownValueError(UNKNOWN_STRING_VALUE, [])
        error.message = "; ".join(h.message for h in deferred)
        raise error


def from_policy_resource(res: PolicyResource) -> Resource:
    return Resource(
        type=res.resource_type,
        urn=res.urn,
        props=res.props,
        parent=res.parent.urn if res.parent else None,
        dependencies=tuple(d.urn for d in res.dependencies),
        property_dependencies={
            k: tuple(d.urn for d in v) for k, v in res.property_dependencies.items()
        },
    )


def _schema(rule: Rule) -> PolicyConfigSchema | None:
    return (
        PolicyConfigSchema(properties={k: dict(v) for k, v in rule.config.items()})
        if rule.config
        else None
    )


def to_policy(rule: Rule) -> Policy:
    common = {
        "name": rule.name,
        "description": rule.full_description,
        "enforcement_level": EnforcementLevel(rule.level),
        "config_schema": _schema(rule),
        "severity": Severity(rule.severity),
        "remediation_steps": rule.fix,
    }
    if rule.is_stack:

        def validate_stack(args: StackValidationArgs, report_violation: ReportViolation) -> None:
            resources = [from_policy_resource(r) for r in args.resources]
            hits = run_stack_rule(rule, resources, rule.settings(args.get_config()))
            report(rule, hits, report_violation)

        return StackValidationPolicy(validate=validate_stack, **common)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        res = Resource(
            type=args.resource_type, urn=args.urn, props=args.props, parent=args.opts.parent
        )
        hits = run_resource_rule(rule, res, rule.settings(args.get_config()))
        report(rule, hits, report_violation)

    return ResourceValidationPolicy(validate=validate, **common)


POLICIES: list[Policy] = [to_policy(rule) for rule in ALL_RULES]
