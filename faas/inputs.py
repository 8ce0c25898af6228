"""Checks on command-line arguments, shared by every `faas` command.

Each check returns the problem in words, naming the argument (`--soak nan: ...`), or None; a
command collects them all, prints them as one paragraph and exits 2 before any side effect
(`faas.exitcodes`). Paths are checked without writing anything: a file that will be written must
not be a folder, and the nearest existing folder above it must be writable, so a run never does
its work and then fails at the last step for want of a place to put the result.
"""

from __future__ import annotations

import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from components.config import aws
from components.config.reader import shown
from faas import exitcodes

# A path is echoed whole unless absurd: it is what the operator typed and must find again.
MAX_PATH_SHOWN = 300
_LABEL_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$")
_IP_RE = re.compile(r"^[0-9a-fA-F:.]+$")


def _host_ok(host: str) -> bool:
    labels = host.rstrip(".").split(".")
    return bool(_IP_RE.match(host)) or (
        len(host) <= 253 and all(_LABEL_RE.match(label) for label in labels)
    )


def refuse(command: str, problems: Iterable[str], stream: TextIO | None = None) -> int:
    """Print the problems as one message and return the refused-input exit code."""
    items = list(problems)
    text = items[0] if len(items) == 1 else "\n  - ".join(["refused:", *items])
    (stream or sys.stderr).write(f"faas {command}: {text}\n")
    return exitcodes.REFUSED


def number(
    value: float | None, name: str, lo: float | None = None, hi: float | None = None
) -> str | None:
    """A finite number within [lo, hi] (either bound optional); None passes (not given)."""
    if value is None:
        return None
    if not math.isfinite(value):
        return f"{name} {value}: expected a finite number"
    if lo is not None and value < lo:
        return f"{name} {value:g}: must be at least {lo:g}"
    if hi is not None and value > hi:
        return f"{name} {value:g}: must be at most {hi:g}"
    return None


def region(value: str | None, name: str = "--region") -> str | None:
    if value is None:
        return None
    problem = aws.region_problem(value)
    return f"{name} {shown(value)} {problem}" if problem else None


def url(value: str, name: str) -> str | None:
    """An http(s) URL with a host (a probe target)."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return f"{name} {shown(value)}: not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return f"{name} {shown(value)}: expected an http(s)://host/... URL"
    if not _host_ok(host) or any(ch.isspace() or not ch.isprintable() for ch in value):
        return f"{name} {shown(value)}: {shown(host)} is not a host name"
    return None


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(".")


def _folder_problem(folder: Path, name: str, shown_path: str) -> str | None:
    """Whether files can be created under `folder` (which may not exist yet): tried for real with
    an anonymous temporary file in the nearest existing folder (deleted as it closes, so nothing
    is left behind), because permission bits say nothing to root or about /proc-like folders."""
    base = _nearest_existing(folder)
    if not base.is_dir():
        return f"{name} {shown_path}: {base} is a file, not a folder"
    try:
        with tempfile.TemporaryFile(dir=base):
            pass
    except OSError as exc:
        return f"{name} {shown_path}: cannot create files in {base} ({exc.strerror})"
    return None


def _path_check(
    value: str | Path | None,
    name: str,
    inspect: Callable[[Path, str], str | None],
    failed: str = "{}",
) -> str | None:
    """The frame every path check shares: no value is no problem, an empty one is named, and an
    error the file system raises while looking becomes a message (`failed` words it)."""
    if value is None:
        return None
    text = shown(str(value), plain=True, limit=MAX_PATH_SHOWN)
    if not str(value).strip():
        return f"{name}: the path is empty"
    try:
        return inspect(Path(value), text)
    except (OSError, ValueError) as exc:
        return f"{name} {text}: " + failed.format(getattr(exc, "strerror", None) or exc)


def writable_file(value: str | Path | None, name: str) -> str | None:
    """A file this run will create or overwrite."""

    def inspect(path: Path, text: str) -> str | None:
        if path.is_dir():
            return f"{name} {text}: is a folder, not a file"
        if path.is_file():
            with open(path, "ab"):  # appending nothing changes nothing, and proves we can write
                pass
            return None
        if path.exists():
            return None  # a device or pipe (/dev/stdout): opened when written
        return _folder_problem(path.parent, name, text)

    return _path_check(value, name, inspect, failed="cannot be written ({})")


def writable_folder(value: str | Path | None, name: str) -> str | None:
    """A folder this run will create (if missing) and write files into."""

    def inspect(path: Path, text: str) -> str | None:
        if path.exists() and not path.is_dir():
            return f"{name} {text}: is a file, not a folder"
        return _folder_problem(path, name, text)

    return _path_check(value, name, inspect)


def readable_file(value: str | Path | None, name: str) -> str | None:
    """An existing file to read."""

    def inspect(path: Path, text: str) -> str | None:
        if not path.exists():
            return f"{name} {text}: no such file"
        if path.is_dir():
            return f"{name} {text}: is a folder, not a file"
        if not os.access(path, os.R_OK):
            return f"{name} {text}: is not readable"
        return None

    return _path_check(value, name, inspect)


def folder(value: str | Path | None, name: str) -> str | None:
    """An existing folder to read from."""

    def inspect(path: Path, text: str) -> str | None:
        if not path.exists():
            return f"{name} {text}: no such folder"
        if not path.is_dir():
            return f"{name} {text}: is a file, not a folder"
        return None

    return _path_check(value, name, inspect)
