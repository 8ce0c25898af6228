"""A fresh copy of the repository (its tracked and new, not ignored, files: what a clone plus
the work in progress holds) with a `.venv` that runs the copy's own code.

The copy's `.venv` is a new virtualenv without packages of its own: a `.pth` file puts the copy
first on `sys.path` and then this project's installed dependencies (the running interpreter's
site-packages), so `faas`, the stack files and the policy configs all resolve inside the copy
and nothing a command writes can reach this checkout. `make` finds `.venv/.installed` newer than
`pyproject.toml` and installs nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = {
    "faas": "from faas.cli import main",
    "moto_server": "from moto.server import main",
}


def tracked_files(root: Path = ROOT) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return [p for p in out.decode().split("\0") if p and (root / p).is_file()]


def fresh_copy(dest: Path) -> Path:
    for rel in tracked_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    venv = dest / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    deps = sysconfig.get_paths()["purelib"]
    (purelib / "_faas_fresh_copy.pth").write_text(
        f"{dest}\nimport site; site.addsitedir({deps!r})\n"
    )
    for name, entry in SCRIPTS.items():
        script = venv / "bin" / name
        script.write_text(f"#!{venv}/bin/python\nimport sys\n{entry}\nsys.exit(main())\n")
        script.chmod(0o755)
    stamp = venv / ".installed"
    stamp.touch()
    old = (dest / "pyproject.toml").stat().st_mtime - 60
    os.utime(dest / "pyproject.toml", (old, old))
    return dest
