"""Deriving a chart's value reads from its templates, and refreshing contracts from a snapshot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from faas.contracts import refresh, store
from faas.contracts.templates import derive_refs

ROOT = Path(__file__).resolve().parents[1]

TEMPLATES = {
    "_helpers.tpl": """
{{- define "scrape" -}}
{{- with .interval }}interval: {{ . }}{{ end }}
{{- end -}}
""",
    "deployment.yaml": """
replicas: {{ .Values.replicaCount }}
{{- with .Values.serviceAccount }}
name: {{ .name }}{{ if .create }}x{{ end }}
{{- end }}
{{- with .Values.podAnnotations }}
annotations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- range .Values.monitors }}
- name: {{ .name }}
  {{- include "scrape" . }}
{{- end }}
{{- range $k, $v := .Values.env }}
- {{ $k }}={{ $v }}
{{- end }}
{{- $cfg := .Values.config }}
port: {{ $cfg.port }}
{{ $picked := pick .Values "mesh" }}
image: {{ index .Values "image-repo" "name" }}
mem: {{ (((.Values.resources).limits).memory) }}
{{/* .Values.commented.out is not read */}}
""",
}


def test_template_reads_are_derived() -> None:
    refs = derive_refs(TEMPLATES).as_json()
    assert {
        "replicaCount",
        "serviceAccount.name",
        "serviceAccount.create",
        "config.port",
        "image-repo.name",
        "resources.limits.memory",
    } <= set(refs["values_refs"])
    assert "commented.out" not in refs["values_refs"]
    assert {"podAnnotations", "mesh"} <= set(refs["whole_subtree"])
    assert "serviceAccount" not in refs["whole_subtree"]  # followed key by key
    assert refs["range_targets"] == ["env", "monitors"]
    # The item is handed to a helper, whose reads through the dot are followed.
    assert refs["list_item_keys"]["monitors"] == ["interval", "name"]


def test_help_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "faas.contracts.refresh", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "chart" in done.stdout and "index" in done.stdout and "crds" in done.stdout


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    """A bare snapshot of a one-chart repository tagged demo-1.0.0."""
    work = tmp_path / "work"
    chart = work / "charts" / "demo"
    (chart / "templates").mkdir(parents=True)
    (chart / "crds").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicaCount: 1\nnodeSelector: {}\n")
    (chart / "templates" / "deploy.yaml").write_text(
        "replicas: {{ .Values.replicaCount }}\n{{ toYaml .Values.nodeSelector }}\n"
    )
    (chart / "crds" / "widgets.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: widgets.example.com}\n"
        "spec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n"
        "  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n"
        "    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n"
        "          spec: {type: object, properties: {size: {type: integer}}}\n"
    )
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "c")
    git(work, "tag", "demo-1.0.0")
    bare = tmp_path / "demo.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


def test_refresh_writes_a_chart_contract_from_a_snapshot(
    snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "contracts"
    monkeypatch.setattr(store, "ROOT", out)
    monkeypatch.setattr(store, "CHARTS", out / "charts")
    monkeypatch.setattr(store, "CRDS", out / "crds")
    entry = {
        "repo": "example/demo",
        "path": "charts/demo",
        "ref": "demo-{version}",
        "crds": [{"path": "charts/demo/crds"}],
    }
    monkeypatch.setattr(store, "sources", lambda: {"charts": {"demo": entry}})
    assert refresh.main(["chart", "demo", "1.0.0", "--git-dir", str(snapshot)]) == 0
    where = out / "charts" / "demo@1.0.0"
    refs = json.loads((where / "refs.json").read_text())
    assert refs["values_refs"] == ["nodeSelector", "replicaCount"]
    assert refs["whole_subtree"] == ["nodeSelector"]
    provenance = json.loads((where / "provenance.json").read_text())
    assert provenance["repo"] == "example/demo" and provenance["ref"] == "demo-1.0.0"
    crd = json.loads((out / "crds" / "example.com_v1_Widget@demo@1.0.0.json").read_text())
    assert crd["openAPIV3Schema"]["properties"]["spec"]["properties"]["size"] == {"type": "integer"}
    # A version the snapshot does not have is refused (exit 2), nothing written.
    assert refresh.main(["chart", "demo", "2.0.0", "--git-dir", str(snapshot)]) == 2
    assert not (out / "charts" / "demo@2.0.0").exists()
