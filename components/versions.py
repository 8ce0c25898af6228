"""Every pinned version of what runs in the clusters, as a catalogue of releases.

A *release* is one known-good set: a Kubernetes minor, the EKS add-on versions built for it, the
Helm chart versions and the Knative version the operator installs. A cluster stack names the one it
runs (`faas:release: 2026-11`, read in components/config/release.py), so blue and green upgrade one
at a time: add a release here, point the idle colour at it, plan (only that colour changes), deploy,
cut over. This module is the only place versions are written (docs/design.md, "pinned versions in
one place"); Python packages are pinned in pyproject.toml.

EKS add-on versions are the `eksbuild` strings AWS publishes per Kubernetes minor
(`aws eks describe-addon-versions --kubernetes-version 1.34 --addon-name NAME`); the public
evidence for each is in contracts/eks/addon-versions.json. `release_problems` says when the pieces
of a release do not belong together; the config refuses such a release under `faas:release`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Minors in EKS standard support that this project has been planned against. checkov CKV_AWS_339
# accepts 1.29..1.35; we stay on the newest three so a colour can always be rebuilt one minor up.
SUPPORTED_KUBERNETES_VERSIONS = ("1.33", "1.34", "1.35")

# Managed add-ons every cluster runs. coredns and ebs-csi need nodes, so the platform creates them
# after the node groups (components/platform.py).
REQUIRED_ADDONS = (
    "vpc-cni",
    "kube-proxy",
    "coredns",
    "aws-ebs-csi-driver",
    "eks-pod-identity-agent",
)

ADDONS_1_34: dict[str, str] = {
    "vpc-cni": "v1.20.4-eksbuild.2",
    "kube-proxy": "v1.34.1-eksbuild.2",
    "coredns": "v1.12.4-eksbuild.1",
    "aws-ebs-csi-driver": "v1.51.1-eksbuild.1",
    "eks-pod-identity-agent": "v1.3.9-eksbuild.3",
}
ADDONS_1_35: dict[str, str] = {
    "vpc-cni": "v1.21.1-eksbuild.1",
    "kube-proxy": "v1.35.3-eksbuild.2",
    "coredns": "v1.13.1-eksbuild.1",
    "aws-ebs-csi-driver": "v1.53.0-eksbuild.1",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.1",
}

# Helm charts (serving stack and GitOps). Repository URLs sit beside the versions so a chart can
# never be pulled from somewhere other than where it was reviewed. A later release that changes a
# chart writes `{**CHARTS_2026_11, "istiod": {...}}`.
CHARTS_2026_11: dict[str, dict[str, str]] = {
    "istio-base": {
        "repo": "https://istio-release.storage.googleapis.com/charts",
        "chart": "base",
        "version": "1.30.1",
    },
    "istiod": {
        "repo": "https://istio-release.storage.googleapis.com/charts",
        "chart": "istiod",
        "version": "1.30.1",
    },
    "istio-cni": {
        "repo": "https://istio-release.storage.googleapis.com/charts",
        "chart": "cni",
        "version": "1.30.1",
    },
    "istio-gateway": {
        "repo": "https://istio-release.storage.googleapis.com/charts",
        "chart": "gateway",
        "version": "1.30.1",
    },
    "aws-load-balancer-controller": {
        "repo": "https://aws.github.io/eks-charts",
        "chart": "aws-load-balancer-controller",
        "version": "1.17.1",
    },
    "knative-operator": {
        "repo": "https://knative.github.io/operator",
        "chart": "knative-operator",
        "version": "v1.23.0",
    },
    # Flux 2.8.5 (source-controller v1.8.2, kustomize-controller v1.8.3): functions from Git,
    # components/gitops/ and README "Functions from Git".
    "flux2": {
        "repo": "https://fluxcd-community.github.io/helm-charts",
        "chart": "flux2",
        "version": "2.18.3",
    },
    "kube-prometheus-stack": {
        "repo": "https://prometheus-community.github.io/helm-charts",
        "chart": "kube-prometheus-stack",
        "version": "86.2.0",
    },
    "opentelemetry-collector": {
        "repo": "https://open-telemetry.github.io/opentelemetry-helm-charts",
        "chart": "opentelemetry-collector",
        "version": "0.139.1",
    },
    "aws-for-fluent-bit": {
        "repo": "https://aws.github.io/eks-charts",
        "chart": "aws-for-fluent-bit",
        "version": "0.2.0",
    },
    # An OCI repository: Helm pulls `<repo>/<chart>` (components/serving/helm.py). The CRDs come
    # as their own chart so a Karpenter upgrade upgrades them too (Helm never upgrades a chart's
    # crds/ directory); keep both at the same version.
    "karpenter": {
        "repo": "oci://public.ecr.aws/karpenter",
        "chart": "karpenter",
        "version": "1.14.1",
    },
    "karpenter-crd": {
        "repo": "oci://public.ecr.aws/karpenter",
        "chart": "karpenter-crd",
        "version": "1.14.1",
    },
}

# Chart keys the program installs (components/serving, components/gitops): every release pins each.
REQUIRED_CHARTS = (
    "istio-base",
    "istiod",
    "istio-cni",
    "istio-gateway",
    "aws-load-balancer-controller",
    "knative-operator",
    "flux2",
    "kube-prometheus-stack",
    "opentelemetry-collector",
    "aws-for-fluent-bit",
    "karpenter",
    "karpenter-crd",
)
# Charts of one upstream project that are released together and must not be mixed.
CHART_FAMILIES = {
    "istio": ("istio-base", "istiod", "istio-cni", "istio-gateway"),
    "karpenter": ("karpenter", "karpenter-crd"),
}


@dataclass(frozen=True)
class Release:
    """One known-good version set; a cluster stack runs exactly one (`faas:release`)."""

    name: str
    """The catalogue key, e.g. `2026-11`; what `faas:release` names."""
    kubernetes: str
    """The EKS Kubernetes minor, e.g. `1.34`."""
    addons: Mapping[str, str] = field(default_factory=dict)
    """EKS add-on name -> version built for `kubernetes`."""
    charts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Chart key -> {repo, chart, version}; `serving.helm.pinned_release` installs them."""
    knative: str = ""
    """Knative Serving and Eventing major.minor the operator installs (`spec.version`); the
    operator chart fixes which patch that is."""

    def chart(self, key: str) -> Mapping[str, str]:
        return self.charts[key]

    def summary(self) -> dict[str, object]:
        """What a colour stack exports (`release_versions`) and the environment compares."""
        return {
            "kubernetes": self.kubernetes,
            "knative": self.knative,
            "addons": dict(sorted(self.addons.items())),
            "charts": {k: str(p["version"]) for k, p in sorted(self.charts.items())},
        }


