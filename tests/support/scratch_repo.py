"""A scratch git repository holding the shipped stack files and release catalogue, for tests of
what CI applies after a commit (faas ci, ci/apply.sh)."""

from __future__ import annotations

import shutil
from pathlib import Path

from faas.ci.changes import git

ROOT = Path(__file__).resolve().parents[2]


def make_repo(where: Path) -> Path:
    """`where` as a repository with stacks/, components/versions.py, a program file and a README,
    one commit deep."""
    shutil.copytree(ROOT / "stacks", where / "stacks")
    (where / "components" / "serving").mkdir(parents=True)
    shutil.copy(ROOT / "components" / "versions.py", where / "components" / "versions.py")
    (where / "components" / "serving" / "knative.py").write_text("# the program\n")
    (where / "README.md").write_text("# readme\n")
    git(where, "init", "-q", "-b", "main")
    commit(where, "base")
    return where


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text()
    assert old in text, (path, old)
    file.write_text(text.replace(old, new, 1))
