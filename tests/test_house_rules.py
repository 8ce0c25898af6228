"""The rules of the house (docs/design.md), checked on the code and the plan of every stack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from faas.plan import stack_names
from tests.support.plans import plan

COMPONENTS = Path(__file__).resolve().parent.parent / "components"


def component_classes():
    for path in sorted(COMPONENTS.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(b).endswith("ComponentResource") for b in node.bases
            ):
                yield path.relative_to(COMPONENTS.parent), node


CLASSES = list(component_classes())


def test_there_are_components():
    assert len(CLASSES) >= 20


@pytest.mark.parametrize(("path", "cls"), CLASSES, ids=[c.name for _, c in CLASSES])
def test_component_shape(path, cls):
    init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    params = [a.arg for a in init.args.args]
    assert params == ["self", "name", "args", "opts"], f"{path}:{cls.name} signature {params}"
    assert [ast.unparse(d) for d in init.args.defaults] == ["None"], f"{path}:{cls.name} opts"
    first = init.body[0]
    assert "super().__init__" in ast.unparse(first), f"{path}:{cls.name} first statement"
    token = first.value.args[0].value  # type: ignore[attr-defined]
    assert token.startswith("faas:") and token.count(":") == 2, f"{path}:{cls.name} {token}"
    # register_outputs is the last thing the constructor does.
    last = ast.unparse(init.body[-1])
    assert last.startswith("self.register_outputs("), f"{path}:{cls.name} ends with {last!r}"


@pytest.mark.parametrize("stack", stack_names())
def test_every_resource_belongs_to_a_component(stack):
    """parent=self everywhere: no resource hangs off the stack root except top-level components
    and the providers' bookkeeping."""
    doc = plan(stack)
    types = {s["urn"]: s["newState"]["type"] for s in doc["steps"]}
    for step in doc["steps"]:
        state = step["newState"]
        if state["type"].startswith("faas:"):
            continue
        parent_type = types.get(state["parent"], "pulumi:pulumi:Stack")
        assert parent_type.startswith("faas:"), f"{state['urn']} has parent {state['parent']}"


@pytest.mark.parametrize("stack", [s for s in stack_names() if "-" in s])
def test_physical_names_carry_the_stack_prefix(stack):
    """Names come from components/naming.py: every logical name starts with faas-<env>-<color>,
    except the Helm releases, whose names are the charts' conventional release names."""
    prefix = f"faas-{stack}"
    doc = plan(stack)
    for step in doc["steps"]:
        state = step["newState"]
        name = state["urn"].rsplit("::", 1)[-1]
        if state["type"] == "kubernetes:helm.sh/v3:Release":
            continue
        assert name.startswith(prefix), f"{state['type']} {name}"
