"""`faas check`: the policy pack on any `pulumi preview --json` document, offline.

    faas check PREVIEW.json [--json OUT] [--env ENV]
    faas check --rules-markdown        # the README rules table
    faas check --update-readme         # rewrite it between the markers

The runner itself lives beside the pack (`policies/check.py`); this is its command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from faas import exitcodes, inputs

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTION = """\
Check a preview document (the shape `pulumi preview --json` writes, or `faas plan --json`) against
the policy pack, with the levels of policies/config/<env>.json. Exit 1 when a mandatory rule is
violated."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("preview", nargs="?", help="preview document (pulumi preview --json shape)")
    p.add_argument("--json", dest="json_out", help="also write the result as JSON here")
    p.add_argument("--env", help="environment config to use (default: faas:environment)")
    p.add_argument("--rules-markdown", action="store_true", help="print the rules table")
    p.add_argument("--update-readme", action="store_true", help="rewrite the README table")


def main(argv: list[str] | None = None) -> int:
    """`faas check ARGV...`, for tests and `scripts/check_policies.py`."""
    from faas.cli import main as faas_main

    return faas_main(["check", *(sys.argv[1:] if argv is None else argv)])


def run(args: argparse.Namespace) -> int:
    from components.naming import valid_environment

    if args.rules_markdown or args.update_readme:
        from policies import check as policycheck
    if args.rules_markdown:
        print(policycheck.rules_markdown(), end="")
        return exitcodes.OK
    if args.update_readme:
        print(f"rules table written to {policycheck.update_rules_table(ROOT)}")
        return exitcodes.OK
    problems = [
        p
        for p in (
            None if args.preview else "a preview document is required (faas check PREVIEW.json)",
            inputs.readable_file(args.preview, "PREVIEW") if args.preview else None,
            inputs.writable_file(args.json_out, "--json"),
            None
            if args.env is None or valid_environment(args.env)
            else f"--env {args.env!r:.60}: an environment name is 2-12 lowercase letters/digits",
        )
        if p
    ]
    if problems:
        return inputs.refuse("check", problems)
    from policies import check as policycheck
    from policies.document import InputError

    try:
        report = policycheck.check_file(args.preview, env=args.env)
    except InputError as exc:
        return inputs.refuse("check", [str(exc)])
    print(policycheck.format_report(report))
    if args.json_out:
        try:
            Path(args.json_out).write_text(json.dumps(report.to_dict(), indent=2) + "\n")
        except OSError as exc:
            # The verdict above stands; only its copy is missing: say so, keep the verdict's code.
            print(f"faas check: warning: --json {args.json_out}: {exc.strerror}", file=sys.stderr)
    return exitcodes.OK if report.ok else exitcodes.VERDICT
