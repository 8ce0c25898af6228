"""`faas demo cutover`: the real cutover against local stand-ins, through the installed command,
on the shipped stack files; it leaves no process behind, also when interrupted."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from faas import exitcodes

FAAS = str(Path(sys.executable).parent / "faas")
ROOT = Path(__file__).resolve().parent.parent


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def moto_pid(text: str) -> int:
    match = re.search(r"moto_server pid (\d+)", text)
    assert match, text
    return int(match.group(1))


def test_demo_cuts_over_and_its_report_matches_the_local_route53(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = subprocess.run(
        [FAAS, "demo", "cutover", "--soak", "0.2", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((out / "cutover.json").read_text())
    assert report["status"] == "completed"
    assert (out / "cutover.svg").read_text().startswith("<svg")
    # Built from the shipped stack files: the environment's zone, in its stack's region.
    assert report["zone"] == "faas.dev.example.com"
    assert "in eu-west-1" in proc.stdout
    # The real preflight ran, parity included, against the local Kubernetes APIs.
    assert report["parity"]["ok"] and len(report["parity"]["compared"]) >= 1
    assert {c["check"].split(" ")[0] for c in report["preflight"]} >= {"eks", "probe", "function"}
    said = "final weights (local Route 53, as the report says): "
    assert said + "*.faas.dev.example.com blue=0/green=100" in proc.stdout
    assert "event=step.done" in proc.stderr  # the progress display
    assert gone(moto_pid(proc.stdout))


def test_an_interrupted_demo_rolls_back_and_stops_everything(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [FAAS, "demo", "cutover", "--soak", "30", "--out", str(tmp_path / "demo")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert proc.stderr is not None and proc.stdout is not None
    seen = []
    for line in proc.stderr:  # wait for the first soak: traffic is moving
        seen.append(line)
        if "event=soak.start" in line:
            break
    proc.send_signal(signal.SIGINT)
    rest_out, rest_err = proc.communicate(timeout=60)
    assert proc.returncode == exitcodes.ROLLED_BACK, "".join(seen) + rest_err
    report = json.loads((tmp_path / "demo" / "cutover.json").read_text())
    assert report["status"] == "rolled-back"
    assert gone(moto_pid(rest_out))


@pytest.mark.parametrize("argv", [["--soak", "-1"], ["--stacks-dir", "/nonexistent"]])
def test_bad_arguments_start_nothing(argv: list[str], tmp_path: Path) -> None:
    proc = subprocess.run(
        [FAAS, "demo", "cutover", *argv, "--out", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == exitcodes.REFUSED, proc.stderr
    assert "moto_server" not in proc.stdout and "Traceback" not in proc.stderr
