"""Argument handling and output of `scripts/plan.py`, importable so it is tested in-process."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from components.config import ConfigError
from components.platform import STACKS_DIR
from faas_tools.offline import StackNotFound, run_plan, stack_names, validate
from faas_tools.offline.tree import count_table, tree

DEFAULT_STACKS = ["dev", "dev-blue", "dev-green"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/plan.py",
        description="Plan stacks offline: run the real program under Pulumi's mock monitor and "
        "show what `pulumi up` would create. Defaults to the dev environment.",
    )
    p.add_argument("stacks", nargs="*", help=f"stack names (default: {' '.join(DEFAULT_STACKS)})")
    p.add_argument("--json", metavar="FILE", help="write the preview-shaped document (one stack)")
    p.add_argument("--tree", action="store_true", help="print the full resource tree")
    p.add_argument("--all", action="store_true", help="plan every stack file in stacks/")
    p.add_argument(
        "--stacks-dir",
        type=Path,
        default=None,
        help="folder of Pulumi.<stack>.yaml files (default: stacks/)",
    )
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    where = args.stacks_dir or STACKS_DIR
    stacks = stack_names(where) if args.all else (args.stacks or DEFAULT_STACKS)
    if args.json and len(stacks) != 1:
        print("--json writes one stack's document: name exactly one stack", file=sys.stderr)
        return 2
    # Validate every stack before running any: all config problems of all stacks at once.
    bad = False
    for stack in stacks:
        try:
            validate(stack, where)
        except (ConfigError, StackNotFound) as err:
            print(f"error: {err}", file=sys.stderr)
            bad = True
    if bad:
        return 2
    for stack in stacks:
        doc = run_plan(stack, where)
        if args.json:
            write_json(doc, Path(args.json))
        print(render(doc, full_tree=args.tree or len(stacks) == 1))
    return 0


def write_json(doc: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")


def render(doc: dict[str, Any], full_tree: bool) -> str:
    parts = [f"== {doc['stack']}: {doc['changeSummary']['create']} to create"]
    if full_tree:
        parts.append(tree(doc))
    parts.append(count_table(doc))
    for d in doc.get("diagnostics", []):
        parts.append(f"  {d['severity']}: {d['message']}")
    return "\n".join(parts)
