"""Run the real program for one stack under Pulumi's mock monitor and record every registration.

The stock `MockMonitor` keeps only URN, id and state. A plan needs the rest of what the engine
sees: parent, custom/component, provider, dependencies (from resource inputs and `depends_on`),
property dependencies and the resource options that matter for review (protect, ignore_changes).
`RecordingMonitor` keeps those, in registration order, and the stack's exports.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await

from components import naming
from faas.plan.mocks import AwsMocks
from faas.plan.unknowns import invented_keys, strings


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    ignore_changes: list[str]
    # Output keys the mocks invented (not copied from the inputs): unknown in a real preview.
    computed: list[str] = field(default_factory=list)


@dataclass
class Run:
    stack: str
    config: dict[str, Any]
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Every string the mocks invented (ids, ARNs, DNS names, ...): where one reaches another
    # resource's inputs, a real preview would show an unknown there (faas/plan/unknowns.py).
    invented: set[str] = field(default_factory=set)
    # URN -> id, for ids that repeat one of the resource's inputs (a bucket's id is its name): an
    # input is unknown in a preview where it takes such an id from the resource it depends on.
    named_ids: dict[str, str] = field(default_factory=dict)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: AwsMocks):
        super().__init__(mocks)
        self.order: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}
        self.invented: set[str] = set()
        self.named_ids: dict[str, str] = {}

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        urn = response.urn
        state = self.resources[urn].state
        prop_deps = {k: list(v.urns) for k, v in request.propertyDependencies.items()}
        inputs = _plain(rpc.deserialize_properties(request.object))
        outputs = _plain(state)
        computed: list[str] = []
        if request.custom and not request.type.startswith("pulumi:"):
            computed = invented_keys(inputs, outputs)
            # An id or output that repeats a known input (an EKS cluster's id is its name) is
            # known in a preview too.
            made = strings(response.id, *(outputs[k] for k in computed)) - strings(inputs)
            self.invented.update(made)
            if response.id and response.id not in made:
                self.named_ids[urn] = response.id
        self.order.append(
            Registration(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                provider=request.provider,
                id=response.id,
                inputs=inputs,
                outputs=outputs,
                dependencies=list(dict.fromkeys(request.dependencies)),
                property_dependencies=prop_deps,
                protect=bool(request.protect),
                ignore_changes=list(request.ignoreChanges),
                computed=computed,
            )
        )
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        if "::pulumi:pulumi:Stack::" in request.urn:
            self.stack_outputs = _plain(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)


SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's wire marker for a secret value


def _plain(value: Any) -> Any:
    """Deserialised properties may hold Resource references and unknowns: make them JSON data.
    Secrets are masked as `pulumi preview` shows them, so a plan file never leaks one."""
    if isinstance(value, Mapping) and SECRET_SIG in value:
        return "[secret]"
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return getattr(value, "_name", repr(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire carries every number as a double; show 30, not 30.0
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def config_for_pulumi(raw: Mapping[str, Any]) -> dict[str, str]:
    """Pulumi hands config to programs as strings, objects JSON-encoded: do the same offline."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def run_program(
    stack: str,
    raw_config: Mapping[str, Any],
    program: Callable[[], None],
    stack_outputs: Callable[[str], Mapping[str, Any] | None] | None = None,
) -> Run:
    """Run `program` as stack `stack` with `raw_config` (the stack file's `config:` mapping)."""
    region = str(raw_config.get("aws:region", "us-east-1"))
    mocks = AwsMocks(stack, region, stack_outputs)
    monitor = RecordingMonitor(mocks)
    warnings: list[str] = []

    class _Capture:
        def warning(self, msg, *a):
            warnings.append(str(msg))

        def __getattr__(self, _name):
            return lambda *a, **k: None

    pulumi.runtime.set_mocks(
        mocks,
        project=naming.PROJECT,
        stack=stack,
        preview=False,
        monitor=monitor,
        logger=_Capture(),
    )
    pulumi.runtime.set_all_config(config_for_pulumi(raw_config))
    # set_mocks installs (and finishes) a root stack of its own; run_in_stack needs to create the
    # root itself so that `pulumi.export` lands on a stack whose outputs get registered.
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()
    pulumi.runtime.settings.SETTINGS.outputs.clear()
    with _lean_runtime():
        _sync_await(pulumi.runtime.stack.run_in_stack(program))
    return Run(
        stack=stack,
        config=dict(raw_config),
        resources=monitor.order,
        outputs=monitor.stack_outputs,
        warnings=warnings,
        invented=monitor.invented,
        named_ids=monitor.named_ids,
    )


@contextmanager
def _lean_runtime():
    """What a plan does not need from the runtime, switched off while the program runs
    (docs/performance.md has the profile):

    * the SDK walks the Python stack of every resource it registers (`traceback.extract_stack`
      and a file URI per frame) to send the monitor a source position; the recording monitor
      keeps no source positions, so an empty trace is sent instead;
    * the cyclic garbage collector: a program run allocates some 500 000 objects, each
      collection rescans the SDK's modules (hundreds of thousands of long-lived objects) and
      finds nearly nothing (the run's objects live until the document is written), so it
      paused the run for about a third of its time. Reference counting still frees what is
      not in a cycle; the collector is switched back on afterwards as it was.
    """
    stack_trace = pulumi_resource._get_stack_trace
    collecting = gc.isenabled()
    pulumi_resource._get_stack_trace = _no_stack_trace
    gc.disable()
    try:
        yield
    finally:
        pulumi_resource._get_stack_trace = stack_trace
        if collecting:
            gc.enable()


def _no_stack_trace():
    from pulumi.runtime.proto import source_pb2

    return source_pb2.StackTrace()
