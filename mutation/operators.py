"""The mutation operators: single edits to one place of a module's source.

Every mutant is one AST node replaced by its mutated form, spliced back into the file's text at
the node's own position, so the rest of the file stays byte for byte as it was and the diff shows
exactly one edit. The operators are the ones that make a check silently lenient or a recovery
path silently absent:

  compare      flipped comparison (`==`/`!=`, `in`/`not in`, `is`/`is not`, `<`/`>=`, ...)
  boundary     off by one in a comparison (`<`/`<=`, `>`/`>=`) or an integer constant (n -> n+1)
  boolop       `and` <-> `or`
  negate       a condition negated (`if c` -> `if not c`) or its `not` dropped
  constant     `True` <-> `False`
  drop-call    a statement that is only a call, removed (`pass`)
  drop-raise   a `raise`, removed (`pass`)
  drop-yield   a `yield` statement (a rule's finding), removed (`pass`)

Integer constants are mutated only where they are bounds: an operand of a comparison, or the
value of a module-level UPPER_CASE constant.

Skipped on purpose: docstrings and other strings, annotations, `if TYPE_CHECKING:` blocks and
anything inside an f-string (Python 3.11 does not give its parts reliable positions; a statement
that holds one is still mutated as a whole).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

OPERATORS = (
    "compare", "boundary", "boolop", "negate", "constant", "drop-call", "drop-raise", "drop-yield"
)  # fmt: skip

_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
}
_BOUNDARY: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
}


@dataclass(frozen=True)
class Mutant:
    """One edit: replace source[start:end] (character offsets) with `after`."""

    path: str  # relative to the repository root
    line: int
    col: int
    operator: str
    before: str  # the source segment replaced
    after: str  # what replaces it
    start: int
    end: int
    line_text: str  # the stripped first source line of the node (for equivalents and reports)
    occurrence: int = 0  # the same edit on an identical line earlier in the file: 1, 2, ...

    @property
    def id(self) -> str:
        """Stable while the line's text and the edit stay the same (not the line number)."""
        key = f"{self.path}\0{self.line_text}\0{self.operator}\0{self.before}\0{self.after}"
        if self.occurrence:
            key += f"\0{self.occurrence}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:8]
        return f"{self.path}:{self.line}:{self.operator}:{digest}"

    def apply(self, source: str) -> str:
        return source[: self.start] + self.after + source[self.end :]

    def diff(self, source: str) -> str:
        import difflib

        new = self.apply(source)
        lines = difflib.unified_diff(
            source.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{self.path}",
            tofile=f"b/{self.path}",
            n=1,
        )
        return "".join(lines)


def _offsets(source: str) -> list[int]:
    """Character offset of the start of each line (1-based line numbers index it with -1)."""
    out, pos = [], 0
    for line in source.splitlines(keepends=True):
        out.append(pos)
        pos += len(line)
    out.append(pos)
    return out


def _skipped_ranges(tree: ast.AST) -> list[tuple[int, int]]:
    """Line ranges never mutated: docstrings, TYPE_CHECKING blocks."""
    out: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.append((node.lineno, node.end_lineno or node.lineno))
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            first = body[0].value
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.append((body[0].lineno, body[0].end_lineno or body[0].lineno))
    return out


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside an annotation (never executed) or inside an f-string (whose
    parts Python 3.11 gives no reliable positions; the statement around it is still mutated)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found.update(id(n) for n in ast.walk(node) if n is not node)
        anns = []
        if (
            isinstance(node, ast.AnnAssign)
            or isinstance(node, ast.arg)
            and node.annotation is not None
        ):
            anns.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            anns.append(node.returns)
        for ann in anns:
            found.update(id(n) for n in ast.walk(ann))
    return found


