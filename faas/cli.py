"""`faas`: the one command of the platform, with a subcommand per job.

Each subcommand lives beside its logic in a module with `add_arguments(parser)` and `run(args)`;
those modules import their heavy dependencies (the Pulumi SDK, boto3) inside `run`, so `faas
--help`, completion and argument errors answer at once and `faas cutover` never loads Pulumi.
Every subcommand follows one exit-code contract (`faas.exitcodes`); `scripts/*.py` call `main`
with the historic arguments.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from faas import exitcodes

# subcommand -> (module, one-line help); the modules are imported only to build the parser.
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("faas.plan.cli", "plan stacks offline: policy, cost, critical path, pictures"),
    "check": ("faas.check", "check a preview document against the policy pack"),
    "cutover": ("faas.ops.cutover.cli", "move an environment's traffic to the other colour"),
    "bootstrap": ("faas.ops.bootstrap.cli", "create or repair the Pulumi state backend"),
    "new-env": ("faas.ops.newenv", "write the stack files and policy config of a new environment"),
    "ci": ("faas.ci.cli", "CI decisions: changed stacks, the release guard of the active colour"),
    "completion": ("faas.completion", "print a shell completion script (bash or zsh)"),
    "demo": ("faas.ops.demo.cli", "try the cutover locally: local AWS API, real cutover, report"),
}

EPILOG = "exit codes (every subcommand):\n" + "\n".join(
    f"  {code}  {meaning}" for code, meaning in exitcodes.TABLE
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand's parser; with `only`, that subcommand's in full and the others by name
    and help line (so `faas plan` does not import the cutover's AWS client to parse its
    arguments)."""
    parser = argparse.ArgumentParser(
        prog="faas",
        description="The faas-platform command: offline plans, policy checks, blue/green "
        "cutover, state backend, new environments. `faas <command> --help` for each.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text)
            continue
        module = importlib.import_module(module_name)
        p = sub.add_parser(
            name,
            help=help_text,
            description=getattr(module, "DESCRIPTION", help_text),
            epilog=getattr(module, "EPILOG", EPILOG),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(run=module.run, quick_exit=getattr(module, "QUICK_EXIT", False))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (default: the process's), run the subcommand, return its exit code."""
    # `faas plan | head` stops quietly instead of with a BrokenPipeError traceback.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    own_process = argv is None  # the command's own process, not a caller's (tests, scripts/)
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    try:
        code = int(args.run(args))
        if own_process and args.quick_exit:
            _exit_now(code)
        return code
    except KeyboardInterrupt:
        print(f"faas {args.command}: interrupted", file=sys.stderr)
        return exitcodes.INTERRUPTED
    except Exception as exc:  # the last net: a bug must not look like a verdict (exit 1)
        if os.environ.get("FAAS_TRACEBACK"):
            raise
        where = traceback.extract_tb(exc.__traceback__)[-1]
        print(
            f"faas {args.command}: internal error (a bug in faas, not a verdict on your input): "
            f"{type(exc).__name__}: {str(exc)[:300]} at {Path(where.filename).name}:{where.lineno}"
            "; rerun with FAAS_TRACEBACK=1 for the traceback and report it",
            file=sys.stderr,
        )
        return exitcodes.INTERNAL_ERROR


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown: freeing every object of the Pulumi
    SDK's modules one by one took a plan a third of a second (docs/performance.md). Only for a
    command whose work is done when `run` returns (`QUICK_EXIT` in its module: nothing left to
    clean up, its files written and closed); output is flushed first."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def script_main(command: str) -> int:
    """What `scripts/<command>.py` runs: the subcommand with the script's own arguments."""
    return main([command, *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
