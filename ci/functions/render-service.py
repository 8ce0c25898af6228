#!/usr/bin/env python3
"""Pin a function's service.yaml to the image digest the pipeline just pushed.

Copy this file into the function's repository next to the pipeline template (ci/functions/).
Standard library only, so it runs on any CI image. It replaces the value of the one `image:` line
of the Knative Service (comments and layout stay as written) with `<repository>@sha256:<digest>`:
Knative then runs exactly that image on both colours, with no tag left to resolve.

    python3 ci/render-service.py --source service.yaml --output build/service.yaml \
        --image <account>.dkr.ecr.<region>.amazonaws.com/faas-dev/<team>/<function>@sha256:<hex>

Exit codes: 0 written; 2 refused input (named; nothing written).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

DIGEST_REF = re.compile(
    r"^(([a-z0-9-]+\.)+[a-z0-9-]+|localhost)(:\d+)?"  # a registry host: dotted, or localhost
    r"(/[a-z0-9]+([._-][a-z0-9]+)*)+@sha256:[0-9a-f]{64}$"
)
IMAGE_LINE = re.compile(r"^(?P<lead>\s*(-\s+)?image:\s*)(?P<value>\S+)(?P<tail>\s*(#.*)?)$")


def render(text: str, image: str) -> str:
    """`text` with its single `image:` value replaced by `image`; ValueError when refused."""
    if not DIGEST_REF.match(image):
        raise ValueError(f"{image!r} is not <registry>/<repository>@sha256:<64 hex digits>")
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if IMAGE_LINE.match(line.rstrip("\n"))]
    if len(found) != 1:
        raise ValueError(f"expected exactly one `image:` line, found {len(found)}")
    i = found[0]
    m = IMAGE_LINE.match(lines[i].rstrip("\n"))
    assert m is not None
    newline = "\n" if lines[i].endswith("\n") else ""
    lines[i] = f"{m['lead']}{image}{m['tail']}{newline}"
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", required=True, help="<repository URL>@sha256:<digest>")
    parser.add_argument("--source", default="service.yaml", help="the Knative Service to pin")
    parser.add_argument("--output", required=True, help="where to write the pinned copy")
    args = parser.parse_args(argv)
    source = Path(args.source)
    if not source.is_file():
        print(f"error: {source} does not exist", file=sys.stderr)
        return 2
    try:
        out = render(source.read_text(), args.image)
    except ValueError as err:
        print(f"error: {source}: {err}", file=sys.stderr)
        return 2
    target = Path(args.output)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out)
    print(f"{target}: image {args.image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
