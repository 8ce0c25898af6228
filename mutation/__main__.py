"""`python -m mutation`: sample, run and report mutants of the groups in `mutation/scope.py`.

    python -m mutation                      # every group, its sample, report in build/mutation/
    python -m mutation --group cutover      # one group (repeatable)
    python -m mutation --full               # every mutant, not a sample
    python -m mutation --list               # the sampled mutants' ids, nothing run
    python -m mutation --only ID            # just these mutants (repeatable)
    python -m mutation --apply ID           # write one mutant into the work tree (to try a test)
    python -m mutation --revert ID          # and take it out again

Exit 0 when every gated group reached its gate, 1 when one did not, 2 on bad arguments or when
the tests fail without any mutant (a broken baseline scores nothing).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

from . import report
from .operators import Mutant, mutants
from .runner import Job, first_failure, preload, run_jobs
from .scope import BY_NAME, GROUPS, SEED, Group

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = Path(__file__).resolve().parent / "equivalent.toml"


def population(group: Group) -> list[Mutant]:
    out: list[Mutant] = []
    for path, functions in group.file_functions().items():
        out.extend(mutants(path, (ROOT / path).read_text(), functions))
    return out


def sample(group: Group, pop: list[Mutant], size: int | None, seed: int) -> list[Mutant]:
    k = group.sample if size is None else size
    if k <= 0 or k >= len(pop):
        return list(pop)
    picked = random.Random(f"{seed}:{group.name}").sample(range(len(pop)), k)
    return [pop[i] for i in sorted(picked)]


def _find(ident: str) -> Mutant:
    key = report.equivalence_key(ident) if ident.count(":") >= 2 else ident
    for group in GROUPS:
        for m in population(group):
            if m.id == ident or report.equivalence_key(m.id) == key or m.id.endswith(ident):
                return m
    raise SystemExit(f"mutation: no mutant {ident!r} (see --list)")


def apply(ident: str, revert: bool) -> int:
    m = _find(ident) if not revert else None
    if revert:
        # The mutant is in the file now, so look it up in the original text kept by --apply.
        saved = ROOT / "build" / "mutation" / "applied" / ident.replace("/", "_").replace(":", "_")
        if not saved.exists():
            print(f"mutation: {ident} was not applied with --apply", file=sys.stderr)
            return 2
        path = saved.read_text().split("\n", 1)[0]
        (ROOT / path).write_text(saved.read_text().split("\n", 1)[1])
        saved.unlink()
        print(f"reverted {path}")
        return 0
    assert m is not None
    source = (ROOT / m.path).read_text()
    saved = ROOT / "build" / "mutation" / "applied" / m.id.replace("/", "_").replace(":", "_")
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(m.path + "\n" + source)
    (ROOT / m.path).write_text(m.apply(source))
    print(m.diff(source), end="")
    print(f"applied {m.id}; undo with: python -m mutation --revert {m.id}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation", description=__doc__.split("\n")[0])
    parser.add_argument("--group", action="append", choices=sorted(BY_NAME))
    parser.add_argument("--sample", type=int, help="mutants per group (default: the group's)")
    parser.add_argument("--full", action="store_true", help="every mutant")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runner", choices=("fork", "subprocess"), default="fork")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "mutation")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--apply")
    parser.add_argument("--revert")
    args = parser.parse_args(argv)
    if args.apply or args.revert:
        return apply(args.apply or args.revert, revert=bool(args.revert))
    if args.workers < 1:
        parser.error("--workers must be at least 1")

    groups = [BY_NAME[n] for n in args.group] if args.group else list(GROUPS)
    size = 0 if args.full else args.sample
    chosen: dict[str, tuple[Group, int, list[Mutant]]] = {}
    for g in groups:
        pop = population(g)
        picked = sample(g, pop, size, args.seed)
        if args.only:
            picked = [m for m in pop if any(o in m.id for o in args.only)]
        chosen[g.name] = (g, len(pop), picked)
    if args.list:
        for g, _, picked in chosen.values():
            for m in picked:
                print(f"{m.id}\t{g.name}\t{m.before!r} -> {m.after!r}")
        return 0
    return run(args, chosen)


def _log(out: Path, key: str) -> str:
    return str(out / "logs" / (re.sub(r"[^A-Za-z0-9_.-]", "_", key) + ".log"))


def run(args: argparse.Namespace, chosen: dict[str, tuple[Group, int, list[Mutant]]]) -> int:
    t0 = time.monotonic()
    (args.out / "logs").mkdir(parents=True, exist_ok=True)
    if args.runner == "fork":
        preload()
    equivalents = report.load_equivalents(EQUIVALENTS)

    baselines = [
        Job(f"baseline:{g.name}", None, None, g.tests, _log(args.out, f"baseline-{g.name}"), 900)
        for g, _, picked in chosen.values()
        if picked
    ]
    base_s: dict[str, float] = {}
    for o in run_jobs(baselines, args.workers, args.runner):
        name = o.key.split(":", 1)[1]
        if o.code != 0:
            print(
                f"mutation: the {name} tests fail without a mutant (see {o.log})", file=sys.stderr
            )
            return 2
        base_s[name] = o.seconds
        print(f"baseline {name}: {o.seconds:.1f} s", flush=True)

    scores: dict[str, report.GroupScore] = {}
    results: list[report.Result] = []
    jobs: list[Job] = []
    by_id: dict[str, tuple[Group, Mutant, str]] = {}
    for g, pop_size, picked in chosen.values():
        scores[g.name] = report.GroupScore(
            g.name, g.about, list(g.files), list(g.tests), pop_size, len(picked), gate=g.gate,
            baseline_s=base_s.get(g.name, 0.0),
        )  # fmt: skip
        timeout = max(30.0, 3 * base_s.get(g.name, 0.0) + 10)
        for m in picked:
            source = (ROOT / m.path).read_text()
            reason = equivalents.get(report.equivalence_key(m.id))
            if reason is not None:
                results.append(_result(g, m, source, "equivalent", reason=reason))
                continue
            by_id[m.id] = (g, m, source)
            jobs.append(Job(m.id, m.path, m.apply(source), g.tests, _log(args.out, m.id), timeout))

    total = len(jobs)
    for n, o in enumerate(run_jobs(jobs, args.workers, args.runner), 1):
        g, m, source = by_id[o.key]
        if o.code is None:
            status = "timeout"
        elif o.code == 0:
            status = "survived"
        elif o.code == 1:
            status = "killed"
        else:
            status = "error"
        r = _result(g, m, source, status, killed_by=first_failure(o.log), seconds=o.seconds)
        results.append(r)
        scores[g.name].seconds += o.seconds
        print(f"[{n}/{total}] {status:8} {m.id} {r.killed_by} {o.seconds:.1f}s", flush=True)

    for r in results:
        s = scores[r.group]
        s.by_status[r.status] = s.by_status.get(r.status, 0) + 1
        if r.status in report.KILLED:
            s.killed += 1
        elif r.status == "survived":
            s.survived += 1
        else:
            s.equivalent += 1
    results.sort(key=lambda r: (r.group, r.path, r.line, r.operator))
    meta = {
        "seed": args.seed,
        "runner": args.runner,
        "workers": args.workers,
        "full": bool(args.full),
        "seconds": round(time.monotonic() - t0, 1),
    }
    report.write(args.out, meta, list(scores.values()), results)
    missed = [s for s in scores.values() if not s.passed]
    for s in scores.values():
        gate = "" if s.gate is None else f" (gate {s.gate:.0f} %)"
        print(f"{s.name}: {s.score} % of {s.sampled - s.equivalent}{gate}")
    print(f"report: {args.out / 'report.md'} ({meta['seconds']:.0f} s)")
    return 1 if missed else 0


def _result(g: Group, m: Mutant, source: str, status: str, **extra: object) -> report.Result:
    diff = m.diff(source) if status in ("survived", "equivalent") else ""
    return report.Result(
        m.id, g.name, m.path, m.line, m.operator, m.before, m.after, status, diff=diff, **extra
    )  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
