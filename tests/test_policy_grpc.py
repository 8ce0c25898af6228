"""End to end through the real policy server: start `policies/__main__.py` the way the CLI does
(it prints its port, then serves), ask it for its policies and analyse resources over gRPC.

This is the path `pulumi preview --policy-pack policies` takes, without needing the CLI.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from policies.rules import ALL_RULES
from tests.test_policy_rules import CASES, U

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    # Started from another directory, like the CLI: the entry point must find its own imports.
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "policies" / "__main__.py")],
        cwd=ROOT / "policies",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port_line = proc.stdout.readline()  # the SDK writes the port first, then blocks
        assert port_line.strip().isdigit(), (
            proc.stderr.read() if proc.poll() is not None else port_line
        )
        channel = grpc.insecure_channel(f"127.0.0.1:{port_line.strip()}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        proc.kill()
        proc.wait(timeout=30)


def analyze(stub, rtype: str, props: dict) -> list[analyzer_pb2.AnalyzeDiagnostic]:
    properties = struct_pb2.Struct()
    properties.update(props)
    request = analyzer_pb2.AnalyzeRequest(
        type=rtype, properties=properties, urn=f"urn:pulumi:t::p::{rtype}::r", name="r"
    )
    return list(stub.Analyze(request, timeout=30).diagnostics)


def test_server_lists_every_rule(analyzer) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == "faas-platform"
    assert [p.name for p in info.policies] == [r.name for r in ALL_RULES]


def test_violation_is_mandatory_with_fix(analyzer) -> None:
    diagnostics = analyze(analyzer, "aws:kms/key:Key", CASES["kms-key-rotation"].bad)
    rotation = [d for d in diagnostics if d.policyName == "kms-key-rotation"]
    assert len(rotation) == 1
    assert rotation[0].enforcementLevel == analyzer_pb2.MANDATORY
    assert "enableKeyRotation=true" in rotation[0].message


def test_unknown_becomes_an_advisory_diagnostic(analyzer) -> None:
    diagnostics = analyze(analyzer, "aws:kms/key:Key", {"enableKeyRotation": U, "policy": U})
    rotation = [d for d in diagnostics if d.policyName == "kms-key-rotation"]
    assert len(rotation) == 1
    assert rotation[0].enforcementLevel == analyzer_pb2.ADVISORY
    assert "during preview" in rotation[0].message and "update" in rotation[0].message
