"""Reading upstream files out of a bare git snapshot (no work tree, no network).

Every function takes the snapshot's git directory; `refresh.py` composes them into contracts.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
from typing import Any

import yaml

# Lines that are only template actions (`{{- if .Values.installCRDs }}`, `{{- end }}`): dropping
# them turns a chart's CRD template into the YAML it installs (labels quoted as strings stay).
ACTION_LINE = re.compile(r"^\s*\{\{.*\}\}\s*$")


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads a bare `=` as the string it is (prometheus-operator CRD enums)."""


_Loader.add_constructor(
    "tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node)
)


def git(git_dir: str, *args: str) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def commit_of(git_dir: str, ref: str) -> dict[str, str]:
    sha, date = git(git_dir, "log", "-1", "--format=%H %cs", ref).split()
    return {"ref": ref, "commit": sha, "date": date}


def files_under(git_dir: str, ref: str, path: str) -> list[str]:
    out = git(git_dir, "ls-tree", "-r", "--name-only", ref, "--", path)
    return [line for line in out.splitlines() if line]


def show(git_dir: str, ref: str, path: str) -> str:
    """A file's text at ref; a symbolic link is followed (helm packages the file it points to)."""
    entry = git(git_dir, "ls-tree", ref, "--", path).split()
    if entry and entry[0] == "120000":
        target = git(git_dir, "show", f"{ref}:{path}").strip()
        path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    return git(git_dir, "show", f"{ref}:{path}")


def exists(git_dir: str, ref: str, path: str) -> bool:
    try:
        git(git_dir, "cat-file", "-e", f"{ref}:{path}")
    except RuntimeError:
        return False
    return True


def tags(git_dir: str) -> list[str]:
    return git(git_dir, "tag").split()


def first_commit_with_chart_version(git_dir: str, branch: str, path: str, version: str) -> str:
    """The commit that set `path/Chart.yaml` to `version` (what a chart-releaser published).

    Repositories such as aws/eks-charts tag nothing per chart: their CI packages a chart when a
    push changes its Chart.yaml version, so the first commit carrying the version is the release.
    """
    log = git(git_dir, "log", "--reverse", "--format=%H", branch, "--", f"{path}/Chart.yaml")
    for sha in log.split():
        try:
            chart = yaml.safe_load(show(git_dir, sha, f"{path}/Chart.yaml"))
        except (RuntimeError, yaml.YAMLError):
            continue
        if str((chart or {}).get("version")) == version:
            return sha
    raise LookupError(f"no commit on {branch} sets {path}/Chart.yaml version to {version}")


def yaml_documents(text: str, templated: bool = False) -> list[Any]:
    if templated:
        text = "\n".join(line for line in text.splitlines() if not ACTION_LINE.match(line))
    return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc]


def crd_versions(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per served version of a CustomResourceDefinition (apiextensions.k8s.io/v1)."""
    if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
        return []
    spec = doc["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    records = []
    for version in spec.get("versions", []):
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if schema is None:
            continue
        records.append(
            {
                "apiVersion": f"{group}/{version['name']}",
                "kind": kind,
                "scope": spec.get("scope"),
                "served": version.get("served", True),
                "storage": version.get("storage", False),
                "deprecated": version.get("deprecated", False),
                "openAPIV3Schema": strip_descriptions(schema),
            }
        )
    return records


def strip_descriptions(node: Any) -> Any:
    """Descriptions are prose, not contract: dropped to keep the stored schemas small."""
    if isinstance(node, dict):
        return {
            k: strip_descriptions(v)
            for k, v in node.items()
            if not (k == "description" and isinstance(v, str))
        }
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node
