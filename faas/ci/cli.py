"""`faas ci`: what the pipelines ask before they apply (ci/github, ci/azure).

    faas ci changed-stacks --base REF [--head REF] [--env ENV] [--json]
    faas ci guard --stack STACK --base REF [--head REF] [--active COLOURS] [--override REASON]

`changed-stacks` prints, in apply order, the stacks whose inputs changed (faas/ci/changes.py).
`guard` exits 1 when the stack's release changes while its colour takes traffic
(faas/ci/guard.py), reading the environment zone through Route 53 unless `--active` says which
colours take traffic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from faas import exitcodes

DESCRIPTION = """\
Decisions the CI pipelines take before `pulumi up`: which stacks a change touches (apply only
those), and whether a stack may be applied (never a release change to the colour that takes
traffic, unless overridden)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--repo", type=Path, default=Path("."), help="git work tree (default: .)")
    sub = p.add_subparsers(dest="ci_command", metavar="<ci command>", required=True)
    changed = sub.add_parser("changed-stacks", help="stacks whose inputs changed, in apply order")
    changed.add_argument(
        "--base", required=True, help="base commit (the previous main, the PR base)"
    )
    changed.add_argument("--head", default="HEAD", help="head commit (default: HEAD)")
    changed.add_argument("--env", help="only this environment's stacks")
    changed.add_argument("--json", action="store_true", help="JSON with the reasons per stack")
    guard = sub.add_parser("guard", help="refuse a release change to the active colour")
    guard.add_argument("--stack", required=True, help="the stack about to be applied")
    guard.add_argument("--base", required=True, help="base commit")
    guard.add_argument("--head", default="HEAD", help="head commit (default: HEAD)")
    guard.add_argument(
        "--active",
        help="colours taking traffic, comma-separated, or 'none' (default: read Route 53: the "
        "live weights and the cutover's outcome record)",
    )
    guard.add_argument("--zone", help="environment zone (default: faas.<baseDomain>)")
    guard.add_argument("--region", help="AWS region (default: the environment stack file's)")
    guard.add_argument(
        "--override",
        default="",
        metavar="REASON",
        help="apply a release change to the active colour anyway (a person's decision)",
    )


def run(args: argparse.Namespace) -> int:
    from faas.ci.changes import GitError

    try:
        if args.ci_command == "changed-stacks":
            return _changed(args)
        return _guard(args)
    except GitError as exc:
        print(f"ci: {exc}", file=sys.stderr)
        return exitcodes.REFUSED


def _changed(args: argparse.Namespace) -> int:
    from components import naming
    from faas.ci.changes import changed_stacks

    sel = changed_stacks(args.repo, args.base, args.head)
    order = [
        s for s in sel.apply_order() if not args.env or naming.parse_stack_name(s)[0] == args.env
    ]
    if args.json:
        reasons = {s: sel.stacks[s] for s in dict.fromkeys(order)}
        print(json.dumps({"apply": order, "reasons": reasons, "removed": sel.removed}, indent=1))
    else:
        print("\n".join(order))
    for stack in sel.removed:
        print(f"note: stack file of {stack} was deleted: destroy it by hand", file=sys.stderr)
    return exitcodes.OK


def _guard(args: argparse.Namespace) -> int:
    from components import naming
    from faas.ci.guard import Traffic, decide, release_change

    try:
        env, _ = naming.parse_stack_name(args.stack)
    except ValueError as exc:
        print(f"ci guard: {exc}", file=sys.stderr)
        return exitcodes.REFUSED
    change = release_change(args.repo, args.stack, args.base, args.head)
    if args.active is not None:
        colours = set() if args.active == "none" else set(args.active.split(","))
        bad = colours - set(naming.COLORS)
        if bad:
            print(f"ci guard: --active {args.active!r}: not colours", file=sys.stderr)
            return exitcodes.REFUSED
        traffic = Traffic(frozenset(colours), f"--active {args.active}")
    elif change.differs:
        traffic = _read(args, env)
        if traffic is None:
            return exitcodes.REFUSED
    else:
        traffic = Traffic(frozenset(), "not read: no release change")
    verdict = decide(change, traffic, args.override)
    print(("ok: " if verdict.allowed else "REFUSED: ") + verdict.message)
    return exitcodes.OK if verdict.allowed else exitcodes.VERDICT


def _read(args: argparse.Namespace, env: str):  # type: ignore[no-untyped-def]
    from components.config.stackfile import read_stack_file
    from components.naming import env_zone_name
    from faas.ci.guard import read_traffic
    from faas.ops.cutover.aws import AwsCallFailed
    from faas.ops.cutover.records import RecordStateError

    raw = read_stack_file(env, args.repo / "stacks") or {}
    zone = args.zone or (
        env_zone_name(raw["faas:baseDomain"]) if raw.get("faas:baseDomain") else ""
    )
    if not zone:
        print(
            f"ci guard: no stacks/Pulumi.{env}.yaml with faas:baseDomain: pass --zone",
            file=sys.stderr,
        )
        return None
    try:
        return read_traffic(zone, args.region or raw.get("aws:region"))
    except (AwsCallFailed, RecordStateError) as exc:
        # Not knowing who takes traffic is not "nobody": refuse rather than guess.
        print(f"ci guard: cannot read who takes traffic in {zone}: {exc}", file=sys.stderr)
        return None
