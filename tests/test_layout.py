"""The shape of the code (docs/design.md): documented packages, modules readable in one sitting,
layers that import downwards only, no import loop, no `sys.path` edits, no citations a reader of
the repository cannot follow."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("components", "faas", "policies")
MAX_LINES = 400


def tracked(pattern: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", pattern],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [ROOT / line for line in out.split() if (ROOT / line).exists()]


def modules() -> dict[str, Path]:
    found = {}
    for path in tracked("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in PACKAGES:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules `name` imports at module level (function-level imports are deferred)."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in tree.body:
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` depends on pkg.sub; `from mod import name` on mod.
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def graph() -> nx.DiGraph:
    mods = modules()
    g = nx.DiGraph()
    for name, path in mods.items():
        g.add_node(name)
        for target in imports(name, path, set(mods)):
            # A package's __init__ re-exporting its own submodules is not a dependency loop.
            if not target.startswith(name + "."):
                g.add_edge(name, target)
    return g


def test_every_package_says_what_it_owns():
    for path in tracked("*/__init__.py"):
        if path.relative_to(ROOT).parts[0] in PACKAGES:
            doc = ast.get_docstring(ast.parse(path.read_text()))
            assert doc and len(doc) > 40, f"{path.relative_to(ROOT)} has no opening docstring"


def test_modules_are_readable_in_one_sitting():
    long = {
        str(p.relative_to(ROOT)): n
        for p in modules().values()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_import_loop():
    cycles = [c for c in nx.simple_cycles(graph()) if len(c) > 1]
    assert not cycles, cycles


def test_layers_import_downwards_only():
    for src, dst in graph().edges:
        if src.startswith("components"):
            assert not dst.startswith(("faas", "policies")), (src, dst)
        if src.startswith("policies"):
            assert not dst.startswith("faas"), (src, dst)
            if dst.startswith("components"):
                assert dst in ("components.naming", "components.constants"), (src, dst)


def test_the_import_checker_sees_a_loop_when_there_is_one(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from components.naming import x\n")
    b.write_text("import components.constants\n")
    known = {"components.naming", "components.constants"}
    assert imports("components.constants", a, known) == {"components.naming"}
    assert imports("components.naming", b, known) == {"components.constants"}


def test_nothing_edits_sys_path():
    offenders = [
        str(p.relative_to(ROOT))
        for p in tracked("*.py")
        if re.search(r"sys\.path\.(insert|append)|sys\.path\s*=", p.read_text())
        and p.name != "test_layout.py"
    ]
    assert not offenders, offenders


# What a reader of a clone cannot follow: the house's files outside the repository, machine paths,
# numbered rules and issues of another tracker.
OUTSIDE = re.compile(
    r"\b(issue|DESIGN rule) ?#?\d+|shared/(reference|upstream)|(?-i:DESIGN\.md)|design notes"
    r"|faas_tools|/work/|\.\./shared",
    re.I,
)
TEXT = ("*.py", "*.md", "*.yml", "*.yaml", "*.json", "*.svg", "*.html", "*.sh", "*.toml", "*.cfg")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def text_files() -> list[Path]:
    # contracts/ holds upstream files verbatim (their own paths are not our citations).
    return [
        p
        for pattern in TEXT
        for p in tracked(pattern)
        if p.relative_to(ROOT).parts[0] != "contracts" and p.name != "test_layout.py"
    ]


def test_no_file_cites_a_path_outside_the_repository():
    offenders = []
    for p in text_files():
        for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line) and "github.com" not in line:
                offenders.append(f"{p.relative_to(ROOT)}:{i}: {line.strip()[:80]}")
    assert not offenders, offenders


def test_markdown_links_resolve_inside_the_repository():
    broken = []
    for p in tracked("*.md"):
        if p.relative_to(ROOT).parts[0] == "contracts":
            continue
        for i, line in enumerate(p.read_text().splitlines(), 1):
            for target in MD_LINK.findall(line):
                if re.match(r"[a-z]+:|#", target):
                    continue
                path = (p.parent / target.split("#")[0]).resolve()
                if not path.is_relative_to(ROOT) or not path.exists():
                    broken.append(f"{p.relative_to(ROOT)}:{i}: {target}")
    assert not broken, broken


def test_the_citation_check_catches_what_it_is_for():
    for bad in ("shared/reference/x.md", "/work/shared/DESIGN.md", "DESIGN rule 3", "issue #12"):
        assert OUTSIDE.search(bad), bad
    assert not OUTSIDE.search("docs/sources/dns-cutover.md")
