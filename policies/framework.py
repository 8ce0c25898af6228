"""The rule framework shared by the CrossGuard pack and the offline checker.

A rule is plain data plus a check function. The same `Rule` objects are wrapped as CrossGuard
policies (`policies/pack.py`) and evaluated directly against a preview document
(`policies/check.py`), so a rule is written once and behaves the same in both places.

Unknown values. During `pulumi preview` the Python policy SDK hands rules their props wrapped in
`pulumi_policy.proxy.unknown_checking_proxy`: reading a value that is not known yet raises
`UnknownValueError` (the SDK recognises seven sentinel strings, one per type; a `pulumi preview
--json` document writes every unknown as `04da6b54-80e4-46f7-96ec-b56ff0331ba9`). If that exception
escapes a policy, the SDK turns it into an *advisory* "can't run policy during preview" diagnostic.

We keep that contract and make it per finding instead of per policy:
  * `get()` raises the same `UnknownValueError` also for raw sentinel strings, so rules behave the
    same on proxied props (CrossGuard) and on plain dicts (tests, offline checker);
  * the framework catches it per resource (stack rules: per resource inside the rule, via
    `per_resource`) and records a *deferred* finding: "cannot check yet ... will be checked on
    update". Violations found before the unknown are still reported at the rule's level;
  * under CrossGuard, deferred findings are re-raised as one `UnknownValueError` after the real
    violations were reported, so the engine shows them as advisory and blocks nothing; during
    `pulumi up` the inputs are resolved before the analyzer runs, so the mandatory check runs
    for real then. The offline checker lists deferred findings separately (never as passes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, _is_unknown

Level = Literal["advisory", "mandatory", "disabled"]
Severity = Literal["low", "medium", "high", "critical"]
LEVELS: tuple[str, ...] = ("advisory", "mandatory", "disabled")

# What a preview document shows for a secret when --show-secrets is off: unknown to us offline.
SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class Resource:
    """One resource as a rule sees it; built from a CrossGuard request or a preview step."""

    type: str
    urn: str
    props: Mapping[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Hit:
    """One finding of one rule: a violation, or a check deferred because a value is unknown."""

    message: str
    urn: str | None = None
    deferred: bool = False


ResourceCheck = Callable[[Resource, Mapping[str, Any]], Iterable["str | Hit"]]
StackCheck = Callable[[Sequence[Resource], Mapping[str, Any]], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A policy rule. `types` empty means a stack rule (the check sees every resource)."""

    name: str
    description: str
    source: str
    severity: Severity
    level: Level
    fix: str
    check: Callable[..., Iterable[Any]]
    types: tuple[str, ...] = ()
    # Config properties: name -> JSON schema (with "default"); read via `settings()`.
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def is_stack(self) -> bool:
        return not self.types

    @property
    def full_description(self) -> str:
        return f"{self.description} [source: {self.source}]"

    def settings(self, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
        values = {k: schema.get("default") for k, schema in self.config.items()}
        for key, value in (overrides or {}).items():
            if key in self.config:
                values[key] = value
        return values


def resource_rule(
    name: str,
    types: Sequence[str],
    *,
    description: str,
    source: str,
    severity: Severity,
    level: Level,
    fix: str,
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[ResourceCheck], Rule]:
    """Decorator: turn `check(resource, settings)` (yielding messages) into a `Rule`."""

    def wrap(check: ResourceCheck) -> Rule:
        return Rule(
            name, description, source, severity, level, fix, check, tuple(types), config or {}
        )

    return wrap


def stack_rule(
    name: str,
    *,
    description: str,
    source: str,
    severity: Severity,
    level: Level,
    fix: str,
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[StackCheck], Rule]:
    """Decorator: turn `check(resources, settings)` (yielding `Hit`s) into a stack `Rule`."""

    def wrap(check: StackCheck) -> Rule:
        return Rule(name, description, source, severity, level, fix, check, (), config or {})

    return wrap


# --- reading props -----------------------------------------------------------------------------

_MISSING = object()


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and (_is_unknown(value) or value == SECRET_PLACEHOLDER)


def unknown(path: Sequence[Any]) -> UnknownValueError:
    return UnknownValueError(UNKNOWN_STRING_VALUE, [str(p) for p in path])


def get(props: Any, *path: Any, default: Any = None) -> Any:
    """`props[p0][p1]...`, or `default` when any step is absent; raises on an unknown value.

    Works on plain dicts/lists and on the SDK's read-only proxies (which raise themselves).
    """
    current = props
    for depth, key in enumerate(path):
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            return default
        if is_unknown(current):
            raise unknown(path[: depth + 1])
    if current is None:
        return default
    return current


def items(props: Any, *path: Any) -> list[Any]:
    """A list-valued prop as a list (absent -> []); a single object counts as a one-item list.

    pulumi-aws flattens some max-1 blocks (e.g. `vpcConfig`) to an object, others stay lists.
    """
    value = get(props, *path)
    if value is None:
        return []
    if isinstance(value, Mapping | str):
        return [value]
    out = []
    for index in range(len(value)):
        element = value[index]
        if is_unknown(element):
            raise unknown([*path, index])
        out.append(element)
    return out


def strings(props: Any, *path: Any) -> list[str]:
    return [str(v) for v in items(props, *path)]


def truthy(value: Any) -> bool:
    """pulumi-aws passes some booleans as strings (`ebs.encrypted: "true"`)."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def tags_of(res: Resource) -> dict[str, str]:
    """Explicit tags merged with `tagsAll` (which includes the provider's default tags)."""
    merged: dict[str, str] = {}
    for key in ("tagsAll", "tags"):
        value = get(res.props, key)
        if isinstance(value, Mapping):
            for tag in value:
                tag_value = value[tag]
                if is_unknown(tag_value):
                    raise unknown([key, tag])
                merged[str(tag)] = str(tag_value)
    return merged


def json_doc(value: Any) -> Mapping[str, Any] | None:
    """A JSON policy document given as string or object; None when absent or not JSON."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return plain(value)
    if isinstance(value, str):
        try:
            doc = json.loads(value)
        except ValueError:
            return None
        return doc if isinstance(doc, dict) else None
    return None


def plain(value: Any) -> Any:
    """A deep plain copy of (proxied) props; raises on unknowns inside."""
    if is_unknown(value):
        raise unknown([])
    if isinstance(value, Mapping):
        return {str(k): plain(value[k]) for k in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(value[i]) for i in range(len(value))]
    return value


# --- running rules -----------------------------------------------------------------------------


def _collect(found: Iterable[Any], urn: str | None) -> Iterator[Hit]:
    for item in found:
        yield item if isinstance(item, Hit) else Hit(str(item), urn)


def deferred_hit(error: UnknownValueError, urn: str | None) -> Hit:
    return Hit(
        f"cannot check yet: {error.message}; the rule will run on the values known at update",
        urn,
        deferred=True,
    )


def run_resource_rule(rule: Rule, res: Resource, settings: Mapping[str, Any]) -> list[Hit]:
    """Violations of one resource rule on one resource; an unknown value defers the rest."""
    if res.type not in rule.types:
        return []
    hits: list[Hit] = []
    try:
        hits.extend(_collect(rule.check(res, settings), res.urn))
    except UnknownValueError as error:
        hits.append(deferred_hit(error, res.urn))
    return hits


def run_stack_rule(
    rule: Rule, resources: Sequence[Resource], settings: Mapping[str, Any]
) -> list[Hit]:
    hits: list[Hit] = []
    try:
        hits.extend(_collect(rule.check(resources, settings), None))
    except UnknownValueError as error:
        # A rule that did not guard per resource: defer the whole stack check, never pass it.
        hits.append(deferred_hit(error, None))
    return hits


def per_resource(
    resources: Iterable[Resource], check: Callable[[Resource], Iterable[Any]]
) -> Iterator[Hit]:
    """Run `check` per resource inside a stack rule, deferring only the resources with unknowns."""
    for res in resources:
        try:
            yield from _collect(check(res), res.urn)
        except UnknownValueError as error:
            yield deferred_hit(error, res.urn)


def of_type(resources: Iterable[Resource], *types: str) -> list[Resource]:
    return [r for r in resources if r.type in types]


def referenced(
    res: Resource, prop: str, resources: Sequence[Resource], *types: str
) -> list[Resource]:
    """Resources that `res.prop` refers to: by property dependency, else by a known id/arn value.

    In a preview the referenced id is usually unknown, so the dependency URNs are what links
    two resources (the same choice the checkov graph checks make with references).
    """
    by_urn = {r.urn: r for r in resources}
    found = [by_urn[u] for u in res.property_dependencies.get(prop, ()) if u in by_urn]
    if not found:
        try:
            values = {v for v in strings(res.props, prop) if v}
        except UnknownValueError:
            values = set()
        for other in resources:
            if other.urn == res.urn:
                continue
            for key in ("id", "arn", "zoneId", "name", "bucket"):
                try:
                    value = get(other.props, key)
                except UnknownValueError:
                    continue
                if isinstance(value, str) and value in values:
                    found.append(other)
                    break
    return [r for r in found if not types or r.type in types]


def links(res: Resource, prop: str, resources: Sequence[Resource], *types: str) -> list[Resource]:
    """Like `referenced`, but raises `UnknownValueError` when an unknown value hides the target.

    Coverage rules ("every VPC has a flow log") use it so that an unresolvable reference defers
    the verdict instead of producing a false "missing" violation.
    """
    found = referenced(res, prop, resources, *types)
    if not found:
        strings(res.props, prop)  # raises on an unknown value or unknown list element
    return found


def coverage(
    targets: Sequence[Resource],
    helpers: Sequence[Resource],
    prop: str,
    resources: Sequence[Resource],
    target_type: str,
    missing: Callable[[Resource], str],
) -> Iterator[Hit]:
    """Flag each target no helper links to via `prop`; defer all of them if a link is unknown."""
    covered: set[str] = set()
    pending: list[Hit] = []
    for helper in helpers:
        try:
            covered.update(t.urn for t in links(helper, prop, resources, target_type))
        except UnknownValueError as error:
            pending.append(deferred_hit(error, helper.urn))
    uncovered = [t for t in targets if t.urn not in covered]
    if uncovered and pending:
        yield from pending
        return
    for target in uncovered:
        yield Hit(missing(target), target.urn)
