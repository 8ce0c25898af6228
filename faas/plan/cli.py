"""`faas plan`: arguments and output of the offline planner, importable so it is tested in-process.

Per stack: the offline plan, the policy pack on it, cost, critical path and a picture, written to
`build/plan/<stack>.{json,svg,html}`; then the cost of each environment planned. The SDK and the
report modules are imported in `run`, so building the `faas` parser stays cheap.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from components.config.stackfile import path_of, stacks_dir
from faas import exitcodes, inputs

DEFAULT_STACKS = ["dev", "dev-blue", "dev-green"]
# Every file is written and closed when `run` returns: `faas plan` ends without the interpreter's
# teardown (faas/cli.py).
QUICK_EXIT = True
DEFAULT_OUT = Path("build/plan")


DESCRIPTION = """\
Plan stacks offline: run the real program under Pulumi's mock monitor, check it against the policy
pack, and estimate cost and deploy time. No cloud credentials, no Pulumi CLI. Defaults to the dev
environment (dev, dev-blue, dev-green)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("stacks", nargs="*", help=f"stack names (default: {' '.join(DEFAULT_STACKS)})")
    p.add_argument("--all", action="store_true", help="plan every stack file in stacks/")
    p.add_argument("--json", metavar="FILE", help="also write the preview document here")
    p.add_argument(
        "--out",
        default=str(DEFAULT_OUT),  # a string: `--out ""` is refused, not read as "."
        help=f"report folder (default: {DEFAULT_OUT}); '-' writes no report files",
    )
    p.add_argument(
        "--against",
        metavar="OLD.json",
        help="diff against an earlier plan document of the same stack",
    )
    p.add_argument(
        "--base-dir",
        type=Path,
        metavar="DIR",
        help="plan documents of the base branch (DIR/<stack>.json, e.g. its --out folder): "
        "each stack is compared against its own",
    )
    p.add_argument(
        "--review",
        type=Path,
        metavar="FILE",
        help="write a Markdown review (changes against --base-dir by input path, cost delta, "
        "policy findings, release skew) for a pull request",
    )
    p.add_argument(
        "--budget",
        type=float,
        metavar="USD",
        help="fail when an environment's monthly estimate exceeds this",
    )
    p.add_argument(
        "--tree",
        action="store_true",
        help="print the resource tree also when planning several stacks",
    )
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="stacks planned at once, each in its own process (default: the number of cores; "
        "1 plans one after the other in this process)",
    )
    p.add_argument(
        "--stacks-dir",
        default=None,
        help="folder of Pulumi.<stack>.yaml files (default: stacks/)",
    )


def main(argv: list[str]) -> int:
    """`faas plan ARGV...`, for tests and `scripts/plan.py`."""
    from faas.cli import main as faas_main

    return faas_main(["plan", *argv])


def check_arguments(args: argparse.Namespace) -> list[str]:
    """Every problem with the arguments themselves, before any stack file is read."""
    problems = [
        p
        for p in (
            inputs.folder(args.stacks_dir, "--stacks-dir"),
            inputs.number(args.budget, "--budget", lo=0),
            inputs.number(args.jobs, "--jobs", lo=1),
            inputs.writable_file(args.json, "--json"),
            None if str(args.out) == "-" else inputs.writable_folder(args.out, "--out"),
            inputs.readable_file(args.against, "--against"),
            inputs.folder(args.base_dir, "--base-dir"),
            inputs.writable_file(args.review, "--review"),
        )
        if p
    ]
    if args.all and args.stacks:
        problems.append("--all plans every stack file: name no stacks with it")
    return problems


def run(args: argparse.Namespace) -> int:
    problems = check_arguments(args)
    if problems:
        return inputs.refuse("plan", problems)

    # The plan's objects live until its documents are written: the cyclic collector would only
    # rescan the SDK's modules, again and again (docs/performance.md). Back on afterwards for a
    # caller that goes on (tests call `main` in-process).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _planned(args)
    finally:
        if collecting:
            gc.enable()


