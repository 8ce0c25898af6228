"""The offline plan: the real program, a stack file, Pulumi's mock monitor, a preview document.

`run_plan("dev-blue")` validates the stack file, runs `components.platform.main` under the mock
monitor and returns a document shaped like `pulumi preview --json` (docs/plan-format.md).
Environment stacks read their colours through StackReferences; offline, those are answered with
the colour stacks' own offline exports, so `dev` plans the records of both colours.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components import naming
from components.config import ConfigError, load
from components.config.stackfile import (
    StackFileError,
    colour_configs,
    path_of,
    read_stack_file,
    sibling_config,
    stacks_dir,
)
from components.config.stackfile import stack_names as _stack_names

if TYPE_CHECKING:
    from faas.plan.engine import Registration, Run


class StackNotFound(Exception):
    pass


def stack_names(where: Path | None = None) -> list[str]:
    return _stack_names(where)


def validate(stack: str, where: Path | None = None) -> dict[str, Any]:
    """The stack file's config, or `ConfigError` with every problem (before anything runs);
    `StackFileError` for a file that is not a stack file, `StackNotFound` for none.

    A colour stack also reads the other colour's file (the VPC ranges must not overlap); an
    environment stack is planned with its colours' offline exports, so their files must be valid
    too: a broken one is reported here, naming it, and never surfaces mid-plan.
    """
    folder = where or stacks_dir()
    env, color = naming.parse_stack_name(stack)
    if not naming.valid_environment(env):
        raise StackNotFound(
            f"{stack[:60]!r} is not a stack name (<env> or <env>-blue/-green, env 2-12 lowercase "
            "letters/digits)"
        )
    raw = read_stack_file(stack, folder)
    if raw is None:
        raise StackNotFound(f"no stack file {folder / f'Pulumi.{stack}.yaml'}")
    try:
        sibling = sibling_config(stack, folder)
    except StackFileError as exc:
        raise StackFileError(
            exc.path, f"{exc.problem} (read to check {stack}'s VPC range against it)"
        ) from None
    if color is None:
        for c in naming.COLORS:
            colour = naming.stack_name(env, c)
            try:
                if read_stack_file(colour, folder) is not None:
                    validate(colour, folder)
            except StackFileError as exc:
                raise StackFileError(
                    exc.path, f"{exc.problem} ({stack} is planned with {colour}'s exports)"
                ) from None
            except ConfigError as exc:
                why = f"{stack} is planned with its offline exports"
                raise ConfigError(colour, exc.problems, why) from None
    # The colours' files are valid by now; the environment reads their teams (the registry).
    load(stack, raw, sibling, colour_configs(stack, folder))
    return raw


def run(stack: str, where: Path | None = None, reuse: bool = False) -> Run:
    """The program's run for `stack`. Runs are kept (a few, keyed by the bytes of the
    environment's stack files, so an edited file is planned anew); `reuse` takes a kept one:
    an environment stack's plan reads its colours' exports that way (as it always did), and
    within `keep_runs` (one `faas plan`) a colour planned for those exports is not run again
    for its own document. Outside it a document comes from a run of its own, so a caller that
    changes the program's state between plans (a test patching a module) sees the change."""
    folder = where or stacks_dir()
    key = (stack, str(folder), _fingerprint(stack, folder))
    hit = _RUNS.pop(key, None) if reuse else None
    if hit is None:
        hit = _run(stack, folder)
    _RUNS[key] = hit  # most recent last
    while len(_RUNS) > _KEEP_RUNS:
        del _RUNS[next(iter(_RUNS))]
    return hit


@contextmanager
def keep_runs() -> Iterator[None]:
    """Documents planned inside reuse the runs already made (`run`)."""
    _REUSE.append(True)
    try:
        yield
    finally:
        _REUSE.pop()


def seed(stack: str, outputs: dict[str, Any], where: Path | None = None) -> None:
    """Record `stack`'s exports, computed by another process (`faas plan` plans colours in
    parallel, then their environments with these), as its own run would have."""
    folder = where or stacks_dir()
    _OUTPUTS[(stack, str(folder), _fingerprint(stack, folder))] = dict(outputs)


_KEEP_RUNS = 6  # an environment and its colours, twice (`--all` over dev and prod)
_RUNS: dict[tuple[str, str, bytes], Run] = {}
_REUSE: list[bool] = []  # non-empty inside `keep_runs`
_OUTPUTS: dict[tuple[str, str, bytes], dict[str, Any]] = {}


def _fingerprint(stack: str, folder: Path) -> bytes:
    """The bytes of the stack files a run of `stack` reads: its environment's three files."""
    env, _ = naming.parse_stack_name(stack)
    parts = []
    for name in (env, *(naming.stack_name(env, c) for c in naming.COLORS)):
        try:
            parts.append(path_of(name, folder).read_bytes())
        except OSError:
            parts.append(b"\0missing")
    return b"\0--\0".join(parts)


