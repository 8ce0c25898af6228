"""Upstream contracts of the pinned versions, and the checks that use them (docs/contracts.md).

- `load_chart(name, version)`: a chart's values.yaml, values.schema.json, refs.json, provenance;
- `unread_value_paths(chart, version, values)`: value paths we set that the chart never reads;
- `schema_errors(chart, version, values)`: what Helm's values.schema.json check would refuse;
- `validate_cr(obj)`: a custom resource against its CRD schema, unknown fields as errors;
- `validate_k8s(obj, minor)`: a core object against the strict Kubernetes schema of `minor`;
- `published(repo_url, chart, version)`: whether the stored repository index lists the version;
- `missing_contracts()`: pins without stored contracts, each with the command that fetches it.
"""

from __future__ import annotations

from faas.contracts.k8s import validate_k8s
from faas.contracts.openapi import validate_cr
from faas.contracts.pins import eks_addon_evidence, missing_contracts, unpublished_pins
from faas.contracts.store import Chart, MissingContract, load_chart, published
from faas.contracts.values import schema_errors, unread_value_paths

__all__ = [
    "Chart",
    "MissingContract",
    "eks_addon_evidence",
    "load_chart",
    "missing_contracts",
    "published",
    "schema_errors",
    "unpublished_pins",
    "unread_value_paths",
    "validate_cr",
    "validate_k8s",
]
