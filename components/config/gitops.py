"""`faas:serving.teams[].source`: where a team's functions live in Git, and the rule that both
colours of an environment sync the same sources.

Flux (components/gitops/) turns each source into a `GitRepository` and a `Kustomization` in the
team's namespace. The revision is a branch, a full ref (`refs/tags/v1.4.0`) or a 40-hex commit,
mapped onto the GitRepository's `spec.ref` fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.config.reader import Problems, Reader

KEYS = {"url", "path", "revision", "secretName"}
_URL_RE = re.compile(r"^(https|ssh)://[^\s/]+/\S+$")
_PATH_RE = re.compile(r"^[A-Za-z0-9._/-]+$")
_SHA_RE = re.compile(r"^[0-9a-f]{40}$")
# git check-ref-format, simplified: no spaces, no `..`, no `~^:?*[\`, no leading `-` or `/`.
_REF_RE = re.compile(r"^(?!-|/)(?!.*\.\.)[^\s~^:?*\[\\]+(?<![/.])$")
_SECRET_RE = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")


@dataclass(frozen=True)
class SourceConfig:
    url: str
    """https:// or ssh:// URL of the team's repository (no credentials in it)."""
    path: str
    """Folder in the repository holding the team's manifests (a kustomization or plain YAML)."""
    revision: str
    """Branch (default `main`), full ref such as `refs/tags/v1.4.0`, or a 40-hex commit."""
    secret_name: str
    """Secret in the team's namespace with the Git credentials; empty for a public repository."""

    def git_ref(self) -> dict[str, str]:
        """The GitRepository `spec.ref` for `revision`."""
        if _SHA_RE.match(self.revision):
            return {"commit": self.revision}
        if self.revision.startswith("refs/"):
            return {"name": self.revision}
        return {"branch": self.revision}


def read_source(raw: Any, path: str, problems: Problems) -> SourceConfig | None:
    """The team's source, or None when the team has none (its functions are not synced)."""
    if raw is None:
        return None
    r = Reader(raw, path, problems, KEYS)
    url = r.str("url")
    if url and not _URL_RE.match(url):
        problems.add(r.sub("url"), f"{url!r} is not an https:// or ssh:// repository URL")
    elif url.startswith("https://") and "@" in url.split("/", 3)[2]:
        problems.add(
            r.sub("url"),
            "holds credentials; put them in a Secret in the team's namespace and name it in "
            "secretName",
        )
    folder = r.str("path", ".")
    if folder and (
        not _PATH_RE.match(folder) or folder.startswith("/") or ".." in folder.split("/")
    ):
        problems.add(r.sub("path"), f"{folder!r} is not a relative path inside the repository")
    revision = r.str("revision", "main")
    if revision and not (_SHA_RE.match(revision) or _REF_RE.match(revision)):
        problems.add(r.sub("revision"), f"{revision!r} is not a branch, ref or commit")
    secret = r.str("secretName", "")
    if secret and not _SECRET_RE.match(secret):
        problems.add(r.sub("secretName"), f"{secret!r} is not a Kubernetes object name")
    return SourceConfig(url=url, path=folder, revision=revision, secret_name=secret)


def _key(raw: Any) -> tuple[str, str, str, str] | None:
    if not isinstance(raw, Mapping):
        return None
    return (
        str(raw.get("url", "")),
        str(raw.get("path", ".")),
        str(raw.get("revision", "main")),
        str(raw.get("secretName", "")),
    )


def check_same_sources(
    teams: Any, sibling: Mapping[str, Any] | None, problems: Problems, path: str
) -> None:
    """Both colours must sync the same team sources, or a cutover drops functions.

    `teams`: this colour's `TeamConfig`s; `sibling`: the other colour's flat config (None when
    unknown, e.g. a lone stack file).
    """
    if not sibling:
        return
    serving = sibling.get("faas:serving")
    if isinstance(serving, str):
        try:
            serving = json.loads(serving)
        except ValueError:
            return
    other_teams = serving.get("teams") if isinstance(serving, Mapping) else None
    if not isinstance(other_teams, list):
        other_teams = []
    theirs = {t.get("name"): _key(t.get("source")) for t in other_teams if isinstance(t, Mapping)}
    for i, team in enumerate(teams):
        if team.source is None and theirs.get(team.name) is None:
            continue
        mine = None
        if team.source is not None:
            s = team.source
            mine = (s.url, s.path, s.revision, s.secret_name)
        where = f"{path}[{i}].source"
        if team.name not in theirs:
            problems.add(
                where,
                f"team {team.name!r} syncs functions here but is not on the other colour; "
                "add it to both colours' stack files",
            )
        elif mine != theirs[team.name]:
            problems.add(
                where,
                f"differs from the other colour's source for team {team.name!r}; both colours "
                "must sync the same repository, path and revision, or a cutover changes "
                "functions",
            )
