"""`python -m policies.checkov PREVIEW.json [PREVIEW.json ...] [--json OUT]`, or `--install`.

Runs the pack and checkov (installed on demand into .venv-checkov) on each preview document and
prints one merged report per document. Exit codes: 0 pass; 1 a mandatory pack violation or a
checkov failure that no skip explains; 2 refused input (unreadable document, bad skip list,
checkov not installable), nothing written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policies.checkov.merged import check_documents, read_preview
from policies.checkov.report import format_merged
from policies.checkov.runner import CheckovFailed, CheckovUnavailable, ensure_checkov
from policies.checkov.skips import DEFAULT, SkipListError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.checkov", description=__doc__)
    parser.add_argument("previews", nargs="*", type=Path, help="pulumi preview --json documents")
    parser.add_argument(
        "--install", action="store_true", help="only install the pinned checkov (.venv-checkov)"
    )
    parser.add_argument(
        "--json", dest="json_out", help="write the merged report(s) here (- = stdout)"
    )
    parser.add_argument(
        "--skips", type=Path, default=DEFAULT, help="skip list (default: %(default)s)"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="list skipped and deferred too"
    )
    args = parser.parse_args(argv)
    if args.install:
        try:
            print(ensure_checkov())
        except CheckovUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if not args.previews:
        parser.print_usage(sys.stderr)
        print("error: name at least one preview document (or --install)", file=sys.stderr)
        return 2
    try:
        docs = [read_preview(p) for p in args.previews]
        run = check_documents(docs, args.skips)
    except (ValueError, SkipListError, CheckovUnavailable, CheckovFailed) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    reports, unused = run.reports, run.stale_skips
    if args.json_out:
        text = json.dumps(run.payload(), indent=2) + "\n"
        if args.json_out == "-":
            sys.stdout.write(text)
        else:
            Path(args.json_out).write_text(text)
    if args.json_out != "-":
        for report in reports:
            print(format_merged(report, verbose=args.verbose))
        if len(reports) > 1:
            for s in unused:
                print(f"stale skip (explains no failure in any of these stacks): {s}")
    return 0 if run.ok else 1


if __name__ == "__main__":
    sys.exit(main())
