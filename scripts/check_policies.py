"""Check a `pulumi preview --json` document against the policy pack, offline.

    python scripts/check_policies.py PREVIEW.json [--json OUT] [--env ENV]
    python scripts/check_policies.py --rules-markdown        # the README rules table
    python scripts/check_policies.py --update-readme         # rewrite it between the markers

Exit status: 0 when no mandatory rule is violated, 1 otherwise, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faas_tools import policycheck  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("preview", nargs="?", help="preview document (pulumi preview --json shape)")
    parser.add_argument("--json", dest="json_out", help="also write the result as JSON here")
    parser.add_argument("--env", help="environment config to use (default: faas:environment)")
    parser.add_argument("--rules-markdown", action="store_true", help="print the rules table")
    parser.add_argument("--update-readme", action="store_true", help="rewrite the README table")
    args = parser.parse_args(argv)

    if args.rules_markdown:
        print(policycheck.rules_markdown(), end="")
        return 0
    if args.update_readme:
        print(f"rules table written to {policycheck.update_rules_table(ROOT)}")
        return 0
    if not args.preview:
        parser.error("a preview document is required")

    report = policycheck.check_file(args.preview, env=args.env)
    print(policycheck.format_report(report))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
