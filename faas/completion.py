"""`faas completion bash|zsh`: tab completion of subcommands, options and stack names.

Generated from the live parser, so it never drifts from the commands; stack names are read from
the stacks folder at completion time. Install: `source <(faas completion bash)` (zsh: the same
with `zsh`, which loads bash completion through bashcompinit).
"""

from __future__ import annotations

import argparse
import shlex

DESCRIPTION = __doc__.split("\n\n")[0]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=("bash", "zsh"), help="the shell to complete in")


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(o for a in parser._actions for o in a.option_strings if o.startswith("--"))


def script(shell: str) -> str:
    from faas.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    cases = "\n".join(
        f"    {name}) opts={shlex.quote(' '.join(_options(p)))} ;;"
        for name, p in sub.choices.items()
    )
    body = f"""_faas() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} cmd=${{COMP_WORDS[1]}} opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W {shlex.quote(" ".join(sub.choices))} -- "$cur")); return
  fi
  case "$cmd" in
{cases}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return; fi
  if [ "$cmd" = plan ]; then
    local stacks=$(ls stacks/Pulumi.*.yaml 2>/dev/null | sed 's|stacks/Pulumi.||; s|.yaml$||')
    COMPREPLY=($(compgen -W "$stacks" -- "$cur")); return
  fi
  COMPREPLY=($(compgen -f -- "$cur"))
}}
complete -F _faas faas
"""
    if shell == "zsh":
        body = "autoload -U +X bashcompinit && bashcompinit\n" + body
    return body


def run(args: argparse.Namespace) -> int:
    print(script(args.shell), end="")
    return 0
