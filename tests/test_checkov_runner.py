"""The fork driver (policies/checkov/fork_scans.py) and how the runner reads what it leaves.

The real checkov is in tests/test_checkov_scan.py, which also checks that a forked scan finds
what the `checkov` command finds. Here a stand-in `checkov` package (a `checkov.main.Checkov` that
echoes its arguments, fails, exits or raises as told) takes its place on PYTHONPATH, because the
real one cannot be made to crash on demand; it makes the driver's own contract visible: one
import, one forked child per scan in the scan's folder, output in files, codes in order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policies.checkov.convert import Conversion
from policies.checkov.runner import FORK_SCANS, CheckovFailed, _checkov_output, run_checkov

STAND_IN = """
import json, os, sys
with open(os.environ["IMPORTS_LOG"], "a") as log:
    log.write(f"{os.getpid()}\\n")

class Checkov:
    def __init__(self, argv):
        self.argv = argv

    def run(self):
        what = self.argv[0]
        if what == "raise":
            raise RuntimeError("the stand-in broke")
        if what == "exit":
            sys.exit(3)
        print(json.dumps({"cwd": os.getcwd(), "argv": self.argv, "ppid": os.getppid(),
                          "sys_argv": sys.argv}))
        print("a warning", file=sys.stderr)
        return 1 if what == "fail" else 0
"""


@pytest.fixture
def stand_in(tmp_path: Path) -> dict[str, str]:
    pkg = tmp_path / "lib" / "checkov"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "main.py").write_text(STAND_IN)
    return {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "lib"),
        "IMPORTS_LOG": str(tmp_path / "imports.log"),
    }


def _drive(env: dict[str, str], scans: list[dict], jobs: int) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, str(FORK_SCANS), str(jobs)],
        input=json.dumps(scans), capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_one_import_then_one_forked_child_per_scan_in_its_folder(tmp_path, stand_in):
    folders = [tmp_path / f"scan{i}" for i in range(3)]
    for f in folders:
        f.mkdir()
    scans = [
        {"cwd": str(folders[0]), "argv": ["ok", "-f", "a.json"]},
        {"cwd": str(folders[1]), "argv": ["fail"]},
        {"cwd": str(folders[2]), "argv": ["ok", "-f", "c.json"]},
    ]
    done = _drive(stand_in, scans, jobs=2)
    assert [d["code"] for d in done] == [0, 1, 0]
    assert all(d["seconds"] >= 0 for d in done)
    outs = [json.loads((f / "stdout.txt").read_text()) for f in folders]
    assert [o["cwd"] for o in outs] == [str(f) for f in folders]
    assert [o["argv"] for o in outs] == [s["argv"] for s in scans]
    assert outs[0]["sys_argv"] == ["checkov", "ok", "-f", "a.json"]  # as the console script
    (driver,) = {o["ppid"] for o in outs}  # every child forked from the one driver...
    imports = (tmp_path / "imports.log").read_text().split()
    assert imports == [str(driver)]  # ...which imported checkov once, before forking
    assert all((f / "stderr.txt").read_text() == "a warning\n" for f in folders)


def test_a_child_that_raises_or_exits_has_its_code_and_its_traceback(tmp_path, stand_in):
    scans = []
    for what in ("raise", "exit"):
        (tmp_path / what).mkdir()
        scans.append({"cwd": str(tmp_path / what), "argv": [what]})
    done = _drive(stand_in, scans, jobs=1)
    assert [d["code"] for d in done] == [2, 3]
    assert "RuntimeError: the stand-in broke" in (tmp_path / "raise" / "stderr.txt").read_text()
    with pytest.raises(CheckovFailed, match="exited 2 without a JSON report:\n(.|\n)*the stand-in"):
        _checkov_output(tmp_path / "raise", 2)


def test_a_checkov_environment_without_checkov_is_a_failure_with_its_message(tmp_path):
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(sys.executable)  # this environment has no checkov
    work = tmp_path / "w"
    work.mkdir()
    empty = Conversion(tf_plan={}, manifests=[], unmapped=[])
    with pytest.raises(CheckovFailed, match="before scanning:\n(.|\n)*No module named 'checkov'"):
        run_checkov(venv_bin / "checkov", [empty], [work], jobs=1)
    with pytest.raises(CheckovFailed, match="did not run"):
        run_checkov(tmp_path / "nowhere" / "checkov", [empty], [work], jobs=1)
