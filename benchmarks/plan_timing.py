#!/usr/bin/env python3
"""The offline planner's speed against its floor and against its previous release, in one run.

    .venv/bin/python -m benchmarks.plan_timing [--runs 5] [--baseline df05fc7] [--out FILE]

Each case is a fresh process, as a user runs it; the cases run interleaved (one of each per
round, the order reversed every other round), so a change in the machine's load hits all of them
alike, and every figure is the median over the rounds. CPU is user+sys of the whole process and
its workers (`getrusage(RUSAGE_CHILDREN)`), wall is the clock:

* floor: a process that only imports the SDK modules the program uses (pulumi, and the
  pulumi_aws / pulumi_kubernetes submodules it touches, loaded for real: they load lazily);
* `faas plan dev-blue --json F --out -`, now and in the previous release (`--baseline`, the
  planner's first landing, then `scripts/plan.py`, materialised from git into a temporary folder
  and run with this interpreter);
* `make plan`'s command (the dev environment's three stacks with their reports) and
  `plan --all` (every stack, reports written), now and then.

Ratios are medians of the per-round ratios (paired). Results also go to `--out` as JSON
(default build/bench/plan-timing.json). docs/performance.md says what the figures mean.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "df05fc7"  # the planner's first landing (scripts/plan.py, 171 steps for dev-blue)
# `cdk synth` of a comparable EKS Blueprints app on the same 2-core machine, CPU s, as the
# planner's performance target quotes it (docs/performance.md); not something this script runs.
PEER_CPU = 2.19


@dataclass
class Case:
    label: str
    argv: list[str]
    cwd: Path
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    codes: set[int] = field(default_factory=set)


def floor_modules() -> list[str]:
    """The SDK modules a plan of dev-blue loads (the environment stack's registry module aside)."""
    from faas.plan.batch import SDK_MODULES

    return [m for m in SDK_MODULES if m != "pulumi_aws.ecr"]


def floor_code(load: bool) -> str:
    """Import the floor's modules; `load`: for real (pulumi_aws and pulumi_kubernetes modules
    load on their first attribute access), else `import` statements only, which leave them as
    empty lazy modules."""
    if not load:
        return f"import {', '.join(floor_modules())}\n"
    return (
        "import importlib\n"
        f"for m in {floor_modules()!r}:\n"
        "    getattr(importlib.import_module(m), '__all__', None)\n"
    )


def run_once(case: Case) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(case.argv, cwd=case.cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    case.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    case.wall.append(wall)
    case.codes.add(proc.returncode)


def materialise(commit: str, into: Path) -> str | None:
    """`commit`'s tree in `into`; None, or why not."""
    try:
        tar = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"cannot read {commit} from git: {exc}"
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(into, filter="data")
    if not (into / "scripts" / "plan.py").is_file():
        return f"{commit} has no scripts/plan.py"
    return None


def faas_command() -> list[str]:
    script = Path(sys.executable).parent / "faas"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "faas.cli"]


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"{median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"


def paired(a: Case, b: Case, what: str = "cpu") -> float:
    return median([x / y for x, y in zip(getattr(a, what), getattr(b, what), strict=True)])


def steps(path: Path) -> int | None:
    try:
        return len(json.loads(path.read_text())["steps"])
    except (OSError, ValueError, KeyError):
        return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="rounds (median over them; default 5)")
    p.add_argument("--baseline", default=BASELINE, help=f"previous release (default {BASELINE})")
    p.add_argument("--no-baseline", action="store_true", help="measure this tree only")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "plan-timing.json")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="plan-timing-") as tmp_name:
        tmp = Path(tmp_name)
        work = tmp / "now"
        work.mkdir()
        faas = faas_command()
        now_json = tmp / "now-dev-blue.json"
        floor = Case("import floor", [sys.executable, "-c", floor_code(load=True)], work)
        stubs = Case("import statements", [sys.executable, "-c", floor_code(load=False)], work)
        plan = Case(
            "plan dev-blue",
            [*faas, "plan", "dev-blue", "--json", str(now_json), "--out", "-"],
            work,
        )
        make = Case("make plan", [*faas, "plan", "--out", str(tmp / "now-plan")], work)
        every = Case("plan --all", [*faas, "plan", "--all", "--out", str(tmp / "now-all")], work)
        cases = [floor, stubs, plan, make, every]
        old: dict[str, Case] = {}
        why_not = "not measured (--no-baseline)" if args.no_baseline else None
        if not args.no_baseline:
            base = tmp / "baseline"
            base.mkdir()
            why_not = materialise(args.baseline, base)
        if why_not is None:
            script = [sys.executable, "scripts/plan.py"]
            old_json = tmp / "old-dev-blue.json"
            old = {
                "plan": Case(
                    "plan dev-blue",
                    [*script, "dev-blue", "--json", str(old_json), "--out", "-"],
                    base,
                ),
                "make": Case("make plan", [*script, "--out", str(tmp / "old-plan")], base),
                "all": Case("plan --all", [*script, "--all", "--out", str(tmp / "old-all")], base),
            }
            cases += list(old.values())
        load_before = os.getloadavg()
        for i in range(args.runs):
            for case in cases if i % 2 == 0 else reversed(cases):
                run_once(case)
        load_after = os.getloadavg()
        now_steps = steps(now_json)
        old_steps = steps(old_json) if old else None

    lines = [
        f"plan timing: {args.runs} interleaved rounds, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after (medians; min and max in brackets)",
        f"import floor (the SDK modules dev-blue uses, loaded): CPU {spread(floor.cpu)} s",
        f"  the same `import` statements only (lazy modules left unloaded): "
        f"CPU {spread(stubs.cpu)} s",
        f"plan dev-blue ({now_steps} steps): CPU {spread(plan.cpu)} s, wall {spread(plan.wall)} s",
        f"  ratio plan / floor {paired(plan, floor):.2f}x; plan / import statements only "
        f"{paired(plan, stubs):.2f}x; the peer's cdk synth: {PEER_CPU} CPU s (not measured here)",
        f"make plan (dev, dev-blue, dev-green, reports): wall {spread(make.wall)} s, "
        f"CPU {spread(make.cpu)} s",
        f"plan --all (6 stacks, reports): wall {spread(every.wall)} s, CPU {spread(every.cpu)} s",
    ]
    if old:
        lines += [
            f"previous release {args.baseline} (scripts/plan.py), same interpreter and rounds:",
            f"  plan dev-blue ({old_steps} steps): CPU {spread(old['plan'].cpu)} s; "
            f"now / then {paired(plan, old['plan']):.2f}x; "
            f"its plan / floor {paired(old['plan'], floor):.2f}x",
            f"  make plan: wall {spread(old['make'].wall)} s, CPU {spread(old['make'].cpu)} s; "
            f"now / then {paired(make, old['make'], 'wall'):.2f}x wall",
            f"  plan --all: wall {spread(old['all'].wall)} s, CPU {spread(old['all'].cpu)} s; "
            f"now / then {paired(every, old['all'], 'wall'):.2f}x wall",
        ]
    else:
        lines.append(f"previous release {args.baseline}: {why_not}")
    bad = [c.label for c in cases if c.codes != {0}]
    if bad:
        lines.append(f"warning: non-zero exit codes in: {', '.join(bad)}")
    print("\n".join(lines))
    record = {
        "runs": args.runs,
        "load_average": [load_before[0], load_after[0]],
        "steps": {"now": now_steps, "baseline": old_steps},
        "baseline": args.baseline if old else None,
        "cases": {
            f"{'then' if any(c is o for o in old.values()) else 'now'}: {c.label}": {
                "cpu": c.cpu,
                "wall": c.wall,
            }
            for c in cases
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
