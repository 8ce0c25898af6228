"""`faas demo cutover`: the real cutover, end to end, against local stand-ins of AWS and clusters.

What it starts (and stops on exit, on failure and on Ctrl-C): a `moto_server` process (the local
AWS API), an HTTPS smoke endpoint, and one Kubernetes API per colour serving the Knative list
calls the parity preflight makes. What it builds: the environment's zone, records, clusters, node
groups, NLBs and certificate, in the region and with the names of the stack files (world.py), and
on both colours the functions the colour stack files list. Then it runs `faas cutover` itself,
with the stack file giving zone and region as in production; only three things are pointed at the
stand-ins: the probe URLs (the smoke endpoint), the probe CA (its self-signed certificate) and
the clusters' API endpoints (moto invents them; each is routed to its colour's local API).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from components.config.stackfile import StackFileError, read_stack_file, stacks_dir
from components.naming import COLORS, cluster_name, stack_name
from faas import exitcodes, inputs

DESCRIPTION = """\
Try the blue/green cutover on this machine, no cloud account needed: start a local AWS API
(moto_server, from the dev extra), a smoke endpoint and a Kubernetes API per colour; build the
environment of the stack files there (zone, weighted records, clusters, node groups, NLBs,
certificate, functions on both colours); run the real `faas cutover` with a short soak; write its
report and picture; check the report against the local API's final weights; stop everything.
"""

EPILOG = (
    "exit codes:\n"
    + "\n".join(f"  {code}  {text}" for code, text in exitcodes.BY_COMMAND["demo"].items())
    + "\n"
)

DIGEST = "sha256:" + "5e" * 32  # the image both colours run: parity holds


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", choices=["cutover"], help="what to try (cutover)")
    p.add_argument("--env", default="dev", help="environment whose stack files to use (dev)")
    p.add_argument("--to", choices=COLORS, help="colour to move to (default: the idle one)")
    p.add_argument("--stacks-dir", default=None, help="folder of the stack files (stacks/)")
    p.add_argument("--soak", type=float, default=1.0, help="seconds per step (1; production 60)")
    p.add_argument("--out", default="build/demo", help="folder of the report (build/demo)")


def run(args: argparse.Namespace) -> int:
    return execute(args, sys.stdout, sys.stderr)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="faas demo", description=DESCRIPTION)
    add_arguments(p)
    return execute(p.parse_args(argv), sys.stdout, sys.stderr)


class Refused(Exception):
    pass


def _environment(args: argparse.Namespace) -> dict[str, Any]:
    """The facts of the stack files the world is built from."""
    folder = Path(args.stacks_dir) if args.stacks_dir else stacks_dir()
    try:
        env_cfg = read_stack_file(args.env, folder)
        colours = {c: read_stack_file(stack_name(args.env, c), folder) for c in COLORS}
    except StackFileError as exc:
        raise Refused(str(exc)) from None
    if env_cfg is None or any(c is None for c in colours.values()):
        raise Refused(f"{folder}: needs Pulumi.{args.env}.yaml and both colours' stack files")
    region, base = env_cfg.get("aws:region"), env_cfg.get("faas:baseDomain")
    if not isinstance(region, str) or not isinstance(base, str):
        raise Refused(f"{folder / f'Pulumi.{args.env}.yaml'}: aws:region and faas:baseDomain")
    weights = env_cfg.get("faas:initialWeights") or {}
    active = str(env_cfg.get("faas:activeColor") or "blue")
    target = args.to or next(c for c in COLORS if c != active)
    blue = colours["blue"] or {}
    azs = tuple((blue.get("faas:network") or {}).get("azs") or (f"{region}a", f"{region}b"))
    spot = [g.get("name") for g in (blue.get("faas:nodeGroups") or {}).get("spot") or []]
    teams = (blue.get("faas:serving") or {}).get("teams") or []
    functions = [(t["name"], f) for t in teams for f in t.get("functions") or [] if "name" in t]
    return {
        "folder": folder,
        "region": region,
        "base": base,
        "active": active,
        "target": target,
        "azs": azs,
        "node_groups": ("system", *(s for s in spot if s)),
        "weights": {c: int(weights.get(c, 100 if c == active else 0)) for c in COLORS},
        "functions": functions or [("faas-smoke", "smoke")],
    }


def execute(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    problems = [
        p
        for p in (
            inputs.number(args.soak, "--soak", lo=0, hi=60),
            inputs.folder(args.stacks_dir, "--stacks-dir"),
            inputs.writable_file(Path(args.out) / "cutover.json", "--out")
            if Path(args.out).is_dir()
            else None,
        )
        if p
    ]
    if Path(args.out).exists() and not Path(args.out).is_dir():
        problems.append(f"--out {args.out}: is a file, not a folder")
    if problems:
        err.write("demo: " + "\n".join(problems) + "\n")
        return exitcodes.REFUSED
    try:
        env = _environment(args)
        from .local_aws import MotoMissing, moto_command

        try:
            moto_command()
        except MotoMissing as exc:
            raise Refused(str(exc)) from None
    except Refused as exc:
        err.write(f"demo: {exc}\n")
        return exitcodes.REFUSED
    try:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        err.write(f"demo: --out {args.out}: cannot create the folder ({exc.strerror})\n")
        return exitcodes.REFUSED
    # SIGTERM ends the demo like Ctrl-C does, so every server it started is stopped (the cutover
    # installs its own handlers while it runs and rolls back instead).
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return _run(args, env, out, err)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _run(args: argparse.Namespace, env: dict[str, Any], out: TextIO, err: TextIO) -> int:
    from faas.ops.cutover import cli as cutover

    from .local_aws import aws_env, running_moto_server
    from .local_https import https_probe_server
    from .local_kube import KubeWorld, kube_api_server, service
    from .world import Shape, build_world

    report = Path(args.out) / "cutover.json"
    shape = Shape(
        env=args.env,
        base_domain=env["base"],
        region=env["region"],
        azs=env["azs"],
        node_groups=env["node_groups"],
    )
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="faas-demo-")))
        moto = stack.enter_context(running_moto_server())
        out.write(f"local AWS API: moto_server pid {moto.process.pid} at {moto.endpoint}\n")
        stack.enter_context(aws_env(moto))
        probe = stack.enter_context(https_probe_server(tmp / "probe"))
        out.write(f"smoke endpoint: {probe.url}\n")
        apis = {}
        for color in COLORS:
            world = KubeWorld(cluster_name(args.env, color), moto.endpoint)
            for ns, name in env["functions"]:
                world.add(service(ns, name, DIGEST, domain=f"faas.{env['base']}"))
            apis[color] = stack.enter_context(kube_api_server(world, tmp / color))
            out.write(f"Kubernetes API of {color}: {apis[color].url}\n")
        world = build_world(env["active"], shape=shape, weights=env["weights"])
        out.write(
            f"built {shape.zone} in {shape.region}: weighted records, clusters, node groups, "
            f"NLBs, certificate; {len(env['functions'])} function(s) on both colours\n"
            f"running: faas cutover --env {args.env} --to {env['target']} --soak {args.soak:g} "
            f"--report {report} (probes and cluster APIs pointed at the local stand-ins)\n\n"
        )
        out.flush()
        by_cluster = {s.world.cluster: s for s in apis.values()}

        def route(cluster: str, _endpoint: str) -> tuple[str, str | None]:
            return by_cluster[cluster].url, by_cluster[cluster].cafile

        argv = [
            "--env", args.env, "--to", env["target"], "--soak", f"{args.soak:g}",
            "--probe-url", probe.url, "--env-probe-url", probe.url, "--probe-ca", probe.cafile,
            "--yes", "--operator", "demo@localhost", "--report", str(report),
        ]  # fmt: skip
        if args.stacks_dir:
            argv += ["--stacks-dir", args.stacks_dir]
        code = cutover.main(argv, stdout=out, stderr=err, kube_route=route)
        final = world.weights()
    return _verdict(code, report, final, out, err)


def _verdict(
    code: int, report: Path, final: dict[str, dict[str, int]], out: TextIO, err: TextIO
) -> int:
    """The report must say what the local Route 53 says."""
    try:
        written = json.loads(report.read_text())
    except (OSError, ValueError) as exc:
        err.write(f"demo: no readable report at {report}: {exc}\n")
        return code or exitcodes.VERDICT
    # The report keys record sets as "<name>. <type>"; the world reads names.
    said = {
        name.split(" ")[0].rstrip("."): w
        for name, w in (written.get("final_weights") or {}).items()
    }
    seen = {name.rstrip("."): w for name, w in final.items()}
    if said != seen:
        err.write(f"demo: the report's final weights {said} differ from Route 53's {seen}\n")
        return code or exitcodes.VERDICT
    out.write(
        "\nfinal weights (local Route 53, as the report says): "
        + "; ".join(
            f"{n} " + "/".join(f"{c}={w[c]}" for c in COLORS if c in w)
            for n, w in sorted(seen.items())
        )
        + f"\nreport: {report} and {report.with_suffix('.svg')}\n"
        "stopped: the local AWS API, the smoke endpoint and both Kubernetes APIs\n"
    )
    return code
