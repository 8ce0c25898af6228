"""The Markdown review of a pull request's plans, line by line on a known change.

tests/fixtures/review/{base,head}/ hold two plans of dev-green and of dev: the head moves green to
release 2026-12 (cluster version, kube-proxy), doubles the system instance size, installs Flux,
adds a log group without retention (a mandatory finding) and drops a queue; dev then reports the
skew between blue and green.
"""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import yaml

from components.config.stackfile import DEFAULT_DIR as STACKS_DIR
from faas import report
from faas.cli import main as faas_main
from faas.plan.cli import findings
from faas.report.cost import stack_cost, usd
from faas.report.render.markdown import MARKER, StackReview, render_review
from policies import check
from tests.support.plans import document as plan  # what `faas plan --json` writes

FIXTURES = Path(__file__).parent / "fixtures" / "review"


def load(side: str, stack: str) -> dict[str, Any]:
    return json.loads((FIXTURES / side / f"{stack}.json").read_text())


def review_of(stacks: tuple[str, ...]) -> list[str]:
    items = []
    for stack in stacks:
        base, head = load("base", stack), load("head", stack)
        policy = findings(check.check_document(head))
        rep = report.build_report(head, policy, diff=report.diff_documents(base, head))
        items.append(StackReview(rep, base))
    return render_review(items).splitlines()


def test_the_cost_delta_is_the_difference_of_the_two_plans() -> None:
    base, head = stack_cost(load("base", "dev-green")), stack_cost(load("head", "dev-green"))
    assert usd(head.total) == "$357.02"
    assert usd(head.total - base.total) == "$140.66"  # two system nodes, m6i.large -> xlarge


def test_review_of_a_known_change_line_by_line() -> None:
    assert review_of(("dev", "dev-green")) == [
        MARKER,
        "## faas plan: 2 stack(s), 1 with changes",
        "",
        "| stack | changes | cost / month | policy | release |",
        "|---|---|---|---|---|",
        "| `dev` | no changes | $0.50 (+$0.00) | pass (1 advisory) | "
        "blue 2026-11, green 2026-12; skew in 3 piece(s) |",
        "| `dev-green` | 2 to add, 1 to remove, 3 to change | $357.02 (+$140.66) | "
        "FAIL (1 mandatory) | 2026-12 (base 2026-11) |",
        "",
        "### `dev`: no changes",
        "",
        "Cost: $0.50 (+$0.00) per month (us-east-1 list prices)",
        "Policy: pass (1 advisory)",
        "- **advisory** `route53-query-logging` faas-dev-env-zone: "
        "public zone faas-dev-env-zone has no query log",
        "Release skew: blue 2026-11 (Kubernetes 1.34), green 2026-12 (Kubernetes 1.35); "
        "skew in 3 piece(s):",
        "- release: blue 2026-11, green 2026-12",
        "- kubernetes: blue 1.34, green 1.35",
        "- addons.kube-proxy: blue v1.34.1-eksbuild.2, green v1.35.3-eksbuild.2",
        "",
        "### `dev-green`: 2 to add, 1 to remove, 3 to change",
        "",
        "Against the base branch's plan, by input path:",
        "",
        "- `+` `aws:cloudwatch/logGroup:LogGroup` **faas-dev-green-audit**",
        "- `+` `kubernetes:helm.sh/v3:Release` **flux**",
        "- `-` `aws:sqs/queue:Queue` **faas-dev-green-events**",
        "- `~` `aws:eks/addon:Addon` **faas-dev-green-kube-proxy**",
        '  - `addonVersion`: "v1.34.1-eksbuild.2" → "v1.35.3-eksbuild.2"',
        "- `~` `aws:eks/cluster:Cluster` **faas-dev-green**",
        '  - `version`: "1.34" → "1.35"',
        "- `~` `aws:eks/nodeGroup:NodeGroup` **faas-dev-green-system**",
        '  - `instanceTypes[0]`: "m6i.large" → "m6i.xlarge"',
        "",
        "Cost: $357.02 (+$140.66) per month (us-east-1 list prices)",
        "Policy: FAIL (1 mandatory)",
        "- **mandatory** `log-group-retention-set` faas-dev-green-audit: "
        "retentionInDays is unset (never expire)",
        "Release: 2026-12 (base 2026-11)",
    ]


def test_a_stack_without_a_base_plan_is_all_new_and_pipes_are_escaped() -> None:
    head = load("head", "dev-green")
    head["outputs"]["release"] = "2026|12"
    rep = report.build_report(head, None)
    lines = render_review([StackReview(rep, None)]).splitlines()
    row = "| `dev-green` | 5 resources to create (no base plan) | $357.02 | not run | 2026\\|12 |"
    assert lines[5] == row  # 7 steps: 5 resources and 2 components
    assert "Against the base branch's plan" not in "\n".join(lines)


def test_faas_plan_writes_the_review(tmp_path: Path) -> None:
    """`faas plan --base-dir DIR --review FILE`: the real plan of dev-green on another release,
    against the shipped plan saved as the base branch's."""
    stacks, base_dir = tmp_path / "stacks", tmp_path / "base"
    shutil.copytree(STACKS_DIR, stacks)
    base_dir.mkdir()
    (base_dir / "dev-green.json").write_text(json.dumps(plan("dev-green")))
    green = stacks / "Pulumi.dev-green.yaml"
    data = yaml.safe_load(green.read_text())
    data["config"]["faas:release"] = "2026-12"
    green.write_text(yaml.safe_dump(data))
    out_md = tmp_path / "review.md"
    argv = ["plan", "dev-green", "--stacks-dir", str(stacks), "--base-dir", str(base_dir),
            "--review", str(out_md), "--out", "-"]  # fmt: skip
    with redirect_stdout(io.StringIO()) as out:
        assert faas_main(argv) == 0
    assert f"review: {out_md}" in out.getvalue()
    text = out_md.read_text().splitlines()
    assert "### `dev-green`: 6 to change" in text
    assert '  - `version`: "1.34" → "1.35"' in text
    assert "Release: 2026-12 (base 2026-11)" in text