def _run(stack: str, folder: Path) -> Run:
    raw = validate(stack, folder)
    from components.platform import main  # the program itself, exactly as `pulumi up` runs it
    from faas.plan.engine import run_program  # the Pulumi SDK: loaded only to plan, not for --help

    return run_program(
        stack,
        raw,
        lambda: main(folder),
        stack_outputs=lambda ref: _sibling_outputs(ref, folder),
    )


def _sibling_outputs(ref: str, folder: Path) -> dict[str, Any] | None:
    """Exports of the referenced stack's offline plan; None when that stack has no stack file
    (offline, "not deployed")."""
    stack = ref.rsplit("/", 1)[-1]
    if read_stack_file(stack, folder) is None:
        return None
    return dict(_cached_outputs(stack, folder))


def _cached_outputs(stack: str, folder: Path) -> dict[str, Any]:
    # A nested run re-configures the mock runtime, so it must finish before the caller's run
    # starts: `plan_documents` resolves references up front (see below).
    seeded = _OUTPUTS.get((stack, str(folder), _fingerprint(stack, folder)))
    return seeded if seeded is not None else run(stack, folder, reuse=True).outputs


def stable_order(resources: list[Registration]) -> list[Registration]:
    """Registration order depends on when outputs resolve, so it varies between runs. Emit a
    topological order instead (parents and dependencies first), ties broken by URN: the same
    program and config always give the same document, and diffs between plans stay clean."""
    by_urn = {r.urn: r for r in resources}
    needs = {r.urn: {u for u in [r.parent, *r.dependencies] if u in by_urn} for r in resources}
    users: dict[str, list[str]] = {u: [] for u in by_urn}
    for urn, deps in needs.items():
        for d in deps:
            users[d].append(urn)
    ready = [u for u, deps in needs.items() if not deps]
    heapq.heapify(ready)
    out = []
    while ready:
        urn = heapq.heappop(ready)
        out.append(by_urn[urn])
        for user in users[urn]:
            needs[user].discard(urn)
            if not needs[user]:
                heapq.heappush(ready, user)
    return out


def to_document(result: Run, resolved: bool = False) -> dict[str, Any]:
    """The `pulumi preview --json` shape: one `create` step per resource. What a real preview
    would not know yet (what the mocks invented) is written as unknown (faas/plan/unknowns.py);
    `resolved=True` keeps the invented values instead (the planner's own policy run uses them)."""
    from faas.plan.unknowns import Marker

    marker = Marker(() if resolved else result.invented)
    # Runs are kept for reuse (`run`): a document gets its own copy of every value, so a caller
    # that edits one cannot change the next (marking with nothing invented copies).
    fresh = marker if resolved else Marker(())
    steps = []
    for r in stable_order(result.resources):
        custom = r.custom and not r.type.startswith("pulumi:")
        steps.append(
            {
                "op": "create",
                "urn": r.urn,
                "provider": r.provider,
                "newState": {
                    "urn": r.urn,
                    "type": r.type,
                    "custom": r.custom,
                    "id": "" if custom and not resolved else r.id,
                    "parent": r.parent,
                    "provider": r.provider,
                    "inputs": (
                        fresh.mark(r.inputs)
                        if resolved
                        else marker.inputs(r.inputs, r.property_dependencies, result.named_ids)
                    ),
                    "outputs": fresh.mark(r.outputs)
                    if resolved
                    else marker.outputs(r.outputs, r.computed),
                    "dependencies": sorted(r.dependencies),
                    "propertyDependencies": {
                        k: sorted(v) for k, v in sorted(r.property_dependencies.items())
                    },
                    "protect": r.protect,
                    "ignoreChanges": list(r.ignore_changes),
                },
            }
        )
    return {
        "stack": result.stack,
        "project": naming.PROJECT,
        "config": fresh.mark(result.config),
        "steps": steps,
        "outputs": marker.mark(result.outputs),
        "diagnostics": [{"severity": "warning", "message": w} for w in result.warnings],
        "changeSummary": {"create": len(steps)},
    }


def run_plan(stack: str, where: Path | None = None) -> dict[str, Any]:
    """The stack's plan document, unknowns marked as a real preview would show them."""
    return plan_documents(stack, where)[0]


def plan_documents(stack: str, where: Path | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the document, the same with the values the mocks invented instead of unknowns)."""
    folder = where or stacks_dir()
    env, color = naming.parse_stack_name(stack)
    if color is None:
        # Plan the colours first so their exports are ready when the environment reads them.
        for c in naming.COLORS:
            sibling = naming.stack_name(env, c)
            if read_stack_file(sibling, folder) is not None:
                _cached_outputs(sibling, folder)
    result = run(stack, folder, reuse=bool(_REUSE))
    return to_document(result), to_document(result, resolved=True)


__all__ = [
    "ConfigError",
    "keep_runs",
    "StackFileError",
    "StackNotFound",
    "plan_documents",
    "run_plan",
    "seed",
    "stack_names",
    "to_document",
    "validate",
]
