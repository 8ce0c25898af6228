"""Put `make plan`'s summary and the dev environment's figures into the README between their
markers: `make readme` (which plans the dev stacks, then runs
`python -m faas.plan.readme README.md build/plan-summary.txt build/plan`).
tests/test_docs_commands.py fails when the README quotes anything else than `make plan` prints."""

from __future__ import annotations

import json
import sys
from pathlib import Path

SUMMARY = ("<!-- plan-summary:begin -->", "<!-- plan-summary:end -->")
FIGURES = ("<!-- plan-figures:begin -->", "<!-- plan-figures:end -->")
STACKS = ("dev", "dev-blue", "dev-green")


def _between(text: str, markers: tuple[str, str], body: str) -> str:
    start, end = text.index(markers[0]) + len(markers[0]), text.index(markers[1])
    return text[:start] + "\n" + body + text[end:]


def figures(plan_dir: Path) -> str:
    """The table of the dev stacks: resources, monthly estimate, critical path, serial sum."""
    from faas import report
    from faas.report.cost import usd
    from faas.report.timings import fmt_duration
    from policies.document import step_counts

    docs = [json.loads((plan_dir / f"{s}.json").read_text()) for s in STACKS]
    rows = [
        "| stack | resources | monthly estimate | critical path of a cold `pulumi up` "
        "| serial sum |",
        "|---|---|---|---|---|",
    ]
    for doc in docs:
        rep = report.build_report(doc)
        path = rep.critical_path
        elastic = "".join(
            f" (function capacity: {usd(e.monthly_usd)} expected, up to {usd(e.ceiling_usd or 0)})"
            for e in rep.cost.elastic
        )
        rows.append(
            f"| `{doc['stack']}` | {step_counts(doc)['resources']} | {usd(rep.cost.total)}"
            f"{elastic} | {fmt_duration(path.total)} | {fmt_duration(path.serial_sum)} |"
        )
    env = report.environment_cost(docs)
    rows.append(
        f"| **dev** | | **{usd(env.total)}**; spot saves {usd(env.spot_savings)} against all "
        f"on-demand; the standby colour costs {usd(env.standby_usd)} | | |"
    )
    return "\n".join(rows) + "\n"


def update(readme: Path, summary: str, plan_dir: Path) -> None:
    text = _between(readme.read_text(), SUMMARY, "```\n" + summary.rstrip("\n") + "\n```\n")
    readme.write_text(_between(text, FIGURES, figures(plan_dir)))


if __name__ == "__main__":
    update(Path(sys.argv[1]), Path(sys.argv[2]).read_text(), Path(sys.argv[3]))
