"""Refresh the stored upstream contracts from bare git snapshots of the upstream repositories.

    python -m faas.contracts.refresh chart NAME VERSION --git-dir DIR [--sub-git-dir REPO=DIR]
    python -m faas.contracts.refresh crds SOURCE --git-dir DIR
    python -m faas.contracts.refresh index REPO_URL --git-dir DIR

What each upstream is (repository, chart path, how a version maps to a git ref, which CRDs ship
with it) is recorded in contracts/sources.json; this module only reads a snapshot and writes
contracts/. See docs/contracts.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import PurePosixPath
from typing import Any

import yaml

from faas.contracts import store, upstream
from faas.contracts.templates import derive_refs


def resolve_ref(git_dir: str, entry: dict[str, Any], version: str) -> str:
    ref = entry["ref"]
    if ref == "chart-yaml-version":
        return upstream.first_commit_with_chart_version(
            git_dir, entry.get("branch", "HEAD"), entry["path"], version
        )
    return ref.format(version=version, bare=version.lstrip("v"))


def substitute(text: str, entry: dict[str, Any], version: str) -> str:
    """Placeholders a release script fills in before packaging (e.g. knative's `{{ tag }}`)."""
    for placeholder, value in entry.get("substitute", {}).items():
        text = text.replace(placeholder, value.format(version=version, bare=version.lstrip("v")))
    return text


def chart_refs(
    git_dir: str, ref: str, path: str, entry: dict[str, Any], chart: dict[str, Any]
) -> dict[str, Any]:
    files = upstream.files_under(git_dir, ref, path)
    skip = set(entry.get("skip_templates", []))
    templates = {
        f: upstream.show(git_dir, ref, f)
        for f in files
        if f.startswith(f"{path}/templates/")
        and f.rsplit(".", 1)[-1] in ("yaml", "yml", "tpl", "txt", "json")
        and PurePosixPath(f).name not in skip
    }
    refs = derive_refs(templates)
    local: list[str] = []
    dependencies = chart.get("dependencies") or []
    for dep in dependencies:
        for condition in str(dep.get("condition") or "").split(","):
            if condition.strip():  # Helm itself reads a dependency's condition path
                refs.values_refs.add(condition.strip())
        sub = f"{path}/charts/{dep['name']}"
        if not dep.get("repository") and any(f.startswith(f"{sub}/templates/") for f in files):
            local.append(dep["name"])
            sub_templates = {
                f: upstream.show(git_dir, ref, f)
                for f in files
                if f.startswith(f"{sub}/templates/")
            }
            sub_refs = derive_refs(sub_templates, prefix=dep.get("alias") or dep["name"])
            for attr in ("values_refs", "whole_subtree", "range_targets", "whole_items"):
                getattr(refs, attr).update(getattr(sub_refs, attr))
            refs.items.update(sub_refs.items)
    refs.values_refs.update(entry.get("extra_refs", []))
    data = refs.as_json()
    data["chart_yaml"] = {k: v for k, v in chart.items() if k != "annotations"}
    data["local_subcharts"] = local
    data["subcharts"] = {
        (d.get("alias") or d["name"]): {"chart": d["name"], "version": str(d.get("version"))}
        for d in dependencies
        if d.get("repository")
    }
    data["quirks"] = entry.get("quirks", {})
    data["bundled_versions"] = {
        name: sorted(
            {
                PurePosixPath(f).relative_to(where).parts[0]
                for f in upstream.files_under(git_dir, ref, where)
            }
        )
        for name, where in entry.get("bundles", {}).items()
    }
    return data


def refresh_chart(name: str, version: str, git_dir: str, sub_git_dirs: dict[str, str]) -> list[str]:
    entry = store.sources()["charts"][name]
    ref = resolve_ref(git_dir, entry, version)
    path = entry["path"]
    chart = yaml.safe_load(
        substitute(upstream.show(git_dir, ref, f"{path}/Chart.yaml"), entry, version)
    )
    where = store.chart_dir(name, version)
    where.mkdir(parents=True, exist_ok=True)
    values = substitute(upstream.show(git_dir, ref, f"{path}/values.yaml"), entry, version)
    (where / "values.yaml").write_text(values)
    copied = ["values.yaml"]
    if upstream.exists(git_dir, ref, f"{path}/values.schema.json"):
        (where / "values.schema.json").write_text(
            upstream.show(git_dir, ref, f"{path}/values.schema.json")
        )
        copied.append("values.schema.json")
    store.write_json(where / "refs.json", chart_refs(git_dir, ref, path, entry, chart))
    provenance = {"repo": entry["repo"], "path": path, **upstream.commit_of(git_dir, ref)}
    provenance["files"] = copied + [
        "refs.json (derived from templates/ by faas.contracts.templates)"
    ]
    store.write_json(where / "provenance.json", provenance)
    written = [str(where)]
    for crd in entry.get("crds", []):
        written += write_crds(git_dir, ref, crd, f"{name}@{version}", entry["repo"])
    for sub_name, sub in entry.get("subcharts", {}).items():
        dep = next((d for d in chart.get("dependencies", []) if d["name"] == sub_name), None)
        if dep is None or "*" in str(dep.get("version")):
            continue  # not pinned by the parent: nothing to store
        sub_dir = sub_git_dirs.get(sub["repo"], git_dir if sub["repo"] == entry["repo"] else None)
        if sub_dir is None:
            print(
                f"skipped subchart {sub_name}: pass --sub-git-dir {sub['repo']}=DIR",
                file=sys.stderr,
            )
            continue
        written += refresh_chart(sub_name, str(dep["version"]), sub_dir, sub_git_dirs)
    return written


def write_crds(git_dir: str, ref: str, crd: dict[str, Any], source: str, repo: str) -> list[str]:
    paths = [crd["path"]] if isinstance(crd["path"], str) else crd["path"]
    kinds = set(crd.get("kinds", []))
    written = []
    for base in paths:
        for f in upstream.files_under(git_dir, ref, base):
            if not f.endswith((".yaml", ".yml")):
                continue
            templated = "/templates/" in f
            for doc in upstream.yaml_documents(upstream.show(git_dir, ref, f), templated):
                for record in upstream.crd_versions(doc):
                    if kinds and record["kind"] not in kinds:
                        continue
                    record["source"] = {"repo": repo, "path": f, **upstream.commit_of(git_dir, ref)}
                    out = store.CRDS / store.crd_file_name(
                        record["apiVersion"], record["kind"], source
                    )
                    store.write_json(out, record)
                    written.append(str(out))
    return written


def refresh_crds(source: str, git_dir: str) -> list[str]:
    entry = store.sources()["crd_sets"][source]
    return write_crds(git_dir, entry["ref"], entry, source, entry["repo"])


def refresh_index(repo_url: str, git_dir: str) -> list[str]:
    entry = store.sources()["indexes"][repo_url]
    charts: dict[str, list[str]] = {}
    if entry["kind"] == "helm-index":
        index = yaml.safe_load(
            upstream.show(git_dir, entry["ref"], entry.get("file", "index.yaml"))
        )
        for name, releases in index["entries"].items():
            if not entry.get("charts") or name in entry["charts"]:
                charts[name] = [str(r["version"]) for r in releases]
        source = {"repo": entry["repo"], "file": entry.get("file", "index.yaml")}
        source.update(upstream.commit_of(git_dir, entry["ref"]))
    else:  # git tags of a repository that publishes a release per tag (see "evidence")
        all_tags = upstream.tags(git_dir)
        charts = {}
        patterns = entry.get("patterns") or {name: entry["pattern"] for name in entry["charts"]}
        for name, pattern in patterns.items():
            charts[name] = sorted(
                {m.group(1) for t in all_tags if (m := re.match(pattern, t))},
                key=_version_key,
                reverse=True,
            )
        source = {"repo": entry["repo"], "tags": patterns}
        source.update(upstream.commit_of(git_dir, "HEAD"))
    out = store.index_file(repo_url)
    store.write_json(
        out,
        {"repo_url": repo_url, "evidence": entry["evidence"], "source": source, "charts": charts},
    )
    return [str(out)]


def _version_key(version: str) -> list[tuple[int, object]]:
    return [(0, int(x)) if x.isdigit() else (1, x) for x in re.split(r"[.+-]", version)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m faas.contracts.refresh",
        description="Refresh contracts/ from bare git snapshots of the upstream repositories "
        "(what each upstream is: contracts/sources.json; see docs/contracts.md).",
    )
    sub = parser.add_subparsers(dest="what", required=True)
    chart = sub.add_parser("chart", help="values.yaml, values.schema.json, refs.json, its CRDs")
    chart.add_argument("name", help="key in contracts/sources.json (a chart key of the releases)")
    chart.add_argument("version", help="chart version, as pinned")
    chart.add_argument(
        "--sub-git-dir",
        action="append",
        default=[],
        metavar="OWNER/REPO=DIR",
        help="snapshot for subcharts that live in another repository",
    )
    crds = sub.add_parser("crds", help="a CRD set of contracts/sources.json crd_sets")
    crds.add_argument("source", help="e.g. knative-serving@1.23.0")
    index = sub.add_parser("index", help="published versions of a chart repository")
    index.add_argument("repo_url")
    for p in (chart, crds, index):
        p.add_argument("--git-dir", required=True, help="bare git snapshot of the upstream repo")
    args = parser.parse_args(argv)
    try:
        if args.what == "chart":
            if args.name not in store.sources()["charts"]:
                parser.error(f"{args.name}: not in contracts/sources.json charts")
            subs = dict(s.split("=", 1) for s in args.sub_git_dir)
            written = refresh_chart(args.name, args.version, args.git_dir, subs)
        elif args.what == "crds":
            written = refresh_crds(args.source, args.git_dir)
        else:
            written = refresh_index(args.repo_url, args.git_dir)
    except (RuntimeError, LookupError, KeyError) as err:
        print(f"refresh: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
