"""Put `make plan`'s summary into the README between its markers:
`faas plan > build/plan-summary.txt && python -m faas.plan.readme README.md build/plan-summary.txt`
(`make readme` does it, with the README's other generated tables). tests/test_docs_commands.py
fails when the README quotes anything else than what `make plan` prints."""

from __future__ import annotations

import sys
from pathlib import Path

BEGIN, END = "<!-- plan-summary:begin -->", "<!-- plan-summary:end -->"


def update(readme: Path, summary: str) -> None:
    text = readme.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    readme.write_text(text[:start] + "\n```\n" + summary.rstrip("\n") + "\n```\n" + text[end:])


if __name__ == "__main__":
    update(Path(sys.argv[1]), Path(sys.argv[2]).read_text())
