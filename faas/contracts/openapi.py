"""Strict structural validation of a custom resource against the stored CRD schema.

The API server prunes fields a structural schema does not declare; we treat each such field as an
error instead (a typo in a CR silently vanishes otherwise), except beneath
`x-kubernetes-preserve-unknown-fields: true`. Types (with `nullable` and
`x-kubernetes-int-or-string`), enums, required fields, patterns and bounds are checked through
jsonschema's draft 4 (OpenAPI 3.0's boolean exclusiveMinimum). CEL rules
(`x-kubernetes-validations`) and formats are not evaluated. See docs/contracts.md.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema

from faas.contracts import store

VALUE_KEYWORDS = (
    "enum",
    "required",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "minProperties",
    "maxProperties",
)
# What every object may carry at its root (and an embedded resource too).
OBJECT_ROOT = {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "namespace": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            **{
                field: {}  # set by the API server or by controllers; types checked by it
                for field in (
                    "generateName",
                    "finalizers",
                    "ownerReferences",
                    "uid",
                    "resourceVersion",
                    "generation",
                    "creationTimestamp",
                    "deletionTimestamp",
                    "deletionGracePeriodSeconds",
                    "managedFields",
                    "selfLink",
                )
            },
        },
        "additionalProperties": False,
    },
}


def to_jsonschema(node: dict[str, Any], structural: bool = True) -> dict[str, Any]:
    """An OpenAPI v3 CRD schema node as a strict JSON schema (unknown fields forbidden).

    `structural` is False inside allOf/anyOf/oneOf/not, whose branches only add value checks.
    """
    out: dict[str, Any] = {k: node[k] for k in VALUE_KEYWORDS if k in node}
    type_ = node.get("type")
    if node.get("x-kubernetes-int-or-string"):
        type_ = ["integer", "string"]
    if type_ is not None:
        out["type"] = type_
        if node.get("nullable"):
            out["type"] = [*([type_] if isinstance(type_, str) else type_), "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
    if "properties" in node:
        out["properties"] = {k: to_jsonschema(v, structural) for k, v in node["properties"].items()}
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = to_jsonschema(node["additionalProperties"], structural)
    elif "additionalProperties" in node:
        out["additionalProperties"] = node["additionalProperties"]
    if "items" in node and isinstance(node["items"], dict):
        out["items"] = to_jsonschema(node["items"], structural)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:
            out[key] = [to_jsonschema(b, structural=False) for b in node[key]]
    if "not" in node:
        out["not"] = to_jsonschema(node["not"], structural=False)
    if node.get("x-kubernetes-embedded-resource"):
        out.setdefault("properties", {}).update(
            {k: v for k, v in OBJECT_ROOT.items() if k not in out.get("properties", {})}
        )
    is_object = type_ == "object" or "properties" in node
    if (
        structural
        and is_object
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@cache
def _validator(path: str) -> jsonschema.Draft4Validator:
    record = store.load_crd(store.CRDS / path)
    schema = to_jsonschema(record["openAPIV3Schema"])
    properties = schema.setdefault("properties", {})
    # The API server ignores a CRD's metadata schema beyond ObjectMeta: check ObjectMeta.
    properties.update(OBJECT_ROOT)
    properties["apiVersion"] = {"enum": [record["apiVersion"]]}
    properties["kind"] = {"enum": [record["kind"]]}
    return jsonschema.Draft4Validator(schema)


def crd_for(api_version: str, kind: str) -> list[str]:
    return [p.name for p in store.crd_index().get((api_version, kind), [])]


def validate_cr(obj: dict[str, Any]) -> list[str]:
    """Errors of a custom resource against its CRD's schema ([] when it conforms)."""
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    files = crd_for(api_version, kind)
    if not files:
        return [
            f"{api_version} {kind}: no CRD schema in contracts/crds; add the CRD source to "
            "contracts/sources.json and run python -m faas.contracts.refresh (docs/contracts.md)"
        ]
    # One schema per (apiVersion, kind) and source; every stored source must accept the object.
    errors: set[str] = set()
    for name in files:
        for err in _validator(name).iter_errors(obj):
            where = ".".join(str(p) for p in err.absolute_path) or "<root>"
            errors.add(f"{where}: {err.message}")
    return sorted(errors)
