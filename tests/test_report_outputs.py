"""The per-stack outputs: summary text, the HTML page, and the files written for `make plan`."""

from __future__ import annotations

import json
from pathlib import Path

from faas.report import build_report, diff_documents, format_summary, write_outputs
from faas.report.render import report_html

FIXTURES = Path(__file__).parent / "fixtures" / "report"
FINDINGS = [
    {
        "rule": "eks-public-endpoint-restricted",
        "level": "mandatory",
        "resource": "urn:pulumi:dev-blue::faas-platform::aws:eks/cluster:Cluster::cluster",
        "message": "publicAccessCidrs contains <0.0.0.0/0>",
    },
    {"rule": "tags", "level": "advisory", "resource": None, "message": "missing CostCenter"},
]


def load() -> dict:
    return json.loads((FIXTURES / "small-blue.json").read_text())


def test_summary_lists_kinds_policy_cost_and_path() -> None:
    text = format_summary(build_report(load()))
    assert text.splitlines()[0] == "dev-blue (eu-west-1): 16 resources in 3 components"
    assert "ec2/Subnet 2, eks/NodeGroup 2, lb/LoadBalancer 2" in text
    assert "policy: not run" in text
    assert "cost: $395.01/month (us-east-1 list prices); spot saves $126.14" in text
    assert "not priced (1): aws:dynamodb/table:Table" in text
    assert "critical path: 13m15s (serial sum 22m44s): vpc (5s) -> subnet-a (10s)" in text


def test_policy_verdict_blocks_on_mandatory_findings_only() -> None:
    assert "policy: FAIL (1 advisory, 1 mandatory)" in format_summary(
        build_report(load(), FINDINGS)
    )
    advisory = {"violations": FINDINGS[1:], "summary": {"rules": 12}}
    assert "policy: pass (1 advisory)" in format_summary(build_report(load(), advisory))
    deferred = [dict(FINDINGS[0], deferred=True)]
    assert "policy: pass (1 deferred)" in format_summary(build_report(load(), deferred))


def test_html_embeds_picture_policy_cost_path_and_tree_escaped() -> None:
    page = report_html(build_report(load(), {"violations": FINDINGS, "summary": "2 findings"}))
    assert page.startswith("<!DOCTYPE html>") and "<svg " in page
    assert "publicAccessCidrs contains &lt;0.0.0.0/0&gt;" in page
    assert "<0.0.0.0/0>" not in page
    assert "$395.01" in page and "not priced" in page and "eu-west-1" in page
    assert "13m15s" in page and "22m44s" in page
    assert 'class="tree"' in page and "aws:ec2/natGateway:NatGateway" in page
    assert "http" not in page.split("<svg", 1)[0].split("<body>", 1)[0]  # nothing fetched


def test_html_says_not_run_without_policy_results() -> None:
    assert "Policy check: <b>not run</b>" in report_html(build_report(load()))


def test_html_shows_the_diff_when_given_one() -> None:
    old, new = load(), load()
    new["steps"] = new["steps"][:-1]
    page = report_html(build_report(new, diff=diff_documents(old, new)))
    assert (
        "Changes against the previous plan" in page and "- aws:dynamodb/table:Table  events" in page
    )


def test_write_outputs_writes_json_svg_html(tmp_path: Path) -> None:
    doc = load()
    paths = write_outputs(build_report(doc), tmp_path / "build" / "plan")
    assert {p.name for p in paths.values()} == {
        "dev-blue.json",
        "dev-blue.svg",
        "dev-blue.html",
        "dev-blue.critical-path.svg",
    }
    assert json.loads(paths["json"].read_text()) == doc
    assert paths["svg"].read_text().startswith("<svg ")
