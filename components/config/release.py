"""`faas:release`: which entry of the release catalogue (components/versions.py) a colour runs.

The Kubernetes minor, the EKS add-ons, the charts and Knative all come from that entry, so a colour
changes versions only when its own stack file names another release. An unknown name, or a
release whose pieces do not belong together, is refused under this key.
"""

from __future__ import annotations

from components import versions
from components.config.reader import Problems, Reader

KEY = "release"


def read_release(top: Reader, problems: Problems) -> versions.Release:
    """The release the stack names; on a problem, a placeholder (the load then fails anyway)."""
    path = top.sub(KEY)
    name = top.str(KEY)
    placeholder = versions.Release(name=name or "", kubernetes="")
    if not name:
        return placeholder
    release = versions.RELEASES.get(name)
    if release is None:
        known = ", ".join(sorted(versions.RELEASES))
        problems.add(path, f"{name!r} is not a release in components/versions.py (known: {known})")
        return placeholder
    for problem in versions.release_problems(release):
        problems.add(path, f"release {name} is inconsistent: {problem}")
    return release
