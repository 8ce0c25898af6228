"""Checks on the pins themselves: stored contracts, publication, EKS add-on evidence."""

from __future__ import annotations

from typing import Any

from faas.contracts import store


def _pins(helm_charts: dict[str, dict[str, str]] | None) -> dict[str, dict[str, str]]:
    if helm_charts is None:
        from components import versions

        helm_charts = versions.HELM_CHARTS
    return helm_charts


def missing_contracts(helm_charts: dict[str, dict[str, str]] | None = None) -> list[str]:
    """One line per pinned chart (and pinned subchart) without a stored contract."""
    missing = []
    for name, pin in _pins(helm_charts).items():
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
    helm_charts: dict[str, dict[str, str]] | None = None,
    operator_versions: dict[str, str] | None = None,
) -> list[str]:
    """Pinned chart versions the repository index does not list, and operator-installed
    component versions (major.minor) the pinned operator chart does not bundle."""
    found = []
    pins = _pins(helm_charts)
    for name, pin in pins.items():
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
    if operator_versions is None:
        from components import versions

        operator_versions = {
            "knative-serving": versions.KNATIVE_SERVING_VERSION,
            "knative-eventing": versions.KNATIVE_EVENTING_VERSION,
        }
    operator = pins.get("knative-operator")
    if operator is not None:
        try:
            bundled = store.load_chart("knative-operator", operator["version"]).refs[
                "bundled_versions"
            ]
        except store.MissingContract:
            bundled = {}  # reported by missing_contracts
        for component, wanted in operator_versions.items():
            have = bundled.get(component, [])
            if bundled and not any(v == wanted or v.startswith(wanted + ".") for v in have):
                found.append(
                    f"{component} {wanted}: not bundled by knative-operator "
                    f"{operator['version']} (bundles {', '.join(have)})"
                )
    return found


def eks_addon_evidence(addons: dict[str, dict[str, str]] | None = None) -> list[str]:
    """Pinned EKS add-on versions without public evidence in contracts/eks/addon-versions.json."""
    if addons is None:
        from components import versions

        addons = versions.EKS_ADDONS
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
