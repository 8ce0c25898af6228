"""`faas cutover`: argument parsing and wiring; the logic lives in `shift`."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import socket
import ssl
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from components.config.stackfile import StackFileError, read_stack_file, stacks_dir
from components.naming import COLORS, env_zone_name, valid_environment
from faas import exitcodes, inputs

from .clock import Clock, RealClock
from .kube import Route
from .options import Options, validate_steps
from .parity import ParityCheck, check_keys
from .probe import Prober, env_probe_url, target_probe_url
from .progress import Listener, Progress
from .report import Timeline, write_report

EXIT_REFUSED = exitcodes.REFUSED

DESCRIPTION = """\
Move an environment's traffic between its blue and green clusters by changing the weights of the
weighted records in the environment zone faas.<baseDomain>, in health-gated steps.

Procedure: 1) deploy and test the target colour's stack; 2) run with --dry-run to see the current
weights, the preflight result and the plan; 3) run for real; watch the steps; 4) keep the old colour
running for at least an hour (clients cache DNS). To roll back after a completed cutover, run the
same command with the other colour (--to blue); a failing or interrupted run rolls itself back.
"""

EPILOG = (
    "exit codes:\n"
    + "\n".join(
        textwrap.fill(f"{code}  {text}", 96, initial_indent="  ", subsequent_indent="     ")
        for code, text in exitcodes.BY_COMMAND["cutover"].items()
    )
    + """

Route 53 records used: weighted A alias sets with SetIdentifier blue/green; TXT
_faas-cutover-lock.<zone> (lock) and _faas-cutover-state.<zone> (outcome).
See docs/cutover.md.
"""
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--env", required=True, help="environment name, e.g. dev")
    p.add_argument("--to", required=True, choices=COLORS, help="colour to move traffic to")
    p.add_argument("--zone", help="environment zone (default: faas.<baseDomain> of the stack file)")
    p.add_argument(
        "--stacks-dir",
        "--stack-dir",
        dest="stacks_dir",
        default=None,
        help="folder of Pulumi.<env>.yaml (default: stacks/)",
    )
    p.add_argument("--region", help="AWS region (default: aws:region of the stack file)")
    p.add_argument("--steps", default="10,50,100", help="target percentages (default 10,50,100)")
    p.add_argument(
        "--soak",
        type=float,
        help="seconds to hold each step before probing (default: record TTL, 60 s for ELB aliases)",
    )
    p.add_argument(
        "--probe-url",
        action="append",
        default=[],
        help="target probe, repeatable (default: https://smoke-faas-smoke.faas-<to>.<baseDomain>/)",
    )
    p.add_argument(
        "--env-probe-url",
        action="append",
        default=[],
        help="environment probe after each step, repeatable "
        "(default: https://smoke-faas-smoke.faas.<baseDomain>/)",
    )
    p.add_argument("--probe-count", type=int, default=3, help="passes in a row required (3)")
    p.add_argument("--probe-timeout", type=float, default=5.0, help="seconds per probe request")
    p.add_argument("--probe-ca", help="CA bundle to verify probe certificates (default: system)")
    p.add_argument("--insync-timeout", type=float, default=300.0, help="max wait per change (300)")
    p.add_argument("--operator", help="who runs this (default: user@host)")
    p.add_argument(
        "--dry-run", action="store_true", help="discover, preflight, plan; change nothing"
    )
    p.add_argument("--json", action="store_true", help="JSON log lines; final report on stdout")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--break-lock", action="store_true", help="take over a stale lock (age shown)")
    p.add_argument("--report", help="write the timeline to FILE (JSON) and FILE.svg (picture)")
    p.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="NS/NAME",
        help="accept that the target lacks this Knative Service, or runs it not Ready or with "
        "another image (repeatable; recorded in the report)",
    )
    p.add_argument(
        "--skip-parity",
        action="store_true",
        help="do not compare the colours' functions (e.g. the active colour's API is down)",
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="faas cutover",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p)
    return p.parse_args(argv)


class UsageError(Exception):
    pass


_DNS_RE = re.compile(r"^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$")
# Sanity bounds: beyond them a value is a typo (a day of soaking, an hour per probe request).
MAX_WAIT_S = 86400.0
MAX_PROBE_TIMEOUT_S = 3600.0
MAX_PROBE_COUNT = 100


def read_stack(folder: str | None, env: str) -> dict[str, str]:
    """`aws:region` and `faas:baseDomain` of the environment's stack file (strings only)."""
    where = Path(folder) if folder else stacks_dir()
    try:
        config = read_stack_file(env, where)
    except StackFileError as exc:
        raise UsageError(str(exc)) from None
    if config is None:
        raise UsageError(
            f"{where / f'Pulumi.{env}.yaml'} not found: pass --zone (and --region) or --stacks-dir"
        )
    out = {}
    for key in ("aws:region", "faas:baseDomain"):
        value = config.get(key)
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{where / f'Pulumi.{env}.yaml'}: {key} is not a string")
        if value:
            out[key] = value
    return out


