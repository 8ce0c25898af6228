#!/usr/bin/env python3
"""Wall time of the offline plan, median of several runs, each a fresh process (as a user runs it).

    .venv/bin/python -m benchmarks.plan_timing [--runs 5]

Measures `faas plan dev-blue --out -` (one cluster stack, no report files) and `faas plan` (what
`make plan` runs: the dev environment's three stacks with reports).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

CASES = {
    "one cluster stack (dev-blue, no report files)": ["dev-blue", "--out", "-"],
    "make plan (dev, dev-blue, dev-green with reports)": [],
}


def measure(args: list[str], runs: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "faas.cli", "plan", *args],
                cwd=out,
                check=False,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    runs = p.parse_args().runs
    for label, args in CASES.items():
        t = measure(args, runs)
        print(
            f"{label}: median {statistics.median(t):.2f} s over {runs} runs "
            f"(min {min(t):.2f}, max {max(t):.2f})"
        )


if __name__ == "__main__":
    main()
