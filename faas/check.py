"""`faas check`: the policy pack on any `pulumi preview --json` document, offline.

    faas check PREVIEW.json [--json OUT] [--env ENV]
    faas check PREVIEW.json --checkov [--skips PATH] [--json OUT]   # + checkov, merged report
    faas check --rules-markdown        # the README rules table
    faas check --update-readme         # rewrite it between the markers

The runners live beside the pack (`policies/check.py`, `policies/checkov/merged.py`); this is
their command line. With --checkov, checkov is installed on first use into its own environment
(.venv-checkov, docs/checkov.md), never into the platform's.
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
violated. With --checkov, also scan it with checkov (converted to a Terraform plan and Kubernetes
manifests; installed into .venv-checkov on first use) and merge both into one report by
resource: exit 1 also on a checkov failure that no entry of the skip list explains, 2 when
checkov cannot be installed (docs/checkov.md)."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("preview", nargs="?", help="preview document (pulumi preview --json shape)")
    p.add_argument("--json", dest="json_out", help="also write the result as JSON here")
    p.add_argument("--env", help="environment config to use (default: faas:environment)")
    p.add_argument(
        "--checkov",
        action="store_true",
        help="also run checkov on the document and merge its findings (installs it on first use)",
    )
    p.add_argument(
        "--skips",
        type=Path,
        help="checkov skip list, every entry with a reason (default: policies/checkov/skips.yaml)",
    )
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
        else:
            print(f"rules table written to {policycheck.update_rules_table(ROOT)}")
        return exitcodes.OK
    problems = [
        p
        for p in (
            None if args.preview else "a preview document is required (faas check PREVIEW.json)",
            inputs.readable_file(args.preview, "PREVIEW") if args.preview else None,
            inputs.writable_file(args.json_out, "--json"),
            inputs.readable_file(args.skips, "--skips"),
            None
            if args.env is None or valid_environment(args.env)
            else f"--env {args.env!r:.60}: an environment name is 2-12 lowercase letters/digits",
            "--skips is the checkov skip list; add --checkov"
            if args.skips is not None and not args.checkov
            else None,
        )
        if p
    ]
    if problems:
        return inputs.refuse("check", problems)
    from policies import check as policycheck
    from policies.document import InputError, load_preview

    try:
        doc = load_preview(args.preview)  # the message names the file
    except InputError as exc:
        return inputs.refuse("check", [str(exc)])
    if args.checkov:
        return _with_checkov(doc, args)
    try:
        report = policycheck.check_document(doc, env=args.env)
    except InputError as exc:
        return inputs.refuse("check", [f"{args.preview}: {exc}"])
    print(policycheck.format_report(report))
    if args.json_out:
        try:
            Path(args.json_out).write_text(json.dumps(report.to_dict(), indent=2) + "\n")
        except OSError as exc:
            # The verdict above stands; only its copy is missing: say so, keep the verdict's code.
            print(f"faas check: warning: --json {args.json_out}: {exc.strerror}", file=sys.stderr)
    return exitcodes.OK if report.ok else exitcodes.VERDICT


def _with_checkov(doc: dict, args: argparse.Namespace) -> int:
    """The pack and checkov on one document, one merged report (policies/checkov/merged.py)."""
    from policies.checkov import CheckovFailed, CheckovUnavailable, SkipListError, format_merged
    from policies.checkov.merged import check_documents
    from policies.checkov.skips import DEFAULT
    from policies.document import InputError

    try:
        run = check_documents([doc], args.skips or DEFAULT, env=args.env)
    except InputError as exc:
        print(f"faas check: {args.preview}: {exc}", file=sys.stderr)
        return exitcodes.REFUSED
    except SkipListError as exc:
        print(f"faas check: {exc}", file=sys.stderr)
        return exitcodes.REFUSED
    except CheckovUnavailable as exc:
        print(
            f"faas check: checkov is not installed and could not be installed, so nothing was "
            f"scanned: {exc}\n(`make checkov` installs it; see docs/checkov.md)",
            file=sys.stderr,
        )
        return exitcodes.REFUSED
    except CheckovFailed as exc:
        print(f"faas check: checkov gave no report: {exc}", file=sys.stderr)
        return exitcodes.REFUSED
    (report,) = run.reports
    print(format_merged(report))
    if args.json_out:
        try:
            Path(args.json_out).write_text(json.dumps(run.payload(), indent=2) + "\n")
        except OSError as exc:
            print(f"faas check: warning: --json {args.json_out}: {exc.strerror}", file=sys.stderr)
    return exitcodes.OK if run.ok else exitcodes.VERDICT