def _planned(args: argparse.Namespace) -> int:
    from components.config import ConfigError
    from faas import report
    from faas.plan import (
        StackFileError,
        StackNotFound,
        keep_runs,
        plan_documents,
        stack_names,
        validate,
    )
    from faas.plan.batch import plan_stacks
    from faas.report.render.markdown import StackReview, render_review
    from policies import check as policycheck
    from policies.document import InputError, load_preview

    where = Path(args.stacks_dir) if args.stacks_dir is not None else stacks_dir()
    stacks = stack_names(where) if args.all else (args.stacks or DEFAULT_STACKS)
    if not stacks:
        return inputs.refuse("plan", [f"--all: no Pulumi.<stack>.yaml files in {where}"])
    if (args.json or args.against) and len(stacks) != 1:
        return inputs.refuse("plan", ["--json and --against take exactly one stack"])
    # Validate every stack before running any: all config problems of all stacks at once.
    bad = False
    reported: set[str] = set()  # a colour's problems show once, under dev and dev-green alike
    for stack in stacks:
        try:
            validate(stack, where)
        except ConfigError as err:
            bad = True
            if err.stack not in reported:
                print(f"error: {path_of(err.stack, where)}: {err}", file=sys.stderr)
            reported.add(err.stack)
        except (StackNotFound, StackFileError) as err:
            bad = True
            if str(getattr(err, "path", err)) not in reported:
                print(f"error: {err}", file=sys.stderr)
            reported.add(str(getattr(err, "path", err)))
    if bad:
        return exitcodes.REFUSED
    # Read the old plans first: they may be the very files this run is about to overwrite.
    try:
        old = load_preview(args.against) if args.against else None
    except InputError as exc:
        return inputs.refuse("plan", [f"--against {exc}"])
    try:
        bases = {s: _base_plan(args.base_dir, s) for s in stacks} if args.base_dir else {}
    except InputError as exc:
        return inputs.refuse("plan", [f"--base-dir {exc}"])
    reviews = []

    def plan_one(stack: str) -> tuple[dict[str, Any], Any, list[tuple[str, str]], bool]:
        """Plan, check, report and render one stack: (document, review, what to print and
        where, failed). Runs in a worker when stacks are planned in parallel (faas/plan/batch.py):
        the caller prints, in the order of the stacks."""
        said: list[tuple[str, str]] = []
        doc, resolved = plan_documents(stack, where)
        policy = settle_deferred(
            policycheck.check_document(doc), policycheck.check_document(resolved)
        )
        base = old if old is not None else bases.get(stack)
        diff = report.diff_documents(base, doc) if base is not None else None
        rep = report.build_report(doc, findings(policy), diff=diff)
        try:
            if args.json:
                write_json(doc, Path(args.json))
            if str(args.out) != "-":
                report.write_outputs(rep, args.out)
        except OSError as exc:
            # Checked writable before planning; a disk that fills up meanwhile still gets a
            # message, and the verdict below is still given (nothing else depends on the files).
            where_to = exc.filename or args.json or args.out
            said.append(("err", f"faas plan: warning: cannot write {where_to}: {exc.strerror}"))
        # One named stack: the whole tree and the count per type; several: the summaries only.
        said.append(("out", render(doc, rep, policy, full_tree=args.tree or len(stacks) == 1)))
        if diff is not None and old is not None:
            said.append(("out", report.format_diff(diff, stack)))
        return doc, StackReview(rep, base), said, not policy.ok

    failed = False
    by_env: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with keep_runs():  # an environment's colours are run once, for their exports and documents
        planned = plan_stacks(stacks, where, plan_one, args.jobs)
    for doc, review, said, stack_failed in planned:
        by_env[str(doc["config"].get("faas:environment"))].append(doc)
        reviews.append(review)
        for stream, text in said:
            print(text, file=sys.stderr if stream == "err" else sys.stdout)
        failed |= stack_failed
    for docs in by_env.values():
        env_cost = report.environment_cost(docs)
        print(report.format_environment_cost(env_cost))
        if args.budget is not None:
            check = report.check_budget(env_cost, args.budget)
            print(check.message)
            failed |= not check.ok
    if args.review:
        args.review.parent.mkdir(parents=True, exist_ok=True)
        args.review.write_text(render_review(reviews))
        print(f"review: {args.review}")
    if str(args.out) != "-":
        print(f"reports: {args.out}/<stack>.json, .svg, .critical-path.svg, .html")
    return exitcodes.VERDICT if failed else exitcodes.OK


def _base_plan(folder: Path, stack: str) -> dict[str, Any] | None:
    """The base branch's plan of `stack`, or None (a stack the base branch does not have);
    `InputError` naming the file when it is not a plan document."""
    from policies.document import load_preview

    path = folder / f"{stack}.json"
    return load_preview(path) if path.is_file() else None


def settle_deferred(honest: Any, planner: Any) -> Any:
    """The policy result of the document (unknowns as a preview shows them), with the rules it
    defers run on the planner's own values: a violation found there is reported (and blocks at
    its level) instead of the deferral, so the offline gate stays as strict as the rules are;
    `settled` counts the deferred checks the planner's values passed (they stay deferred)."""
    known = {(v.rule, v.urn, v.message) for v in honest.violations if not v.deferred}
    waiting = {v.rule for v in honest.violations if v.deferred}
    why = "on the planner's values (a preview cannot know them yet): "
    found = [
        replace(v, message=why + v.message)
        for v in planner.violations
        if not v.deferred and v.rule in waiting and (v.rule, v.urn, v.message) not in known
    ]
    hit = {(v.rule, v.urn) for v in found}
    kept = [v for v in honest.violations if not v.deferred or (v.rule, v.urn) not in hit]
    honest.violations = kept + found
    honest.settled = sum(1 for v in kept if v.deferred)
    return honest


def write_json(doc: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")


def findings(policy: Any) -> dict[str, Any]:
    """The policy result in the report's shape: one finding per violation, resource by name."""
    data = policy.to_dict()
    for v in data["violations"]:
        v["resource"] = (v.get("urn") or "(stack)").rsplit("::", 1)[-1]
    return data


def render(doc: dict[str, Any], rep: Any, policy: Any, full_tree: bool) -> str:
    from faas import report
    from faas.plan.tree import count_table, tree
    from faas.report.skew import skew_lines
    from policies.document import describe_counts, step_counts

    parts = [f"== {doc['stack']}: {describe_counts(step_counts(doc))} to create"]
    if policy.note:
        parts.append(f"  note: {policy.note}")
    if full_tree:
        parts += [tree(doc), count_table(doc)]
    parts.append(report.format_summary(rep))
    blocking = [v for v in policy.violations if v.level == "mandatory" and not v.deferred]
    for v in blocking:
        name = (v.urn or "(stack)").rsplit("::", 1)[-1]
        parts.append(f"  MANDATORY {v.rule} {name}: {v.message}\n    fix: {v.fix}")
    if getattr(policy, "settled", 0):
        parts.append(
            f"  deferred: {policy.settled} check(s) wait on values a real preview does not know "
            "yet (unknown in the document); on the planner's values they found nothing"
        )
    for d in doc.get("diagnostics", []):
        parts.append(f"  {d['severity']}: {d['message']}")
    parts += [f"  {line}" for line in skew_lines(doc)]
    return "\n".join(parts)