RELEASES: dict[str, Release] = {
    "2026-11": Release(
        name="2026-11",
        kubernetes="1.34",
        addons=ADDONS_1_34,
        charts=CHARTS_2026_11,
        knative="1.23",
    ),
    "2026-12": Release(
        name="2026-12",
        kubernetes="1.35",
        addons=ADDONS_1_35,
        charts=CHARTS_2026_11,
        knative="1.23",
    ),
}

# The platform's smoke function (components/serving/smoke.py): a static "ok" responder. Not part
# of a release: it is the cutover's probe target and must answer the same on both colours.
KNATIVE_SMOKE_IMAGE = "hashicorp/http-echo:1.0.0"

# Amazon Linux 2023 is the EKS-optimised AMI family for managed node groups from 1.33 on.
NODE_AMI_TYPE = "AL2023_x86_64_STANDARD"
# The same family for Karpenter's function nodes (EC2NodeClass `amiSelectorTerms[].alias`):
# `latest` follows the EKS-optimised AL2023 releases for the cluster's minor, and Karpenter
# replaces drifted nodes within the NodePool's disruption budget. Freeze a colour with
# `al2023@vYYYYMMDD` when an AMI release must be held back.
KARPENTER_NODE_AMI_ALIAS = "al2023@latest"


def _minor(version: str) -> str:
    """`v1.34.1-eksbuild.2` -> `1.34`; `v1.23.0` -> `1.23`; `1.23` -> `1.23`."""
    parts = version.lstrip("v").split("-", 1)[0].split(".")
    return ".".join(parts[:2])


