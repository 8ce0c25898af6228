"""The `faas` command: one entry point, a subcommand per job, one exit-code table, completion."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faas import exitcodes
from faas.cli import COMMANDS, build_parser, main
from faas.completion import script

ROOT = Path(__file__).resolve().parent.parent
FAAS = str(Path(sys.executable).parent / "faas")


def test_installed_command_lists_every_subcommand_and_the_exit_codes():
    proc = subprocess.run([FAAS, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for name in COMMANDS:
        assert name in proc.stdout
    for code, meaning in exitcodes.TABLE:
        assert f"{code}  {meaning}" in proc.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"usage: faas {command}" in capsys.readouterr().out


def test_unknown_subcommand_and_bad_arguments_are_refused_with_2(capsys):
    for argv in (["nosuch"], [], ["plan", "--budget", "lots"], ["cutover", "--to", "red"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == exitcodes.REFUSED, argv
    assert "Traceback" not in capsys.readouterr().err


def test_script_wrappers_keep_their_historic_paths():
    """Pipelines call scripts/<name>.py; each is the subcommand with the same arguments."""
    for script_name, command in (
        ("plan.py", "plan"),
        ("check_policies.py", "check"),
        ("cutover.py", "cutover"),
        ("bootstrap.py", "bootstrap"),
    ):
        proc = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / script_name), "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert f"usage: faas {command}" in proc.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_knows_every_subcommand_and_its_options(shell):
    text = script(shell)
    assert "complete -F _faas faas" in text
    for name in COMMANDS:
        assert name in text
    parser = build_parser()
    plan = parser._subparsers._group_actions[0].choices["plan"]  # noqa: SLF001
    for option in ("--stacks-dir", "--against", "--budget"):
        assert option in " ".join(a for act in plan._actions for a in act.option_strings)
        assert option in text
    if shell == "zsh":
        assert text.startswith("autoload -U +X bashcompinit")


def test_completion_script_is_valid_bash(tmp_path):
    path = tmp_path / "faas.bash"
    path.write_text(script("bash"))
    proc = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
