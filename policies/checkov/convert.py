"""A `pulumi preview --json` document -> checkov inputs: a Terraform plan and Kubernetes manifests.

The plan has the shape checkov's plan parser reads (checkov/terraform/plan_parser.py,
`parse_tf_plan`): `terraform_version` and `planned_values` must be present
(checkov/terraform/context_parsers/tf_plan/__init__.py), resources sit in
`planned_values.root_module.resources[]` (address, mode, type, name, values),
`resource_changes[]` carry the actions, and `configuration.root_module.resources[]` carry
`expressions.<attr>.references`.

References are what connects resources in checkov's graph (the graph checks CKV2_AWS_6, 11, 12,
38, 39, ...): `_add_references` in plan_parser.py puts the first reference in place of an
attribute whose planned value is missing or null, and the graph builder
(checkov/terraform/graph_builder/local_graph.py `_build_edges_for_vertex`) draws an edge for each
attribute value that names another resource. Terraform leaves the id or ARN of a resource that
is yet to be created unknown, so that is where the references appear. We do the same: a string
inside input `k` that equals a computed output (id, arn, ...) of one of the resources in
`propertyDependencies[k]` is left out of `values` and becomes a reference to that attribute.
Content that merely embeds an id (a JSON policy, a CIDR) stays a value.

Unknown values (the preview sentinel) and redacted secrets ("[secret]") are left out of `values`
and marked in `after_unknown`, as Terraform does. When the input depends on resources in the plan
it becomes a reference to them, which is exactly what checkov sees in a Terraform plan of a first
deploy (an id yet to be created). Otherwise (no dependency in the plan, e.g. a StackReference
output or a secret, or a JSON policy whose content is unknown) the path is kept in
`Conversion.unknown`, so that a checkov result that read it is reported as deferred, never as a
pass or a failure. Kubernetes objects have no references: every unknown path there is kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.checkov import tables
from policies.document import GONE_OPS

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi's wire sentinel for an unknown value
SECRET = "[secret]"  # what `pulumi preview --json` prints for a secret value
# Pulumi's wire envelope for a secret whose value is present (sdk/python/lib/pulumi/runtime/rpc.py).
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_OMIT = object()
PROVIDER = "registry.terraform.io/hashicorp/aws"
# checkov requires the key; no Terraform ran, so this is the version whose plan format we follow.
TERRAFORM_VERSION = "1.9.8"
FORMAT_VERSION = "1.2"


@dataclass
class Conversion:
    tf_plan: dict[str, Any]
    manifests: list[dict[str, Any]]
    unmapped: list[str]
    """Types in the document that are not scanned (see `tables.not_scanned_reason`)."""
    urns: dict[str, str] = field(default_factory=dict)
    """checkov resource id (Terraform address, or Kind.namespace.name) -> Pulumi URN."""
    types: dict[str, str] = field(default_factory=dict)
    """URN -> Pulumi type of every resource that remains after the update."""
    unknown: dict[str, set[str]] = field(default_factory=dict)
    """checkov resource id -> paths (checkov's `a/[0]/b` form) unknown at preview."""


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in (UNKNOWN, SECRET)


def unwrap_secrets(value: Any) -> Any:
    if isinstance(value, Mapping):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return unwrap_secrets(value.get("value", SECRET))
        return {str(k): unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def states(doc: Mapping[str, Any]) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """URN -> (op, newState) of every step whose resource remains (replacements: the last)."""
    out: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for step in doc.get("steps") or []:
        state = step.get("newState")
        if not state or step.get("op") in GONE_OPS:
            continue
        out[str(state.get("urn") or step.get("urn"))] = (str(step.get("op") or "create"), state)
    return out


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _path_str(path: list[str | int]) -> str:
    return "/".join(f"[{p}]" if isinstance(p, int) else p for p in path)


class _Resource:
    """The conversion of one aws resource's inputs."""

    def __init__(self, tf_type: str, computed: dict[str, dict[str, list[str]]]):
        self.tf_type = tf_type
        self.computed = computed  # dependency address -> {value: [attributes]}
        self.expressions: dict[str, Any] = {}
        self.after_unknown: dict[str, Any] = {}
        self.unknown: set[str] = set()

    def attribute(self, key: str, value: Any, deps: list[str]) -> Any:
        name = tables.tf_attribute(self.tf_type, key)
        if name in tables.JSON_ATTRIBUTES.get(self.tf_type, ()) and isinstance(value, dict | list):
            value = json.dumps(value, sort_keys=True)
        return name, self._value([name], value, deps, is_map=name in tables.MAP_ATTRIBUTES)

    def _value(self, path: list[str | int], value: Any, deps: list[str], is_map: bool) -> Any:
        if isinstance(value, dict):
            if is_map:
                out = {k: self._value([*path, k], v, deps, False) for k, v in value.items()}
                return {k: v for k, v in out.items() if v is not _OMIT}
            return [self._block([*path, 0], value, deps)]  # a nested block: a list of one
        if isinstance(value, list):
            out = []
            for i, item in enumerate(value):
                if isinstance(item, dict) and not is_map:
                    out.append(self._block([*path, i], item, deps))  # a repeated block
                else:
                    sub = self._value([*path, i], item, deps, False)
                    out.append(None if sub is _OMIT else sub)
            return out
        if is_unknown(value):
            _set(self.after_unknown, path)
            self._reference(path, list(deps))
            if not deps or _attr_name(path) in tables.JSON_ATTRIBUTES.get(self.tf_type, ()):
                # no reference stands for it (or it is content, a policy, not an id): checkov
                # would judge a value it has not seen, so results that read it are deferred
                self.unknown.add(_path_str(path))
            return _OMIT
        if isinstance(value, str):
            refs = [(a, attr) for a in deps for attr in self.computed[a].get(value, ())]
            if refs:
                # an id that is also the ARN (target groups, certificates): name what is asked for
                wanted = "arn" if _attr_name(path).endswith(("arn", "arns")) else "id"
                address, attr = min(refs, key=lambda r: r[1] != wanted)
                _set(self.after_unknown, path)
                self._reference(path, [f"{address}.{attr}", address])
                return _OMIT
        return value

    def _block(self, path: list[str | int], value: dict[str, Any], deps: list[str]) -> dict:
        block = {}
        for k, v in value.items():
            name = tables.tf_attribute(self.tf_type, k)
            sub = self._value([*path, name], v, deps, name in tables.MAP_ATTRIBUTES)
            if sub is not _OMIT:
                block[name] = sub
        return block

    def _attr_path(self, path: list[str | int]) -> list[str | int]:
        # the expression of a scalar list sits on the list attribute, not on its items
        while path and isinstance(path[-1], int):
            path = path[:-1]
        return path

    def _reference(self, path: list[str | int], refs: list[str]) -> None:
        if not refs:
            return
        node: Any = self.expressions
        attr_path = self._attr_path(path)
        for i, part in enumerate(attr_path):
            last = i == len(attr_path) - 1
            if isinstance(part, int):
                while len(node) <= part:
                    node.append({})
                node = node[part]
            elif last:
                entry = node.setdefault(part, {"references": []})
                entry["references"].extend(r for r in refs if r not in entry["references"])
            else:
                node = node.setdefault(part, [])


def _attr_name(path: list[str | int]) -> str:
    return next((p for p in reversed(path) if isinstance(p, str)), "")


def _set(root: dict[str, Any], path: list[str | int]) -> None:
    """Mark `path` true in an `after_unknown`-shaped tree, creating its containers."""
    node: Any = root
    for i, part in enumerate(path):
        last = i == len(path) - 1
        empty: Any = True if last else ([] if isinstance(path[i + 1], int) else {})
        if isinstance(node, list):
            while len(node) <= int(part):
                node.append(False)
            if last or not isinstance(node[int(part)], list | dict):
                node[int(part)] = empty
        elif last or part not in node:
            node[part] = empty
        node = node[part] if isinstance(node, dict) else node[int(part)]


def _computed_outputs(state: Mapping[str, Any], tf_type: str) -> dict[str, list[str]]:
    """value -> Terraform attribute, for what only exists once the resource is created.

    `id` first, then `arn`, then the other outputs that are not inputs (Terraform would show them
    as unknown in a plan that creates the resource).
    """
    inputs = state.get("inputs") or {}
    outputs = unwrap_secrets(state.get("outputs") or {})
    found: dict[str, list[str]] = {}
    if isinstance(state.get("id"), str) and state["id"]:
        found[state["id"]] = ["id"]
    for key in sorted(outputs, key=lambda k: (k != "arn", k)):
        value = outputs[key]
        if isinstance(value, str) and value and key not in inputs and not is_unknown(value):
            found.setdefault(value, []).append(tables.tf_attribute(tf_type, key))
    return found


def _addresses(remaining: Mapping[str, tuple[str, Mapping[str, Any]]]) -> dict[str, str]:
    """URN -> unique Terraform address for every mapped aws resource."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for urn, (_, state) in remaining.items():
        tf_type = tables.RESOURCE_TYPES.get(str(state.get("type")))
        if not tf_type:
            continue
        base = f"{tf_type}.{tables.tf_name(_urn_name(urn))}"
        address, n = base, 2
        while address in taken:
            address, n = f"{base}_{n}", n + 1
        taken.add(address)
        out[urn] = address
    return out


def _tf_resource(address, op, state, addresses, computed):
    tf_type, name = address.split(".", 1)
    conv = _Resource(tf_type, {})
    prop_deps = state.get("propertyDependencies") or {}
    values: dict[str, Any] = {}
    for key, value in unwrap_secrets(state.get("inputs") or {}).items():
        if key.startswith("__"):  # pulumi bookkeeping such as __defaults
            continue
        deps = [addresses[u] for u in prop_deps.get(key) or () if u in addresses]
        conv.computed = {d: computed[d] for d in deps}
        attr, converted = conv.attribute(key, value, deps)
        if converted is not _OMIT:
            values[attr] = converted
    common = {"address": address, "mode": "managed", "type": tf_type, "name": name}
    common["provider_name"] = PROVIDER
    planned = {**common, "schema_version": 0, "values": values, "sensitive_values": {}}
    actions = tables.ACTIONS.get(op, ["create"])
    change = {
        **common,
        "change": {
            "actions": actions,
            "before": values if actions == ["no-op"] else None,
            "after": values,
            "after_unknown": conv.after_unknown,
            "before_sensitive": False,
            "after_sensitive": {},
        },
    }
    configuration = {
        "address": address,
        "mode": "managed",
        "type": tf_type,
        "name": name,
        "provider_config_key": "aws",
        "expressions": conv.expressions,
        "schema_version": 0,
    }
    return planned, change, configuration, conv.unknown


def _manifest(urn: str, state: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    unknown: set[str] = set()

    def clean(path: list[str | int], value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: clean([*path, k], v) for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not _OMIT}
        if isinstance(value, list):
            return [
                None if (c := clean([*path, i], v)) is _OMIT else c for i, v in enumerate(value)
            ]
        if is_unknown(value):
            unknown.add(_path_str(path))
            return _OMIT
        return value

    manifest = clean([], unwrap_secrets(state.get("inputs") or {}))
    manifest = {k: v for k, v in manifest.items() if not k.startswith("__")}
    metadata = manifest.setdefault("metadata", {})
    if not metadata.get("name"):
        # Pulumi auto-names objects: the name is an output, or the logical name until then
        out_name = ((state.get("outputs") or {}).get("metadata") or {}).get("name")
        metadata["name"] = out_name if out_name and not is_unknown(out_name) else _urn_name(urn)
    return manifest, unknown


def knative_workload(manifest: Mapping[str, Any]) -> dict[str, Any] | None:
    """The Deployment Knative Serving runs for a Knative Service's revision template.

    checkov's container checks (CKV_K8S_8 liveness probe, CKV_K8S_20 privilege escalation, ...)
    only read pod templates of core workload kinds (`BaseK8sContainerCheck.SUPPORTED_ENTITIES` in
    checkov/kubernetes/checks/resource/base_container_check.py), never a Knative Service. Knative's
    revision reconciler runs the template as a Deployment (plus its own queue-proxy sidecar, which
    is Knative's, not ours), so that Deployment is what we hand checkov.
    """
    if manifest.get("apiVersion") != "serving.knative.dev/v1" or manifest.get("kind") != "Service":
        return None
    template = (manifest.get("spec") or {}).get("template")
    if not isinstance(template, dict):
        return None
    meta = manifest.get("metadata") or {}
    labels = {"serving.knative.dev/service": meta.get("name")}
    pod_meta = dict(template.get("metadata") or {})
    pod_meta["labels"] = {**(pod_meta.get("labels") or {}), **labels}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {k: v for k, v in meta.items() if k in ("name", "namespace", "labels")},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": pod_meta, "spec": template.get("spec") or {}},
        },
    }


def manifest_id(manifest: Mapping[str, Any]) -> str:
    """checkov's id of a Kubernetes object (checkov/kubernetes/kubernetes_utils.py)."""
    meta = manifest.get("metadata") or {}
    return f"{manifest.get('kind')}.{meta.get('namespace', 'default')}.{meta.get('name')}"


def convert_document(doc: Mapping[str, Any]) -> Conversion:
    remaining = states(doc)
    addresses = _addresses(remaining)
    computed = {
        addresses[urn]: _computed_outputs(state, addresses[urn].split(".", 1)[0])
        for urn, (_, state) in remaining.items()
        if urn in addresses
    }
    planned, changes, configuration = [], [], []
    conversion = Conversion({}, [], [])
    unmapped: set[str] = set()
    for urn, (op, state) in remaining.items():
        type_ = str(state.get("type", ""))
        conversion.types[urn] = type_
        if urn in addresses:
            address = addresses[urn]
            p, c, conf, unknown = _tf_resource(address, op, state, addresses, computed)
            planned.append(p)
            changes.append(c)
            configuration.append(conf)
            conversion.urns[address] = urn
            if unknown:
                conversion.unknown[address] = unknown
        elif tables.not_scanned_reason(type_) is None:
            manifest, unknown = _manifest(urn, state)
            workload = knative_workload(manifest)
            for obj in (manifest, workload) if workload else (manifest,):
                conversion.manifests.append(obj)
                conversion.urns[manifest_id(obj)] = urn
                if unknown:
                    # the workload's pod spec sits at the same path as in the Knative Service
                    conversion.unknown[manifest_id(obj)] = unknown
        else:
            unmapped.add(type_)
    region = (doc.get("config") or {}).get("aws:region")
    provider = {"name": "aws", "full_name": PROVIDER, "expressions": {}}
    if region:
        provider["expressions"]["region"] = {"constant_value": region}
    conversion.tf_plan = {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": provider},
            "root_module": {"resources": configuration},
        },
    }
    conversion.unmapped = sorted(unmapped)
    return conversion


def convert(doc: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """(Terraform plan for checkov, Kubernetes manifests, types not scanned)."""
    c = convert_document(doc)
    return c.tf_plan, c.manifests, c.unmapped
