"""Which stacks a change between two commits touches, so a merge applies only those.

A stack's inputs are its stack file, the release it names in the catalogue, and the program. The
rules, from the paths `git diff --name-only BASE HEAD` lists:

* `stacks/Pulumi.<stack>.yaml` changes that stack (a deleted file is reported, never applied:
  destroying a stack is a person's decision);
* `components/versions.py` changes the cluster stacks whose release differs between the two
  commits (a release added but not named by any stack changes nothing), or every cluster stack
  when something outside the releases changed (the node AMI family, the smoke image);
* any other file of the program (`components/`, `__main__.py`, `Pulumi.yaml`, the Python pins)
  changes every stack;
* documentation, tests, CI, the `faas` tools and the policy pack change no stack (the pack runs
  at `pulumi up`, it creates nothing).

Apply order per environment follows docs/edge.md: the environment stack first, then its colours,
then the environment again when it changed.
"""

from __future__ import annotations

import subprocess
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components import naming

VERSIONS = "components/versions.py"
PROGRAM = ("components/", "__main__.py", "Pulumi.yaml", "pyproject.toml", "requirements.txt")


class GitError(Exception):
    pass


def git(repo: Path, *args: str) -> str:
    res = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if res.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {res.stderr.strip() or res.returncode}")
    return res.stdout


def show(repo: Path, rev: str, path: str) -> str | None:
    """The file at `rev`, or None where it does not exist."""
    try:
        return git(repo, "show", f"{rev}:{path}")
    except GitError:
        return None


def catalogue(source: str | None) -> dict[str, Any]:
    """The public names of a `components/versions.py` text, executed on its own (it imports only
    the standard library), with each release as its summary so two commits compare as data."""
    if source is None:
        return {}
    # A module of its own (dataclasses look their class's module up in sys.modules), dropped
    # again afterwards so the program's own `components.versions` is never shadowed.
    module = types.ModuleType("faas_ci_versions")
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, VERSIONS, "exec"), module.__dict__)  # noqa: S102 (our file, from git)
    finally:
        del sys.modules[module.__name__]
    releases = getattr(module, "RELEASES", {})
    # The add-on and chart sets releases are built from show up in the release summaries; only
    # what no release holds (the node AMI family, the smoke image) is compared on its own.
    parts = {id(v) for r in releases.values() for v in vars(r).values()}
    out: dict[str, Any] = {}
    for name, value in vars(module).items():
        if name.startswith("_") or callable(value) or isinstance(value, type) or id(value) in parts:
            continue
        if name == "RELEASES":
            value = {k: r.summary() for k, r in value.items()}
        elif not isinstance(value, str | int | float | tuple | list | dict):
            continue
        out[name] = value
    return out


def release_of(stack_text: str | None) -> str | None:
    if stack_text is None:
        return None
    config = (yaml.safe_load(stack_text) or {}).get("config") or {}
    value = config.get("faas:release")
    return str(value) if value is not None else None


@dataclass
class Selection:
    """Stacks to apply, with why; stacks whose file was deleted; the paths looked at."""

    stacks: dict[str, list[str]] = field(default_factory=dict)  # stack -> reasons
    removed: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def add(self, stack: str, reason: str) -> None:
        reasons = self.stacks.setdefault(stack, [])
        if reason not in reasons:
            reasons.append(reason)

    def apply_order(self) -> list[str]:
        """Environment, its colours, the environment again (when it changed), per environment."""
        order: list[str] = []
        envs = sorted({naming.parse_stack_name(s)[0] for s in self.stacks})
        for env in envs:
            colours = [naming.stack_name(env, c) for c in naming.COLORS]
            changed_env = env in self.stacks
            order += [env] if changed_env else []
            order += [c for c in colours if c in self.stacks]
            if changed_env and any(c in self.stacks for c in colours):
                order.append(env)
        return order


def select(
    paths: Iterable[str],
    stacks: Mapping[str, str | None],
    base_catalogue: Mapping[str, Any],
    head_catalogue: Mapping[str, Any],
) -> Selection:
    """The stacks `paths` change. `stacks`: every stack at head -> its stack file text."""
    sel = Selection(paths=sorted(set(paths)))
    clusters = [s for s in stacks if naming.parse_stack_name(s)[1] is not None]
    for path in sel.paths:
        if path.startswith("stacks/Pulumi.") and path.endswith(".yaml"):
            stack = path.removeprefix("stacks/Pulumi.").removesuffix(".yaml")
            if stack in stacks:
                sel.add(stack, path)
            else:
                sel.removed.append(stack)
        elif path == VERSIONS:
            _catalogue_changes(sel, stacks, clusters, base_catalogue, head_catalogue)
        elif path.startswith(PROGRAM) or path in PROGRAM:
            for stack in stacks:
                sel.add(stack, f"{path} (the program)")
    return sel


def _catalogue_changes(
    sel: Selection,
    stacks: Mapping[str, str | None],
    clusters: list[str],
    base: Mapping[str, Any],
    head: Mapping[str, Any],
) -> None:
    others = sorted(
        k for k in set(base) | set(head) if k != "RELEASES" and base.get(k) != head.get(k)
    )
    if others:
        for stack in clusters:
            sel.add(stack, f"{VERSIONS}: {', '.join(others)}")
        return
    old, new = base.get("RELEASES") or {}, head.get("RELEASES") or {}
    changed = {name for name in set(old) | set(new) if old.get(name) != new.get(name)}
    for stack in clusters:
        release = release_of(stacks[stack])
        if release in changed:
            sel.add(stack, f"{VERSIONS}: release {release} changed")


def changed_stacks(repo: Path, base: str, head: str = "HEAD") -> Selection:
    """`select` over `git diff --name-only base head` in `repo`."""
    paths = git(repo, "diff", "--name-only", base, head).split()
    names = git(repo, "ls-tree", "--name-only", head, "stacks/").split()
    stacks = {
        p.removeprefix("stacks/Pulumi.").removesuffix(".yaml"): show(repo, head, p)
        for p in names
        if p.startswith("stacks/Pulumi.") and p.endswith(".yaml")
    }
    touches_versions = VERSIONS in paths
    base_cat = catalogue(show(repo, base, VERSIONS)) if touches_versions else {}
    head_cat = catalogue(show(repo, head, VERSIONS)) if touches_versions else {}
    return select(paths, stacks, base_cat, head_cat)
