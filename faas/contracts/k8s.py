"""Core Kubernetes objects against the Kubernetes JSON schemas of the cluster's minor.

The schemas are those the `kubernetes-validate` package ships (generated from each release's
OpenAPI document); its `-strict` variants forbid fields the API does not declare. We use its files
and run jsonschema ourselves so that every error is reported, not only the first.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import referencing
from packaging.version import Version

SCHEMAS = resources.files("kubernetes_validate") / "kubernetes-json-schema"


@cache
def available_minors() -> list[str]:
    found = {
        m.group(1)
        for p in SCHEMAS.iterdir()
        if (m := re.match(r"^v(\d+\.\d+)\.0-local-strict$", p.name))
    }
    return sorted(found, key=Version)


def schema_minor(minor: str) -> str:
    """The newest shipped schema set not newer than `minor` (what the package itself picks)."""
    usable = [m for m in available_minors() if Version(m) <= Version(minor)]
    if not usable:
        raise LookupError(f"kubernetes-validate ships no schema for Kubernetes {minor}")
    return usable[-1]


@cache
def _load(minor: str, name: str) -> Any:
    return json.loads((SCHEMAS / f"v{minor}.0-local-strict" / name).read_text())


@cache
def _validator(minor: str, file_name: str) -> jsonschema.Draft202012Validator:
    # Both files carry their `$id` (/api/...), which is how the schema's `$ref`s resolve.
    schema = _load(minor, file_name)
    definitions = referencing.Resource.from_contents(_load(minor, "_definitions.json"))
    registry = definitions @ (referencing.Resource.from_contents(schema) @ referencing.Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_file(api_version: str, kind: str) -> str:
    # rbac.authorization.k8s.io/v1 -> rbac-v1 (the package's file naming).
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{group_version}.json"


def validate_k8s(obj: dict[str, Any], minor: str) -> list[str]:
    """Errors of a core Kubernetes object against the strict schema of `minor` ([] if valid)."""
    used = schema_minor(minor)
    name = schema_file(obj.get("apiVersion", ""), obj.get("kind", ""))
    if not (SCHEMAS / f"v{used}.0-local-strict" / name).is_file():
        return [f"{obj.get('apiVersion')} {obj.get('kind')}: not a Kubernetes {used} kind"]
    errors = _validator(used, name).iter_errors(obj)
    return sorted(
        f"{'.'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in errors
    )


def is_core(obj: dict[str, Any], minor: str) -> bool:
    """Whether Kubernetes `minor` defines the object's kind (else it is a custom resource)."""
    used = schema_minor(minor)
    name = schema_file(obj.get("apiVersion", ""), obj.get("kind", ""))
    return (SCHEMAS / f"v{used}.0-local-strict" / name).is_file()
