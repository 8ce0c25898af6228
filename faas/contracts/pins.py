"""Checks on the pins themselves: stored contracts, publication, EKS add-on evidence.

Without arguments each check covers every release of the catalogue (components/versions.py):
every chart version, every Knative version and every add-on set any release pins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faas.contracts import store


def _pins(
    helm_charts: Mapping[str, Mapping[str, str]] | None,
) -> list[tuple[str, Mapping[str, str]]]:
    """(chart key, pin) pairs: the given ones, or every distinct pin of every release."""
    if helm_charts is None:
        from components import versions

        return versions.all_chart_pins()
    return list(helm_charts.items())


def missing_contracts(helm_charts: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """One line per pinned chart (and pinned subchart) without a stored contract."""
    missing = []
    for name, pin in _pins(helm_charts):
        try:
            chart = store.load_chart(name, pin["version"])
        except store.MissingContract as err:
            missing.append(str(err))
            continue
        for sub in chart.refs.get("subcharts", {}).values():
            if "*" in sub["version"]:
                continue  # the parent does not pin it, so it has no contract to check against
            try:
                store.load_chart(sub["chart"], sub["version"])
            except store.MissingContract as err:
                missing.append(f"subchart of {name}: {err}")
    return missing


def unpublished_pins(
    helm_charts: Mapping[str, Mapping[str, str]] | None = None,
    operator_versions: dict[str, str] | None = None,
) -> list[str]:
    """Pinned chart versions the repository index does not list, and operator-installed
    component versions (major.minor) the pinned operator chart does not bundle.

    `operator_versions` (component -> major.minor) is checked against every pinned operator
    chart; by default each release's Knative version against its own operator chart."""
    found = []
    pins = _pins(helm_charts)
    for name, pin in pins:
        try:
            ok = store.published(pin["repo"], pin["chart"], pin["version"])
        except store.MissingContract as err:
            found.append(f"{name}: {err}")
            continue
        if not ok:
            newest = store.load_index(pin["repo"])["charts"].get(pin["chart"], [])[:3]
            found.append(
                f"{name}: {pin['chart']} {pin['version']} is not in the index of {pin['repo']} "
                f"(newest listed: {', '.join(newest) or 'none'})"
            )
    pairs: list[tuple[Mapping[str, str], dict[str, str]]] = []
    if operator_versions is not None:
        pairs = [(pin, operator_versions) for name, pin in pins if name == "knative-operator"]
    elif helm_charts is None:
        from components import versions

        for release in versions.RELEASES.values():
            wanted = {"knative-serving": release.knative, "knative-eventing": release.knative}
            pairs.append((release.chart("knative-operator"), wanted))
    seen = set()
    for operator, wanted_versions in pairs:
        try:
            bundled = store.load_chart("knative-operator", operator["version"]).refs[
                "bundled_versions"
            ]
        except store.MissingContract:
            bundled = {}  # reported by missing_contracts
        for component, wanted in wanted_versions.items():
            have = bundled.get(component, [])
            if bundled and not any(v == wanted or v.startswith(wanted + ".") for v in have):
                line = (
                    f"{component} {wanted}: not bundled by knative-operator "
                    f"{operator['version']} (bundles {', '.join(have)})"
                )
                if line not in seen:
                    seen.add(line)
                    found.append(line)
    return found


def eks_addon_evidence(addons: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """Pinned EKS add-on versions without public evidence in contracts/eks/addon-versions.json
    for the Kubernetes minor they are pinned with (`addons`: minor -> add-on -> version; default:
    every release's add-ons under its own minor)."""
    if addons is None:
        from components import versions

        merged: dict[str, dict[str, str]] = {}
        for release in versions.RELEASES.values():
            merged.setdefault(release.kubernetes, {}).update(release.addons)
        addons = merged
    evidence: dict[str, Any] = store.read_json(store.EKS_ADDONS)
    problems = []
    for minor, pins in addons.items():
        for addon, version in pins.items():
            record = evidence.get(minor, {}).get(addon, {}).get(version)
            if record is None:
                problems.append(f"{minor} {addon} {version}: no evidence recorded")
            elif record["status"] not in ("confirmed", "exists"):
                problems.append(f"{minor} {addon} {version}: {record['status']}")
    return problems
