"""Where the stored contracts live and how they are loaded (see docs/contracts.md)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2] / "contracts"
CHARTS = ROOT / "charts"
CRDS = ROOT / "crds"
INDEXES = ROOT / "indexes"
EKS_ADDONS = ROOT / "eks" / "addon-versions.json"
SOURCES = ROOT / "sources.json"


class MissingContract(LookupError):
    """A pinned version has no stored contract; the message says how to fetch it."""


@dataclass(frozen=True)
class Chart:
    name: str
    version: str
    values: dict[str, Any]
    refs: dict[str, Any]
    schema: dict[str, Any] | None
    provenance: dict[str, Any]


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


@cache
def sources() -> dict[str, Any]:
    return read_json(SOURCES)


def chart_dir(name: str, version: str) -> Path:
    return CHARTS / f"{name}@{version}"


def contract_name(name: str) -> str:
    """Accept a chart key of the release catalogue or the upstream chart name it pins."""
    from components import versions

    pins = versions.all_chart_pins()
    if name in dict(pins) or name in sources()["charts"]:
        return name
    for key, pin in pins:
        if pin["chart"] == name:
            return key
    return name


def refresh_command(name: str, version: str) -> str:
    entry = sources()["charts"].get(name, {})
    repo = entry.get("repo", "<owner>/<repo>")
    return (
        f"python -m faas.contracts.refresh chart {name} {version} "
        f"--git-dir <bare snapshot of github.com/{repo}>"
    )


@cache
def load_chart(name: str, version: str) -> Chart:
    name = contract_name(name)
    where = chart_dir(name, version)
    if not (where / "refs.json").exists():
        raise MissingContract(
            f"no contract for chart {name} {version} in {where.relative_to(ROOT.parent)}; "
            f"fetch it with: {refresh_command(name, version)}"
        )
    schema_file = where / "values.schema.json"
    return Chart(
        name=name,
        version=version,
        values=yaml.safe_load((where / "values.yaml").read_text()) or {},
        refs=read_json(where / "refs.json"),
        schema=read_json(schema_file) if schema_file.exists() else None,
        provenance=read_json(where / "provenance.json"),
    )


def crd_file_name(api_version: str, kind: str, source: str) -> str:
    group, _, version = api_version.rpartition("/")
    return f"{group}_{version}_{kind}@{source}.json"


@cache
def crd_index() -> dict[tuple[str, str], list[Path]]:
    """(apiVersion, kind) -> stored CRD schema files (one per source that ships it)."""
    found: dict[tuple[str, str], list[Path]] = {}
    for path in sorted(CRDS.glob("*.json")):
        m = re.match(r"^(.+?)_([^_]+)_([^_@]+)@", path.name)
        if m:
            found.setdefault((f"{m.group(1)}/{m.group(2)}", m.group(3)), []).append(path)
    return found


@cache
def load_crd(path: Path) -> dict[str, Any]:
    return read_json(path)


def index_file(repo_url: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", re.sub(r"^[a-z]+://", "", repo_url)).strip("_")
    return INDEXES / f"{slug}.json"


@cache
def load_index(repo_url: str) -> dict[str, Any]:
    path = index_file(repo_url.rstrip("/"))
    if not path.exists():
        raise MissingContract(
            f"no index for {repo_url} ({path.relative_to(ROOT.parent)}); fetch it with: "
            f"python -m faas.contracts.refresh index {repo_url} --git-dir <bare snapshot>"
        )
    return read_json(path)


def published(repo_url: str, chart: str, version: str) -> bool:
    """Whether `chart` `version` is listed by the stored index of the chart repository."""
    return version in load_index(repo_url)["charts"].get(chart, [])