def check_arguments(args: argparse.Namespace) -> list[str]:
    """Problems with the arguments alone (no file read, no AWS call)."""
    problems = [
        p
        for p in (
            inputs.number(args.soak, "--soak", lo=0, hi=MAX_WAIT_S),
            inputs.number(args.probe_timeout, "--probe-timeout", lo=0.001, hi=MAX_PROBE_TIMEOUT_S),
            inputs.number(args.insync_timeout, "--insync-timeout", lo=0.001, hi=MAX_WAIT_S),
            inputs.region(args.region),
            inputs.readable_file(args.probe_ca, "--probe-ca"),
            inputs.writable_file(args.report, "--report"),
            inputs.folder(args.stacks_dir, "--stacks-dir"),
            *(inputs.url(u, "--probe-url") for u in args.probe_url),
            *(inputs.url(u, "--env-probe-url") for u in args.env_probe_url),
        )
        if p
    ]
    if not valid_environment(args.env):
        problems.append(f"--env {args.env!r:.60}: 2-12 lowercase letters/digits, e.g. dev")
    if not 1 <= args.probe_count <= MAX_PROBE_COUNT:
        problems.append(f"--probe-count {args.probe_count}: must be 1..{MAX_PROBE_COUNT}")
    if args.zone is not None and not _DNS_RE.match(args.zone):
        problems.append(f"--zone {args.zone!r:.60}: not a lowercase DNS name")
    problems += check_keys(args.allow_missing)
    if args.skip_parity and args.allow_missing:
        problems.append("--allow-missing has no effect with --skip-parity")
    return problems


def build_options(args: argparse.Namespace, confirm_stream: TextIO) -> tuple[Options, str | None]:
    problems: list[str] = check_arguments(args)
    try:
        steps = [int(s) for s in args.steps.split(",") if s.strip()]
    except ValueError:
        steps = []
        problems.append(f"--steps {args.steps!r:.60}: expected comma-separated integers")
    else:
        problems += validate_steps(steps)
    stack: dict[str, str] = {}
    if (args.zone is None or args.region is None) and valid_environment(args.env):
        try:
            stack = read_stack(args.stacks_dir, args.env)
        except UsageError as exc:
            if args.zone is None:
                problems.append(str(exc))
    if args.region is None and "aws:region" in stack and (p := inputs.region(stack["aws:region"])):
        problems.append(p.replace("--region", "the stack file's aws:region", 1))
    base = stack.get("faas:baseDomain")
    if args.zone is None and base and not _DNS_RE.match(env_zone_name(base)):
        problems.append(
            f"the stack file's faas:baseDomain {stack['faas:baseDomain']!r:.60}: "
            "not a lowercase DNS name"
        )
    base_domain = stack.get("faas:baseDomain")
    zone = args.zone or (env_zone_name(base_domain) if base_domain else None)
    if zone is None and not problems:
        problems.append("faas:baseDomain missing in the stack file; pass --zone")
    if base_domain is None and zone and zone.rstrip(".").startswith("faas."):
        base_domain = zone.rstrip(".")[len("faas.") :]
    probe_urls = args.probe_url or ([target_probe_url(base_domain, args.to)] if base_domain else [])
    env_urls = args.env_probe_url or ([env_probe_url(base_domain)] if base_domain else [])
    if not probe_urls or not env_urls:
        problems.append("cannot derive the default probe URLs: pass --probe-url/--env-probe-url")
    if problems:
        raise UsageError("\n".join(problems))
    operator = args.operator or f"{getpass.getuser()}@{socket.gethostname()}"
    operator = "".join(ch for ch in operator if ch.isprintable() and not ch.isspace())
    operator = operator.replace('"', "").replace("\\", "")[:64] or "unknown"
    opts = Options(
        env=args.env,
        target=args.to,
        zone=str(zone).rstrip("."),
        steps=steps,
        probe_urls=probe_urls,
        env_probe_urls=env_urls,
        soak=args.soak,
        dry_run=args.dry_run,
        break_lock=args.break_lock,
        operator=operator,
        insync_timeout=args.insync_timeout,
        confirm=None if args.yes or args.dry_run else _prompt(confirm_stream),
        parity=None if args.skip_parity else ParityCheck(tuple(args.allow_missing)),
    )
    return opts, args.region or stack.get("aws:region")


