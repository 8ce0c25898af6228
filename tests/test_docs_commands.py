"""Every command block of the README and docs/ runs as written on a fresh copy of the repository.

A `sh` block's lines run in order, each in a shell in the copy's root with the copy's `.venv/bin`
first on PATH (as after `source .venv/bin/activate`), and must exit 0 (or the code a trailing
`# exit N` gives). Lines that need what this machine or a test cannot give say so with a trailing
comment, and a block that needs it throughout has `<!-- commands: cloud -->` before its fence
(a line that repeats one already run, word for word and expecting the same exit, runs once):

  cloud    an AWS account, the Pulumi CLI or a cluster
  docker   a Docker engine
  ci       the whole test suite (CI runs it; running it here would run this test again)
  checkov  the checkov environment (`make checkov`; tests/test_checkov_scan.py covers it)
  server   a process that serves until stopped (tests/test_functions.py runs them)
  node     Node.js: run where `node` is installed, listed as not run elsewhere
  mutation a mutation run (tens of minutes) or a mutant put into the work tree and taken out
           again (docs/testing.md; tests/test_mutation_driver.py covers the driver)

The function guide's blocks (between `<!-- guide... -->` markers) are run by
tests/test_function_guide.py. What the README quotes as `make plan`'s output and its figures table
(between `<!-- plan-summary -->` and `<!-- plan-figures -->` markers, `make readme` writes them)
must be what `make plan` printed and wrote here. The test prints what it did not run and why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from faas.plan.readme import figures
from tests.support.fresh_copy import ROOT, fresh_copy

DOCS = ["README.md", *sorted(p.name for p in (ROOT / "docs").glob("*.md"))]
PATHS = [ROOT / "README.md", *(ROOT / "docs" / d for d in DOCS[1:])]
PATHS.append(ROOT / "examples" / "functions" / "README.md")
NEEDS = ("cloud", "docker", "ci", "checkov", "server", "node", "mutation")
# Needs this machine may meet: the line runs when the program is installed.
LOCAL = {"node": "node"}
TRAILING = re.compile(r"\s#\s*(" + "|".join(NEEDS) + r")\b[:\s]?")
EXIT = re.compile(r"#\s*exit (\d+)")
FENCE = re.compile(r"```(?:sh|bash|shell)\n(.*?)```", re.S)


@dataclass(frozen=True)
class Command:
    doc: str
    line: int
    text: str
    need: str  # "" when it runs here
    expect: int = 0


def commands(path: Path) -> Iterator[Command]:
    text = path.read_text()
    rel = str(path.relative_to(ROOT))
    guides = [
        (m.start(), m.end())
        for m in re.finditer(r"<!-- guide.*?<!-- guide[^>]*end -->", text, re.S)
    ]
    for block in FENCE.finditer(text):
        if any(a <= block.start() <= b for a, b in guides):
            continue  # tests/test_function_guide.py runs these
        before = text[: block.start()].rstrip().rsplit("\n", 1)[-1]
        whole = "cloud" if before.strip() == "<!-- commands: cloud -->" else ""
        first = text[: block.start()].count("\n") + 2
        pending: list[str] = []
        start = first
        for i, raw in enumerate(block.group(1).splitlines()):
            if not pending:
                start = first + i
            if not raw.strip() or (raw.lstrip().startswith("#") and not pending):
                continue
            pending.append(raw)
            if raw.rstrip().endswith("\\"):
                continue
            line = "\n".join(pending)
            pending = []
            need = TRAILING.search(line)
            code = EXIT.search(line)
            yield Command(
                rel, start, line, whole or (need.group(1) if need else ""),
                int(code.group(1)) if code else 0,
            )  # fmt: skip


ALL = [c for p in PATHS for c in commands(p)]


def test_every_block_is_found_and_every_line_is_runnable_or_says_what_it_needs() -> None:
    assert any(c.text.startswith("make plan") for c in ALL)
    assert any(c.text.startswith("faas demo cutover") and not c.need for c in ALL)
    for c in ALL:
        # a line that is not run says why; unmarked lines must not need a placeholder filled in
        if not c.need:
            assert "<" not in c.text.split("#")[0] or "<<" in c.text, c


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_copy(tmp_path_factory.mktemp("docs") / "faas-platform")


def test_the_commands_run_as_written(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A reader's shell, not the one running the suite: under `make test` the MAKE* variables would
    # make the documented `make plan` print "Entering directory" lines around its summary.
    drop = ("AWS_", "FAAS_", "VIRTUAL", "MAKE", "MFLAGS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PATH"] = f"{copy / '.venv' / 'bin'}:{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(copy / ".venv")
    ran, skipped, repeated = [], [], []
    outputs: dict[str, tuple[int, str]] = {}
    for c in ALL:
        if c.need and not (c.need in LOCAL and shutil.which(LOCAL[c.need])):
            skipped.append(c)
            continue
        if c.text.startswith("source "):
            continue  # PATH above is what it does
        said = c.text.split("#")[0].strip()
        if said in outputs and outputs[said][0] == c.expect:
            repeated.append(c)  # the same line again (a quick start quoted where it is explained)
            continue
        proc = subprocess.run(
            ["bash", "-c", c.text], cwd=copy, env=env, capture_output=True, text=True, timeout=600
        )
        assert proc.returncode == c.expect, (
            f"{c.doc}:{c.line}: `{c.text}` exited {proc.returncode}, not {c.expect}:\n"
            f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
        ran.append(c)
        outputs[said] = (c.expect, proc.stdout)
    # What the README quotes as `make plan`'s summary is what it printed.
    readme = (ROOT / "README.md").read_text()
    quoted = re.search(r"<!-- plan-summary:begin -->\n```\n(.*?)```", readme, re.S).group(1)  # type: ignore[union-attr]
    assert quoted == summary_of(outputs["make plan"][1])
    table = re.search(r"<!-- plan-figures:begin -->\n(.*?)<!-- plan-figures:end -->", readme, re.S)
    assert table and table.group(1) == figures(copy / "build" / "plan")
    with capsys.disabled():
        again = f" ({len(repeated)} more repeat one of them)" if repeated else ""
        print(f"\n{len(ran)} documented commands ran{again}; not run here, by what they need:")
        for c in skipped:
            first = c.text.splitlines()[0][:90]
            print(f"  {c.need:<8} {c.doc}:{c.line}: {first}")


def summary_of(make_output: str) -> str:
    """`make plan`'s output without make's own echo of the command."""
    lines = [ln for ln in make_output.splitlines() if not ln.startswith(".venv/bin/faas")]
    return "\n".join(lines) + "\n"
