"""Is every Helm value we set read by the chart version we pin? (rules: docs/contracts.md)"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import jsonschema

from faas.contracts.store import Chart, MissingContract, load_chart

# Maps whose keys are the user's data (label names, annotation keys, node labels), not value names
# of the chart: a path stops at them, and the chart must read the map itself.
USER_DATA_KEYS = frozenset(
    {
        "annotations",
        "labels",
        "nodeSelector",
        "podAnnotations",
        "podLabels",
        "matchLabels",
        "commonLabels",
        "additionalLabels",
        "deploymentAnnotations",
        "deploymentLabels",
        "serviceAnnotations",
        "extraLabels",
    }
)


def leaves(values: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Leaf paths of a values tree; lists, empty maps and user-data maps are leaves."""
    if isinstance(values, dict) and values and not (path and path[-1] in USER_DATA_KEYS):
        for key, value in values.items():
            yield from leaves(value, (*path, str(key)))
    else:
        yield path, values


def _prefixes(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _read_here(refs: dict[str, Any], path: str) -> bool:
    """Read by this chart's own templates: exactly, as part of a whole subtree, under a range."""
    if path in refs["values_refs"] or path in refs.get("range_targets", []):
        return True
    prefixes = _prefixes(path)
    if any(p in refs["whole_subtree"] for p in prefixes):
        return True
    # Beneath a range target the next segment is a map key, i.e. data the range hands on.
    if any(p in refs.get("range_targets", []) for p in prefixes[:-1]):
        return True
    # A map set as a leaf (empty, or user data) is read if the chart reads anything inside it.
    return any(r.startswith(path + ".") for r in refs["values_refs"])


def _subchart(chart: Chart, alias: str) -> Chart | None:
    sub = chart.refs.get("subcharts", {}).get(alias)
    if sub is None or "*" in sub["version"]:
        return None
    return load_chart(sub["chart"], sub["version"])


def _is_read(chart: Chart, path: str) -> bool:
    refs, quirks = chart.refs, chart.refs.get("quirks", {})
    defaults_key = quirks.get("defaults_key")
    if defaults_key and path.startswith(defaults_key + "."):
        # istio charts keep their defaults under this key and merge it under the user's values
        # (templates/zzz_profile.yaml), so a path beneath it means the same top-level path.
        path = path[len(defaults_key) + 1 :]
    descope = quirks.get("descope_prefix")
    # istiod/istio-cni copy everything under `pilot.`/`cni.` to the top level
    # (templates/zzy_descope_legacy.yaml): read if either spelling is read.
    if descope and path.startswith(descope + ".") and _is_read(chart, path[len(descope) + 1 :]):
        return True
    top, _, rest = path.partition(".")
    if top in chart.refs.get("subcharts", {}) and rest:
        if _read_here(refs, path):  # e.g. the dependency condition `grafana.enabled`
            return True
        sub = _subchart(chart, top)
        # Helm hands `<alias>.*` to the subchart as its own values.
        return sub is not None and _is_read(sub, rest)
    if top == "global" and _read_here(refs, path):
        return True
    if top == "global":
        # Helm copies `global` into every subchart: read if any of them reads it.
        for alias in chart.refs.get("subcharts", {}):
            sub = _subchart(chart, alias)
            if sub is not None and _is_read(sub, path):
                return True
        return False
    return _read_here(refs, path)


def _unread_items(chart: Chart, path: str, items: list[Any]) -> list[str]:
    """Per-item keys of a list the chart ranges over and reads key by key."""
    item_keys = chart.refs.get("list_item_keys", {}).get(path)
    if item_keys is None or any(p in chart.refs["whole_subtree"] for p in _prefixes(path)):
        return []
    found = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            found += [f"{path}[{i}].{key}" for key in item if key not in item_keys]
    return found


def unread_value_paths(chart: str, version: str, values: dict[str, Any]) -> list[str]:
    """Every leaf path of `values` that `chart` `version`'s templates never read.

    Raises MissingContract (with the refresh command) when the version has no stored contract.
    """
    contract = load_chart(chart, version)
    unread: list[str] = []
    for parts, value in leaves(values):
        path = ".".join(parts)
        if not path:
            continue
        if not _is_read(contract, path):
            top = parts[0]
            sub = contract.refs.get("subcharts", {}).get(top)
            unpinned = sub is not None and "*" in sub["version"]
            why = f" (subchart {sub['chart']} {sub['version']} is not pinned)" if unpinned else ""
            unread.append(path + why)
        elif isinstance(value, list):
            unread += _unread_items(contract, path, value)
    return unread


def coalesce(defaults: Any, override: Any) -> Any:
    """Helm's merge of user values onto a chart's defaults (maps merge, null deletes a key)."""
    if not isinstance(defaults, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    merged = copy.deepcopy(defaults)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = coalesce(merged.get(key), value)
    return merged


def schema_errors(chart: str, version: str, values: dict[str, Any]) -> list[str]:
    """Errors Helm would raise validating the merged values against values.schema.json."""
    try:
        contract = load_chart(chart, version)
    except MissingContract as err:
        return [str(err)]
    if contract.schema is None:
        return []
    merged = coalesce(contract.values, values)
    cls = jsonschema.validators.validator_for(contract.schema, default=jsonschema.Draft7Validator)
    errors = cls(contract.schema).iter_errors(merged)
    return sorted(f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)
