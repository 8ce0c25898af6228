"""Run the policy pack's rules offline against a `pulumi preview --json`-shaped document.

The rules are the CrossGuard pack's own (`policies.rules.ALL_RULES`), evaluated the way the
analyzer would: resource rules see each resource's inputs, stack rules see every resource's
state (outputs over inputs), both wrapped in the SDK's unknown-checking proxy. Levels come from
`policies/config/<env>.json`, the file CI also passes to `pulumi preview --policy-pack-config`.

Unknown values (the preview sentinel, or "[secret]") never pass and never block: the finding is
reported with `deferred: true` at advisory level, and CrossGuard checks it for real on update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pulumi_policy.proxy import unknown_checking_proxy

from components import naming
from policies import settings as policy_settings
from policies.document import GONE_OPS, InputError, load_preview, step_counts
from policies.document import shown as _shown
from policies.framework import (
    Hit,
    Resource,
    Rule,
    is_unknown,
    run_resource_rule,
    run_stack_rule,
)
from policies.rules import ALL_RULES

# Steps whose newState is not part of the stack after the update.
# Pulumi's wire marker for a secret value inside a property map.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ENV_CONFIG_KEY = "faas:environment"


@dataclass(frozen=True)
class Violation:
    rule: str
    level: str  # "mandatory" | "advisory"
    severity: str
    urn: str | None
    type: str
    message: str
    fix: str
    deferred: bool = False


@dataclass
class PolicyReport:
    stack: str | None
    environment: str | None
    resources: int
    rules: int
    violations: list[Violation] = field(default_factory=list)
    note: str | None = None
    """Set when the environment has no policy config file: says so and names the file."""

    def count(self, level: str) -> int:
        return sum(1 for v in self.violations if v.level == level and not v.deferred)

    @property
    def deferred(self) -> int:
        return sum(1 for v in self.violations if v.deferred)

    @property
    def ok(self) -> bool:
        """True when no mandatory rule is violated (advisory and deferred findings allowed)."""
        return self.count("mandatory") == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "environment": self.environment,
            "ok": self.ok,
            "summary": {
                "mandatory": self.count("mandatory"),
                "advisory": self.count("advisory"),
                "deferred": self.deferred,
                "resources": self.resources,
                "rules": self.rules,
            },
            "violations": [asdict(v) for v in self.violations],
            "note": self.note,
        }


def _unwrap_secrets(value: Any) -> Any:
    if isinstance(value, Mapping):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return _unwrap_secrets(value.get("value"))
        return {str(k): _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    return value


def _state_props(state: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs over inputs, except that an unknown output does not hide a known input."""
    merged = dict(_unwrap_secrets(state.get("inputs") or {}))
    for key, value in _unwrap_secrets(state.get("outputs") or {}).items():
        if not (is_unknown(value) and key in merged):
            merged[key] = value
    if state.get("id") and "id" not in merged:
        merged["id"] = state["id"]
    return merged


def resources_from_document(doc: Mapping[str, Any]) -> tuple[list[Resource], list[Resource]]:
    """(resources with input props, the same with state props) of every step that remains."""
    states: dict[str, Mapping[str, Any]] = {}
    for step in doc.get("steps") or []:
        state = step.get("newState")
        if not state or step.get("op") in GONE_OPS:
            continue
        states[state.get("urn") or step.get("urn")] = state  # replacements: keep the last
    by_inputs, by_state = [], []
    for urn, state in states.items():
        common = {
            "type": str(state.get("type", "")),
            "urn": str(urn),
            "parent": state.get("parent") or None,
            "dependencies": tuple(state.get("dependencies") or ()),
            "property_dependencies": {
                k: tuple(v or ()) for k, v in (state.get("propertyDependencies") or {}).items()
            },
        }
        inputs = _unwrap_secrets(state.get("inputs") or {})
        by_inputs.append(Resource(props=unknown_checking_proxy(inputs), **common))
        by_state.append(Resource(props=unknown_checking_proxy(_state_props(state)), **common))
    return by_inputs, by_state


def environment_of(doc: Mapping[str, Any]) -> str | None:
    env = (doc.get("config") or {}).get(ENV_CONFIG_KEY)
    if env is None or env == "":
        return None
    if not isinstance(env, str) or not naming.valid_environment(env):
        raise InputError(f"config.{ENV_CONFIG_KEY} {_shown(env)} is not an environment name")
    return env


def _guarded(
    broken: list[str], rule: Rule, targets: Any, settings: Mapping[str, Any], urn: str | None
) -> list[Hit]:
    """A rule's hits on one resource (`targets`) or the stack; a value of a type the rule cannot
    read (a malformed document) is recorded in `broken` instead of escaping as a traceback."""
    try:
        if rule.is_stack:
            return run_stack_rule(rule, targets, settings)
        return run_resource_rule(rule, targets, settings)
    except (TypeError, KeyError, IndexError, AttributeError, ValueError, RecursionError) as exc:
        where = _shown(urn) if urn else "the stack"
        broken.append(f"rule {rule.name} cannot read {where}: {type(exc).__name__}: {exc}")
        return []