def _prompt(stream: TextIO):  # type: ignore[no-untyped-def]
    def confirm(summary: str) -> bool:
        if not sys.stdin.isatty():
            stream.write(f"{summary}\nnot a terminal: pass --yes to confirm\n")
            return False
        stream.write(f"{summary} [y/N] ")
        stream.flush()
        return sys.stdin.readline().strip().lower() in ("y", "yes")

    return confirm


def main(
    argv: list[str] | None = None,
    *,
    clock: Clock | None = None,
    listeners: list[Listener] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    kube_route: Route | None = None,
) -> int:
    """Run the CLI; `clock`, `listeners` and `kube_route` are injection points for tests."""
    return execute(
        parse_args(argv),
        clock=clock,
        listeners=listeners,
        stdout=stdout,
        stderr=stderr,
        kube_route=kube_route,
    )


def run(args: argparse.Namespace) -> int:
    """What `faas cutover` runs."""
    return execute(args)


def execute(
    args: argparse.Namespace,
    *,
    clock: Clock | None = None,
    listeners: list[Listener] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    kube_route: Route | None = None,
) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        opts, region = build_options(args, err)
    except UsageError as exc:
        err.write(f"cutover: {exc}\n")
        return EXIT_REFUSED
    from .aws import Aws  # boto3: loaded only once the arguments hold
    from .shift import Cutover

    if opts.parity is not None:
        opts.parity.route = kube_route
    clock = clock or RealClock()
    progress = Progress(err, json_lines=args.json, listeners=listeners)
    aws = Aws(clock, region, log=lambda name, fields: progress.event(name, **fields))
    try:
        prober = Prober(count=args.probe_count, timeout=args.probe_timeout, cafile=args.probe_ca)
    except (ssl.SSLError, OSError, ValueError) as exc:
        err.write(f"cutover: --probe-ca {args.probe_ca}: not a usable CA bundle ({exc})\n")
        return EXIT_REFUSED
    tl = Cutover(opts, aws, clock, prober, progress).run()
    if args.report:
        try:
            j, s = write_report(args.report, tl)
            progress.event("report", json=str(j), svg=str(s))
        except OSError as exc:
            # The DNS outcome is what the exit code reports; a report that cannot be written
            # after it is a warning, and the timeline goes to stdout as JSON instead.
            warning = f"the report could not be written to {args.report}: {exc.strerror or exc}"
            tl.warnings.append(warning)
            err.write(f"cutover: warning: {tl.status}, but {warning}; the timeline follows\n")
            _summary(tl, out, as_json=True)
            return tl.exit_code
    _summary(tl, out, args.json)
    return tl.exit_code


def _summary(tl: Timeline, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(tl.as_dict(), indent=2) + "\n")
        return
    out.write(f"{tl.status}: {tl.message}\n")
    if tl.parity:
        p = tl.parity
        out.write(
            f"  parity {p['source']}->{p['target']}: "
            + (
                f"not compared ({p['skipped']})"
                if p["skipped"]
                else f"{len(p['compared'])} compared, {len(p['refused'])} refused, "
                f"{len(p['allowed'])} allowed"
            )
            + "\n"
        )
    for st in tl.steps:
        out.write(
            f"  {st.name:<9} {st.percent if st.percent is not None else '-':>4}%  "
            f"insync {st.insync_wait_s:6.1f}s  soak {st.soak_s:6.1f}s  "
            f"route53 calls {st.route53_calls}  {'ok' if st.ok else 'FAILED'}\n"
        )
    out.write(
        f"  total {tl.total_s:.1f}s = insync {tl.insync_wait_s:.1f}s + soak {tl.soak_total_s:.1f}s"
        f" + retries {tl.retry_wait_s:.1f}s + rate limit {tl.rate_limit_wait_s:.1f}s + work "
        f"{tl.as_dict()['other_s']:.1f}s\n"
    )
