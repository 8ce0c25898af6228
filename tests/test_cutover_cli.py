"""`scripts/cutover.py` end to end through a subprocess, against the moto server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cutover_world import BASE, ENV, World, world_fixtures
from tests.support.https_probe import ProbeServer, https_probe_server
from tests.support.moto_server import MotoServer, moto_fixtures

moto_process, moto = moto_fixtures(reset=False)
worlds, world, fresh_world = world_fixtures()
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[ProbeServer]:
    with https_probe_server(tmp_path / "probe") as server:
        yield server


def test_cli_cutover_end_to_end(
    moto: MotoServer, world: World, probe: ProbeServer, tmp_path: Path
) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / f"Pulumi.{ENV}.yaml").write_text(
        f"config:\n  aws:region: us-east-1\n  faas:environment: {ENV}\n  faas:baseDomain: {BASE}\n"
    )
    report = tmp_path / "out" / "cutover.json"
    cmd = [
        sys.executable, "scripts/cutover.py", "--env", ENV, "--to", "green",
        "--stack-dir", str(stacks), "--soak", "0", "--probe-url", probe.url,
        "--env-probe-url", probe.url, "--probe-ca", probe.cafile, "--yes",
        "--report", str(report), "--skip-parity",
    ]  # fmt: skip
    res = subprocess.run(cmd, cwd=REPO, env=moto.env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("completed:")
    # Not a terminal: structured key=value log lines, one event per line.
    assert 'event=change.insync step="step 3"' in res.stderr
    assert all(w == {"blue": 0, "green": 100} for w in world.weights().values())
    rep = json.loads(report.read_text())
    assert rep["status"] == "completed" and rep["zone"] == f"faas.{BASE}"
    assert report.with_suffix(".svg").read_text().count("<polyline") == 2


def test_cli_refuses_without_confirmation_off_a_terminal(
    moto: MotoServer, world: World, probe: ProbeServer
) -> None:
    cmd = [
        sys.executable, "scripts/cutover.py", "--env", ENV, "--to", "green",
        "--zone", f"faas.{BASE}", "--region", "us-east-1", "--soak", "0",
        "--probe-url", probe.url, "--env-probe-url", probe.url, "--probe-ca", probe.cafile,
        "--skip-parity",
    ]  # fmt: skip
    res = subprocess.run(
        cmd,
        cwd=REPO,
        env=moto.env(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert res.returncode == 2
    assert "pass --yes" in res.stderr
    assert all(w == {"blue": 100, "green": 0} for w in world.weights().values())


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    cmd = [
        sys.executable, "scripts/cutover.py", "--env", "dev", "--to", "green",
        "--stack-dir", str(tmp_path), "--steps", "50,10",
    ]  # fmt: skip
    res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert "steps must increase" in res.stderr and "last step must be 100" in res.stderr
    assert "Pulumi.dev.yaml not found" in res.stderr


def test_cli_sigterm_during_soak_rolls_back(
    moto: MotoServer, world: World, probe: ProbeServer
) -> None:
    cmd = [
        sys.executable, "scripts/cutover.py", "--env", ENV, "--to", "green",
        "--zone", f"faas.{BASE}", "--region", "us-east-1", "--soak", "30", "--yes",
        "--probe-url", probe.url, "--env-probe-url", probe.url, "--probe-ca", probe.cafile,
        "--skip-parity",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=moto.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    # Wait for the event, not for time: the signal arrives while step 1 soaks.
    for line in proc.stderr:
        if "event=soak.start" in line:
            proc.send_signal(signal.SIGTERM)
            break
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, out + err
    assert "interrupted by SIGTERM" in out
    assert all(w == {"blue": 100, "green": 0} for w in world.weights().values())
