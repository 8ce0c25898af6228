"""The run's report: build/mutation/report.json (everything) and report.md (for people).

Score of a group = killed / (sampled - equivalent), in %. Killed counts a failing test, a
timeout and a mutant whose module no longer imports (pytest's collection error); equivalent
mutants (mutation/equivalent.toml, each with its reason) are listed but not counted.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

KILLED = ("killed", "timeout", "error")


@dataclass
class Result:
    id: str
    group: str
    path: str
    line: int
    operator: str
    before: str
    after: str
    status: str  # killed | timeout | error | survived | equivalent
    killed_by: str = ""
    seconds: float = 0.0
    diff: str = ""
    reason: str = ""  # for an equivalent mutant


@dataclass
class GroupScore:
    name: str
    about: str
    files: list[str]
    tests: list[str]
    population: int
    sampled: int
    killed: int = 0
    survived: int = 0
    equivalent: int = 0
    gate: float | None = None
    baseline_s: float = 0.0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        counted = self.sampled - self.equivalent
        return round(100.0 * self.killed / counted, 1) if counted else None

    @property
    def passed(self) -> bool:
        return self.gate is None or (self.score is not None and self.score >= self.gate)


def load_equivalents(path: Path) -> dict[str, str]:
    """`<path>:<digest>` -> reason, from the hand-kept list (line numbers may move)."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text())
    out = {}
    for entry in data.get("mutant", []):
        file, _, rest = entry["id"].partition(":")
        out[f"{file}:{rest.rsplit(':', 1)[-1]}"] = entry["reason"]
    return out


def equivalence_key(mutant_id: str) -> str:
    file, _, rest = mutant_id.partition(":")
    return f"{file}:{rest.rsplit(':', 1)[-1]}"


def write(out: Path, meta: dict[str, Any], groups: list[GroupScore], results: list[Result]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    doc = {
        **meta,
        "groups": [
            {**asdict(g), "score": g.score, "passed": g.passed} for g in groups
        ],  # fmt: skip
        "mutants": [asdict(r) for r in results],
    }
    (out / "report.json").write_text(json.dumps(doc, indent=2) + "\n")
    (out / "report.md").write_text(markdown(meta, groups, results))


def markdown(meta: dict[str, Any], groups: list[GroupScore], results: list[Result]) -> str:
    lines = [
        "# Mutation testing report",
        "",
        f"Seed {meta['seed']}, runner `{meta['runner']}`, {meta['workers']} workers, "
        f"{meta['seconds']:.0f} s in all. Score = killed / (sampled - equivalent).",
        "",
        "| group | mutants (of) | killed | survived | equivalent | score | gate | baseline "
        "| time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for g in groups:
        score = "-" if g.score is None else f"{g.score:.1f} %"
        gate = "-" if g.gate is None else f"{g.gate:.0f} %" + ("" if g.passed else " **MISSED**")
        lines.append(
            f"| {g.name} | {g.sampled} ({g.population}) | {g.killed} | {g.survived} | "
            f"{g.equivalent} | {score} | {gate} | {g.baseline_s:.1f} s | {g.seconds:.0f} s |"
        )
    lines += ["", "Groups: " + "; ".join(f"**{g.name}**: {g.about}" for g in groups), ""]
    survivors = [r for r in results if r.status == "survived"]
    lines += [f"## Surviving mutants ({len(survivors)})", ""]
    if not survivors:
        lines.append("None.")
    for r in survivors:
        lines += [f"### `{r.path}:{r.line}` {r.operator} ({r.group})", "", f"id `{r.id}`", ""]
        lines += ["```diff", r.diff.rstrip(), "```", ""]
    equivalent = [r for r in results if r.status == "equivalent"]
    lines += ["", f"## Equivalent mutants in the sample ({len(equivalent)}, not counted)", ""]
    for r in equivalent:
        lines.append(f"- `{r.path}:{r.line}` {r.operator} `{r.before}` -> `{r.after}`: {r.reason}")
    return "\n".join(lines) + "\n"
