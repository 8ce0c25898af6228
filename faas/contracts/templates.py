"""Which value paths a Helm chart's templates read, derived from the template text.

This is a small reader of Go-template *actions* (not a renderer): it follows `.Values` paths, the
dot inside `with`/`range` blocks, variables bound to value paths and helpers called through
`include`/`template`, and sorts every read into

- ``values_refs``: dotted paths read as such (``.Values.a.b`` reads ``a.b``);
- ``whole_subtree``: paths handed on whole (``toYaml``, ``tpl``, ``merge``, ``dict`` ...), so any
  key beneath them reaches the output;
- ``range_targets``: paths a ``range`` walks (a map's keys are then data, not value names);
- ``list_item_keys``: for lists whose items are read key by key, the keys read.

It over-approximates where it cannot follow (an unresolvable ``with`` marks its paths whole), so a
value it reports unread is really unread. The rules are documented in docs/contracts.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
COMMENT = re.compile(r"^/\*.*\*/$", re.S)
STRING = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# `.Values.a.b`, `$.Values.a`, `$root.Values.a` (the variable is the root context).
VALUES = re.compile(rf"(?<![\w)\]])(?:\$\w*)?\.Values((?:\.{IDENT})*)")
INDEX = re.compile(
    rf"\b(index|get|hasKey)\s+\(?\s*((?:\$\w*)?\.Values(?:\.{IDENT})*)\s*\)?((?:\s+\"[^\"]*\")+)"
)
DIG = re.compile(rf"\bdig\s+((?:\"[^\"]*\"\s+)+)\S+\s+((?:\$\w*)?\.Values(?:\.{IDENT})*)")
RELATIVE = re.compile(rf"(?<![\w$)\]\"'])\.({IDENT}(?:\.{IDENT})*)")
VARREF = re.compile(rf"(\$[A-Za-z_]\w*)((?:\.{IDENT})*)")
BARE_DOT = re.compile(r"(?:^|(?<=[\s(|,]))\.(?=$|[\s)|,])")
INCLUDE = re.compile(r"\b(?:include|template)\s+\"([^\"]+)\"\s+(\(?[^\s)]+\)?)")
ASSIGN = re.compile(r"^(\$[A-Za-z_]\w*)\s*:?=\s*(.*)$", re.S)
RANGE_VARS = re.compile(r"^range\s+(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:?=\s*)?(.*)$", re.S)
PAREN_FIELD = re.compile(r"\)+(?=\.[A-Za-z_])")
DYNAMIC_INDEX = re.compile(r"\b(?:index|get)\s+(\(?[^\s()]+\)?)\s+(?:\$\w+|\.[\w.]+)")
PICK = re.compile(r"\b(?:pick|omit)\s+(\(?[^\s()]+\)?)((?:\s+\"[^\"]*\")+)")
BUILTIN_FIELDS = {"Values", "Release", "Chart", "Capabilities", "Template", "Files", "Subcharts"}
# Functions that pass their argument on as a whole (its keys reach the output or another chart).
WHOLE_FUNCS = re.compile(
    r"(?<![.\w$])(toYaml|toJson|toPrettyJson|toRawJson|tpl|merge|mergeOverwrite|mustMerge|"
    r"mustMergeOverwrite|deepCopy|mustDeepCopy|dict|list|append|concat|pick|omit|keys|values|"
    r"set|unset|fromYaml|coalesce|include|template)\b"
)


@dataclass
class Refs:
    values_refs: set[str] = field(default_factory=set)
    whole_subtree: set[str] = field(default_factory=set)
    range_targets: set[str] = field(default_factory=set)
    items: dict[str, set[str]] = field(default_factory=dict)
    whole_items: set[str] = field(default_factory=set)

    def as_json(self) -> dict[str, object]:
        item_keys = {
            p: sorted(k) for p, k in sorted(self.items.items()) if p not in self.whole_items
        }
        return {
            "values_refs": sorted(self.values_refs),
            "whole_subtree": sorted(self.whole_subtree | self.whole_items),
            "range_targets": sorted(self.range_targets),
            "list_item_keys": item_keys,
        }


@dataclass
class Node:
    kind: str  # "action" or a block keyword: if, with, range, define, block
    text: str
    body: list[Node] = field(default_factory=list)
    orelse: list[Node] = field(default_factory=list)


def parse(text: str) -> list[Node]:
    """The tree of actions and blocks of one template file (comments dropped)."""
    root: list[Node] = []
    stack: list[tuple[Node, list[Node]]] = []
    current = root
    for match in ACTION.finditer(text):
        action = match.group(1).strip()
        if not action or COMMENT.match(action):
            continue
        word = action.split(None, 1)[0]
        if word in ("if", "with", "range", "define", "block"):
            node = Node(word, action)
            current.append(node)
            stack.append((node, current))
            current = node.body
        elif word == "else" and stack:
            node = stack[-1][0]
            current = node.orelse
            rest = action[4:].strip()
            if rest:  # `else if X` / `else with X`: a header read in the outer context
                current.append(Node("action", rest))
        elif word == "end" and stack:
            _, current = stack.pop()
        else:
            current.append(Node("action", action))
    return root


# A context is what the dot (or a variable) stands for: ("values", path), ("item", path) for an
# item of the list at path, ("root",) for the chart's top-level context, or ("unknown",).
Ctx = tuple


class Walker:
    def __init__(self, defines: dict[str, list[Node]]) -> None:
        self.defines = defines
        self.refs = Refs()
        self._seen: set[tuple[str, Ctx]] = set()

    # -- recording -------------------------------------------------------------------------
    def read(self, ctx: Ctx, rel: str, whole: bool) -> None:
        if ctx[0] == "values":
            path = ".".join(p for p in (ctx[1], rel) if p)
            if not path:
                return  # the root passed on whole (a checksum, a profile merge): not a read
            self.refs.values_refs.add(path)
            if whole:
                self.refs.whole_subtree.add(path)
        elif ctx[0] == "item":
            if rel:
                self.refs.items.setdefault(ctx[1], set()).add(rel.split(".")[0])
            if whole and not rel:
                self.refs.whole_items.add(ctx[1])

    # -- expressions -----------------------------------------------------------------------
    def resolve(self, expr: str, dot: Ctx, env: dict[str, Ctx]) -> Ctx | None:
        """The context of a simple path expression, or None if it is not one."""
        expr = expr.strip().strip("()").strip()
        m = re.fullmatch(rf"(?:\$\w*)?\.Values((?:\.{IDENT})*)", expr)
        if m:
            return ("values", m.group(1)[1:])
        if expr == "$":
            return env.get("$", ("root",))
        if expr == ".":
            return dot
        m = re.fullmatch(rf"(\$[A-Za-z_]\w*)((?:\.{IDENT})*)", expr)
        if m and m.group(1) in env:
            return self.child(env[m.group(1)], m.group(2)[1:])
        m = re.fullmatch(rf"\.({IDENT}(?:\.{IDENT})*)", expr)
        if m and m.group(1).split(".")[0] not in BUILTIN_FIELDS:
            return self.child(dot, m.group(1))
        return None

    def child(self, ctx: Ctx, rel: str) -> Ctx:
        if not rel:
            return ctx
        if ctx[0] == "values":
            return ("values", ".".join(p for p in (ctx[1], rel) if p))
        if ctx[0] == "item":
            self.read(ctx, rel, False)
        return ("unknown",)

    def expression(self, text: str, dot: Ctx, env: dict[str, Ctx]) -> None:
        # `((.Values.a).b).c` is `.Values.a.b.c` read defensively: drop the closing parentheses.
        text = PAREN_FIELD.sub("", text)
        for m in PICK.finditer(text):  # `pick .Values "cni" "env"` hands those keys on whole
            target = self.resolve(m.group(1), dot, env)
            if target is not None:
                for key in re.findall(r'"([^"]*)"', m.group(2)):
                    self.read(target, key, True)
        for m in DYNAMIC_INDEX.finditer(text):  # a computed key: the whole map is read
            target = self.resolve(m.group(1), dot, env)
            if target is not None:
                self.read(target, "", True)
        followed = text
        for m in INCLUDE.finditer(text):
            target = self.resolve(m.group(2), dot, env)
            if (
                target is not None
                and target[0] in ("values", "item")
                and m.group(1) in self.defines
            ):
                # A helper given a value path reads what its body reads from its dot.
                self.read(target, "", False)
                self.walk_define(m.group(1), target)
                followed = followed.replace(m.group(0), '""')
        whole = bool(WHOLE_FUNCS.search(STRING.sub('""', followed)))
        for m in INDEX.finditer(text):
            keys = re.findall(r'"([^"]*)"', m.group(3))
            self.read(("values", ""), _join(m.group(2), keys), whole)
        for m in DIG.finditer(text):
            keys = re.findall(r'"([^"]*)"', m.group(1))
            self.read(("values", ""), _join(m.group(2), keys), whole)
        bare = STRING.sub('""', followed)
        for m in VALUES.finditer(bare):
            self.read(("values", ""), m.group(1)[1:], whole)
        for m in RELATIVE.finditer(bare):
            if m.group(1).split(".")[0] not in BUILTIN_FIELDS:
                self.read(dot, m.group(1), whole)
        for m in VARREF.finditer(bare):
            if m.group(1) in env:
                self.read(env[m.group(1)], m.group(2)[1:], whole)
        if whole and BARE_DOT.search(bare):
            self.read(dot, "", True)

    # -- blocks ----------------------------------------------------------------------------
    def walk(self, nodes: list[Node], dot: Ctx, env: dict[str, Ctx]) -> None:
        env = dict(env)
        for node in nodes:
            if node.kind == "action":
                m = ASSIGN.match(node.text)
                if m:
                    target = self.resolve(m.group(2), dot, env)
                    if target is not None:
                        env[m.group(1)] = target
                        continue
                self.expression(node.text, dot, env)
            elif node.kind == "define":
                continue
            elif node.kind == "if":
                self.expression(node.text[2:], dot, env)
                self.walk(node.body, dot, env)
                self.walk(node.orelse, dot, env)
            elif node.kind == "with":
                head = node.text[4:].strip()
                target = self.resolve(head, dot, env)
                if target is None:
                    self.expression(head, dot, env)
                    self.expression("toYaml " + head, dot, env)  # unresolvable: its paths are whole
                    target = ("unknown",)
                elif target[0] == "values":
                    self.read(target, "", False)
                self.walk(node.body, target, env)
                self.walk(node.orelse, dot, env)
            elif node.kind in ("range", "block"):
                self.walk_range(node, dot, env)

    def walk_range(self, node: Node, dot: Ctx, env: dict[str, Ctx]) -> None:
        m = RANGE_VARS.match(node.text)
        key_var, val_var, head = (m.group(1), m.group(2), m.group(3)) if m else (None, None, "")
        if val_var is None:
            key_var, val_var = None, key_var
        target = self.resolve(head, dot, env)
        inner_env = dict(env)
        if target is not None and target[0] == "values" and target[1]:
            self.read(target, "", False)
            self.refs.range_targets.add(target[1])
            item: Ctx = ("item", target[1])
            self.refs.items.setdefault(target[1], set())
        else:
            self.expression(head, dot, env)
            self.expression("toYaml " + head, dot, env)
            item = ("unknown",)
        if val_var:
            inner_env[val_var] = item
        if key_var:
            inner_env[key_var] = ("unknown",)
        self.walk(node.body, item, inner_env)
        self.walk(node.orelse, dot, env)

    def walk_define(self, name: str, dot: Ctx) -> None:
        if (name, dot) in self._seen or len(self._seen) > 2000:
            return
        self._seen.add((name, dot))
        self.walk(self.defines[name], dot, {"$": dot})  # `$` in a template is its argument


def _join(values_expr: str, keys: list[str]) -> str:
    base = values_expr.split(".Values", 1)[1].lstrip(".")
    return ".".join(p for p in (base, *keys) if p)


def collect_defines(trees: list[list[Node]]) -> dict[str, list[Node]]:
    found: dict[str, list[Node]] = {}

    def visit(nodes: list[Node]) -> None:
        for node in nodes:
            if node.kind == "define":
                m = re.match(r'define\s+"([^"]+)"', node.text)
                if m:
                    found[m.group(1)] = node.body
            visit(node.body)
            visit(node.orelse)

    for tree in trees:
        visit(tree)
    return found


def derive_refs(templates: dict[str, str], prefix: str = "") -> Refs:
    """Derive the reads of a chart from its template files (name -> text).

    `prefix` prefixes every path (a chart's local subchart under `charts/<name>` reads its values
    from `<name>.` in the parent's values).
    """
    trees = [parse(text) for text in templates.values()]
    walker = Walker(collect_defines(trees))
    for tree in trees:
        walker.walk(tree, ("root",), {})
    for name in walker.defines:  # helpers read `.Values` whatever dot they are given
        walker.walk_define(name, ("root",))
    refs = walker.refs
    if prefix:
        refs = Refs(
            {f"{prefix}.{p}" for p in refs.values_refs},
            {f"{prefix}.{p}" for p in refs.whole_subtree},
            {f"{prefix}.{p}" for p in refs.range_targets},
            {f"{prefix}.{p}": k for p, k in refs.items.items()},
            {f"{prefix}.{p}" for p in refs.whole_items},
        )
    return refs
