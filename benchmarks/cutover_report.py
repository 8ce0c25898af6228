#!/usr/bin/env python3
"""One real-clock cutover against a local moto server; writes the report shown in the README.

    .venv/bin/python -m benchmarks.cutover_report [--soak 2] [--out build/bench/cutover-report.json]

Writes to build/ by default; the README's picture is regenerated with
`--out docs/img/cutover-report.json`. Builds the world `faas demo cutover` uses (zone, weighted
records, healthy target colour, local HTTPS probe; faas/ops/demo/), runs `faas cutover`'s code
with `--report`, and prints where the time went and the Route 53 calls per step.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from faas.ops.cutover import cli
from faas.ops.demo.local_aws import aws_env, running_moto_server
from faas.ops.demo.local_https import https_probe_server
from faas.ops.demo.world import Shape, build_world

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--soak", default="2")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "bench" / "cutover-report.json")
    args = p.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_moto_server() as srv,
        aws_env(srv),
        https_probe_server(Path(tmp)) as probe,
    ):
        build_world()
        code = cli.main(
            [
                "--env",
                "dev",
                "--to",
                "green",
                "--zone",
                Shape().zone,
                "--region",
                "us-east-1",
                "--soak",
                args.soak,
                "--probe-url",
                probe.url,
                "--env-probe-url",
                probe.url,
                "--probe-ca",
                probe.cafile,
                "--yes",
                "--skip-parity",  # no Kubernetes API in this benchmark: DNS timings only
                "--report",
                str(args.out),
            ]
        )
    rep = json.loads(args.out.read_text())
    keys = (
        "total_s",
        "insync_wait_s",
        "soak_total_s",
        "retry_wait_s",
        "rate_limit_wait_s",
        "other_s",
        "route53_calls",
    )
    print(f"exit {code}", json.dumps({k: rep.get(k) for k in keys}, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