def evaluate(
    by_inputs: Sequence[Resource],
    by_state: Sequence[Resource],
    config: Mapping[str, Any],
    rules: Iterable[Rule] = ALL_RULES,
) -> list[Violation]:
    types = {r.urn: r.type for r in by_inputs}
    out: list[Violation] = []
    broken: list[str] = []
    for rule in rules:
        try:
            level, rule_settings = policy_settings.resolve(rule, config)
        except ValueError as exc:
            raise InputError(f"policy config: {exc}") from None
        if level == "disabled":
            continue
        if rule.is_stack:
            hits = _guarded(broken, rule, by_state, rule_settings, None)
        else:
            hits = [
                h for res in by_inputs for h in _guarded(broken, rule, res, rule_settings, res.urn)
            ]
        for hit in hits:
            out.append(
                Violation(
                    rule=rule.name,
                    level="advisory" if hit.deferred else level,
                    severity=rule.severity,
                    urn=hit.urn,
                    type=types.get(hit.urn or "", "stack"),
                    message=hit.message,
                    fix=rule.fix,
                    deferred=hit.deferred,
                )
            )
    if broken:
        listed = "; ".join(broken[:5]) + (
            f"; and {len(broken) - 5} more" if len(broken) > 5 else ""
        )
        raise InputError(f"values of a type the rules cannot read: {listed}")
    return out


def check_document(
    doc: Mapping[str, Any], env: str | None = None, config: Mapping[str, Any] | None = None
) -> PolicyReport:
    """Evaluate every rule on one preview document.

    env: picks `policies/config/<env>.json`; defaults to the document's `faas:environment`.
    config: an explicit policy config (same format) instead of the environment's file.
    """
    if env is not None and not naming.valid_environment(env):
        raise InputError(f"--env {_shown(env)} is not an environment name")
    env = env or environment_of(doc)
    note = None
    if config is None:
        try:
            config = policy_settings.load(env)
        except (OSError, ValueError) as exc:
            raise InputError(f"{policy_settings.config_path(env or '')}: {exc}") from None
        note = policy_settings.missing_config_note(env)
    by_inputs, by_state = resources_from_document(doc)
    return PolicyReport(
        stack=doc.get("stack"),
        environment=env,
        resources=step_counts(doc)["resources"],
        rules=len(ALL_RULES),
        violations=evaluate(by_inputs, by_state, config),
        note=note,
    )


def check_file(path: str | Path, env: str | None = None) -> PolicyReport:
    """Check the document at `path`; `InputError` (naming the file) when it is not a usable
    preview document or the policy config cannot be read."""
    doc = load_preview(path)
    try:
        return check_document(doc, env=env)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def _short(urn: str | None) -> str:
    if not urn:
        return "(stack)"
    kind, _, name = urn.rpartition("::")
    return f"{kind.rsplit('$', 1)[-1].rsplit('::', 1)[-1]}::{name}"


def format_report(report: PolicyReport) -> str:
    """Human-readable lines: one per finding (mandatory first), then a summary."""
    order = sorted(report.violations, key=lambda v: (v.deferred, v.level != "mandatory", v.rule))
    lines = [f"note: {report.note}"] if report.note else []
    for v in order:
        tag = "DEFERRED" if v.deferred else v.level.upper()
        lines.append(f"{tag:<9} {v.rule:<36} {_short(v.urn)}\n          {v.message}")
        if not v.deferred:
            lines.append(f"          fix: {v.fix}")
    lines.append(
        f"policy check {report.stack or '?'} (env {report.environment or 'default'}): "
        f"{report.count('mandatory')} mandatory, {report.count('advisory')} advisory, "
        f"{report.deferred} deferred; {report.rules} rules on {report.resources} resources: "
        f"{'PASS' if report.ok else 'FAIL'}"
    )
    return "\n".join(lines)


def rules_markdown() -> str:
    """The README's rules table: name, level per shipped environment, severity, source."""
    envs = policy_settings.shipped_environments()
    configs = {env: policy_settings.load(env) for env in envs}
    header = ["Rule", "Default", *envs, "Severity", "Source", "Checks"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for rule in ALL_RULES:
        levels = [policy_settings.resolve(rule, configs[env])[0] for env in envs]
        kind = "stack" if rule.is_stack else ", ".join(t.rsplit(":", 1)[-1] for t in rule.types[:3])
        if len(rule.types) > 3:
            kind += ", …"
        cells = [f"`{rule.name}`", rule.level, *levels, rule.severity, rule.source, kind]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# --- the README rules table (between markers; docs/policy-rules.md until the README has them) ---

BEGIN = "<!-- policy-rules:begin -->"
END = "<!-- policy-rules:end -->"
FALLBACK = Path("docs") / "policy-rules.md"


def table_between_markers(text: str) -> str | None:
    """The text between the markers (without them), or None when they are missing."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start + len(BEGIN) : end].strip("\n") + "\n"


def replace_between_markers(text: str, table: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + table + text[end:]


def fallback_text(table: str) -> str:
    return (
        "# Policy rules\n\n"
        "Generated by `python scripts/check_policies.py --update-readme`; do not edit by hand.\n\n"
        f"{BEGIN}\n{table}{END}\n"
    )


def update_rules_table(root: Path) -> Path:
    """Write the current table into README.md (between the markers) or the fallback file."""
    table = rules_markdown()
    readme = root / "README.md"
    if readme.exists() and table_between_markers(readme.read_text()) is not None:
        readme.write_text(replace_between_markers(readme.read_text(), table))
        return readme
    target = root / FALLBACK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(fallback_text(table))
    return target