def _bounds(tree: ast.Module) -> set[int]:
    """ids of the integer constants that are bounds (see the module docstring)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                found.update(id(n) for n in ast.walk(operand) if isinstance(n, ast.Constant))
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        if any(isinstance(t, ast.Name) and t.id.isupper() for t in targets) and stmt.value:
            found.update(id(n) for n in ast.walk(stmt.value) if isinstance(n, ast.Constant))
    return found


def _edits(node: ast.AST, bounds: set[int]) -> Iterator[tuple[str, ast.AST | str]]:
    """(operator, replacement node or text) for one node."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for operator, table in (("compare", _FLIP), ("boundary", _BOUNDARY)):
                new_op = table.get(type(op))
                if new_op is not None:
                    ops = list(node.ops)
                    ops[i] = new_op()
                    yield operator, ast.Compare(node.left, ops, node.comparators)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolop", ast.BoolOp(other, node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "negate", node.operand
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        yield "constant", ast.Constant(not node.value)
    elif isinstance(node, ast.Constant) and type(node.value) is int and id(node) in bounds:
        yield "boundary", ast.Constant(node.value + 1)
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call | ast.Await):
        yield "drop-call", "pass"
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Yield | ast.YieldFrom):
        yield "drop-yield", "pass"
    elif isinstance(node, ast.Raise):
        yield "drop-raise", "pass"


def _conditions(tree: ast.AST) -> set[int]:
    """ids of the tests of if/while/ternary/assert/comprehension filters: negated as a whole."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            found.add(id(node.test))
        elif isinstance(node, ast.comprehension):
            found.update(id(c) for c in node.ifs)
    return found


def _negated_otherwise(node: ast.AST) -> bool:
    """A `not c` loses its `not`, and a single flippable comparison is flipped: negating either
    once more would only repeat that mutant."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return True
    return isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _FLIP


def _render(node: ast.AST | str, is_stmt: bool) -> str:
    if isinstance(node, str):
        return node
    text = ast.unparse(node)
    return text if is_stmt else f"({text})"


def mutants(path: str, source: str, functions: tuple[str, ...] = ()) -> list[Mutant]:
    """Every mutant of `source` (the file at `path`); only inside the named top-level functions
    (or methods, `Class.method`) when `functions` is given."""
    tree = ast.parse(source)
    offsets = _offsets(source)
    skipped = _skipped_ranges(tree)
    in_annotation = _annotation_nodes(tree)
    conditions = _conditions(tree)
    bounds = _bounds(tree)
    lines = source.splitlines()

    roots: list[ast.AST] = [tree]
    if functions:
        roots = []
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in functions:
                roots.append(node)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (
                        isinstance(item, ast.FunctionDef)
                        and f"{node.name}.{item.name}" in functions
                    ):
                        roots.append(item)

    out: list[Mutant] = []
    seen: set[tuple[int, int, str, str]] = set()
    for root in roots:
        for node in ast.walk(root):
            if not hasattr(node, "lineno") or id(node) in in_annotation:
                continue
            line, end_line = node.lineno, node.end_lineno or node.lineno
            if any(lo <= line <= hi for lo, hi in skipped):
                continue
            start = offsets[line - 1] + _char_col(lines[line - 1], node.col_offset)
            end = offsets[end_line - 1] + _char_col(lines[end_line - 1], node.end_col_offset or 0)
            before = source[start:end]
            is_stmt = isinstance(node, ast.stmt)
            edits = list(_edits(node, bounds))
            if id(node) in conditions and not _negated_otherwise(node):
                edits.append(("negate", ast.UnaryOp(ast.Not(), node)))
            for operator, replacement in edits:
                after = _render(replacement, is_stmt)
                key = (start, end, operator, after)
                if key in seen or after == before:
                    continue
                seen.add(key)
                mutated = source[:start] + after + source[end:]
                try:
                    compile(mutated, path, "exec", dont_inherit=True)
                except SyntaxError:
                    continue
                out.append(
                    Mutant(
                        path=path,
                        line=line,
                        col=node.col_offset,
                        operator=operator,
                        before=before,
                        after=after,
                        start=start,
                        end=end,
                        line_text=lines[line - 1].strip(),
                    )
                )
    out.sort(key=lambda m: (m.start, m.operator, m.after))
    seen_ids: dict[str, int] = {}
    for i, m in enumerate(out):
        key = m.id.rsplit(":", 1)[1]  # the hash: the same edit on an identical line
        n = seen_ids.get(key, 0)
        seen_ids[key] = n + 1
        if n:
            out[i] = dataclasses.replace(m, occurrence=n)
    return out


def _char_col(line: str, byte_col: int) -> int:
    """ast columns are UTF-8 byte offsets; the splice works on characters."""
    return len(line.encode()[:byte_col].decode(errors="ignore"))
