"""`faas check` refusals, with and without --checkov: exit 2, a one-paragraph message, nothing
written, and never an install attempt for input that is refused anyway. Needs no checkov (the
scans with checkov are in tests/test_checkov_scan.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from faas import exitcodes
from faas.check import main
from tests.support.plans import document as plan  # what `faas plan --json` writes

FAAS = str(Path(sys.executable).parent / "faas")
# A checkov environment that cannot be created (a path under a file): installing must fail.
NOWHERE = "/dev/null/venv-checkov"


@pytest.fixture
def preview(tmp_path) -> Path:
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(plan("dev")))
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("{", "not JSON"), ("[]", "not an object with `steps`")],
)
@pytest.mark.parametrize("checkov", [False, True])
def test_unreadable_documents_are_refused(tmp_path, capsys, content, message, checkov):
    path = tmp_path / "preview.json"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out.json"
    argv = [str(path), "--json", str(out), *(["--checkov"] if checkov else [])]
    assert main(argv) == exitcodes.REFUSED
    err = capsys.readouterr().err
    assert message in err and str(path) in err
    assert not out.exists()


def test_skips_without_checkov_is_refused(preview, capsys):
    assert main([str(preview), "--skips", "skips.yaml"]) == exitcodes.REFUSED
    assert "add --checkov" in capsys.readouterr().err


def test_a_skip_list_without_reasons_is_refused_before_checkov_is_installed(
    preview, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("FAAS_CHECKOV_VENV", NOWHERE)
    skips = tmp_path / "skips.yaml"
    skips.write_text("skips:\n  - check: CKV_AWS_39\n")
    assert main([str(preview), "--checkov", "--skips", str(skips)]) == exitcodes.REFUSED
    err = capsys.readouterr().err
    assert "every skip needs a reason" in err and "could not install" not in err


def test_checkov_not_installable_is_refused_with_what_to_do(preview, tmp_path):
    out = tmp_path / "merged.json"
    proc = subprocess.run(
        [FAAS, "check", str(preview), "--checkov", "--json", str(out)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FAAS_CHECKOV_VENV": NOWHERE},
        timeout=120,
    )
    assert proc.returncode == exitcodes.REFUSED, proc.stdout + proc.stderr
    assert "could not install checkov==" in proc.stderr and "make checkov" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == "" and not out.exists()


def test_without_checkov_the_pack_alone_runs(preview, tmp_path, capsys):
    out = tmp_path / "pack.json"
    assert main([str(preview), "--json", str(out)]) == exitcodes.OK
    assert json.loads(out.read_text())["ok"] is True
    assert "checkov" not in capsys.readouterr().out