def _minor_key(minor: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in minor.split("."))
    except ValueError:
        return ()


def release_problems(release: Release) -> list[str]:
    """Why the pieces of `release` do not belong together, or miss one (empty: they do not)."""
    found = []
    if release.kubernetes not in SUPPORTED_KUBERNETES_VERSIONS:
        found.append(
            f"Kubernetes {release.kubernetes!r} is not a supported minor "
            f"({', '.join(SUPPORTED_KUBERNETES_VERSIONS)})"
        )
    missing = [a for a in REQUIRED_ADDONS if a not in release.addons]
    if missing:
        found.append(f"no version for the add-on(s) {', '.join(missing)}")
    # kube-proxy is built per Kubernetes minor (its version is the minor's patch release): one
    # from another minor is the typical copy-paste slip when a release is added.
    proxy = release.addons.get("kube-proxy", "")
    if proxy and _minor(proxy) != release.kubernetes:
        found.append(
            f"add-on kube-proxy {proxy} is built for Kubernetes {_minor(proxy)}, "
            f"not {release.kubernetes}"
        )
    absent = [c for c in REQUIRED_CHARTS if c not in release.charts]
    if absent:
        found.append(f"no chart pin for {', '.join(absent)}")
    for key, pin in release.charts.items():
        fields = ("repo", "chart", "version")
        if not all(isinstance(pin.get(k), str) and pin.get(k) for k in fields):
            found.append(f"chart {key}: needs repo, chart and version")
    for family, keys in CHART_FAMILIES.items():
        got = {k: release.charts[k]["version"] for k in keys if k in release.charts}
        if len(set(got.values())) > 1:
            mixed = ", ".join(f"{k} {v}" for k, v in got.items())
            found.append(f"{family} charts are released together but pin {mixed}")
    operator = release.charts.get("knative-operator", {}).get("version", "")
    if operator and _minor_key(release.knative) > _minor_key(_minor(operator)):
        found.append(
            f"Knative {release.knative} is newer than the knative-operator chart {operator} "
            "that installs it"
        )
    if not release.knative:
        found.append("no Knative version")
    return found


def all_chart_pins() -> list[tuple[str, Mapping[str, str]]]:
    """Every (chart key, pin) of every release, each distinct version once (for the contracts)."""
    seen: dict[tuple[str, str], Mapping[str, str]] = {}
    for release in RELEASES.values():
        for key, pin in release.charts.items():
            seen.setdefault((key, str(pin["version"])), pin)
    return [(key, pin) for (key, _), pin in sorted(seen.items())]


def skew(summaries: Mapping[str, Mapping[str, object]]) -> list[dict[str, object]]:
    """Where colours run different versions: one entry per differing piece, e.g.
    `{"piece": "kubernetes", "blue": "1.34", "green": "1.35"}` (`summaries`: colour ->
    `Release.summary()` with the release name under `release`). Empty: no skew."""
    pieces: dict[str, dict[str, object]] = {}
    for color, summary in summaries.items():
        flat = {"release": summary.get("release"), "kubernetes": summary.get("kubernetes")}
        flat["knative"] = summary.get("knative")
        for group in ("addons", "charts"):
            for key, version in dict(summary.get(group) or {}).items():  # type: ignore[call-overload]
                flat[f"{group}.{key}"] = version
        for piece, version in flat.items():
            pieces.setdefault(piece, {})[color] = version
    colors = list(summaries)
    out = []
    for piece, by_color in pieces.items():
        values = [by_color.get(c) for c in colors]
        if len(set(map(str, values))) > 1:
            out.append({"piece": piece, **{c: by_color.get(c) for c in colors}})
    return out
