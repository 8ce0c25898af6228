"""The offline checker: preview documents in, structured results and exit codes out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from policies import check as policycheck
from policies.rules import ALL_RULES
from tests.test_policy_rules import CASES, R, U, tags

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "policy"
HAND_WRITTEN = FIXTURES / "insecure-preview.json"

# What the hand-written document gets wrong, one rule each.
HAND_WRITTEN_FINDINGS = {
    "eks-public-endpoint-restricted": "faas-demo-blue",
    "eks-secrets-encryption": "faas-demo-blue",
    "launch-template-imdsv2": "faas-demo-blue-functions",
    "listener-tls": "faas-demo-blue-dmz-80",
    "iam-no-wildcard-action": "faas-demo-blue-everything",
    "kms-key-rotation": "faas-demo-blue-secrets",
    "security-group-no-world-ingress": "faas-demo-blue-bastion",
}


def step(rtype: str, name: str, inputs: dict[str, Any], deps: dict[str, list[str]] | None = None):
    urn = f"urn:pulumi:fixture::faas-platform::{rtype}::{name}"
    state = {"urn": urn, "type": rtype, "custom": True, "inputs": inputs, "outputs": {}}
    if deps:
        state["propertyDependencies"] = deps
        state["dependencies"] = sorted({u for urns in deps.values() for u in urns})
    return {"op": "create", "urn": urn, "newState": state}


def document(steps: list[dict[str, Any]], env: str | None = None) -> dict[str, Any]:
    config = {"faas:environment": env} if env else {}
    return {"stack": "fixture", "project": "faas-platform", "config": config, "steps": steps}


def insecure_document() -> dict[str, Any]:
    """Every rule's non-compliant example in one stack (names prefixed so nothing collides)."""
    steps = []
    for rule in ALL_RULES:
        bad = CASES[rule.name].bad
        if rule.is_stack:
            names = {r.name: f"{rule.name}-{r.name}" for r in bad}
            types = {r.name: r.type for r in bad}
            for r in bad:
                deps = {
                    prop: [
                        R(types[n], names[n], {}).urn.replace("dev-blue", "fixture") for n in refs
                    ]
                    for prop, refs in r.deps.items()
                }
                steps.append(step(r.type, names[r.name], r.props, deps))
        else:
            steps.append(step(CASES[rule.name].type or rule.types[0], rule.name, bad))
    return document(steps)


def found(report: policycheck.PolicyReport) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for v in report.violations:
        if not v.deferred:
            out.setdefault(v.rule, set()).add((v.urn or "").rsplit("::", 1)[-1])
    return out


def test_insecure_fixture_trips_every_rule() -> None:
    report = policycheck.check_document(insecure_document(), config={})
    assert sorted(set(found(report))) == sorted(r.name for r in ALL_RULES)
    assert not report.ok


def test_hand_written_preview_reports_each_problem() -> None:
    report = policycheck.check_file(HAND_WRITTEN)
    assert report.environment == "dev"  # from config["faas:environment"]
    hits = found(report)
    for rule, resource in HAND_WRITTEN_FINDINGS.items():
        assert resource in hits.get(rule, set()), f"{rule} not reported on {resource}"
    assert {v.level for v in report.violations if v.rule in HAND_WRITTEN_FINDINGS} == {"mandatory"}


def test_cli_reports_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, "scripts/check_policies.py", str(HAND_WRITTEN), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    for rule, resource in HAND_WRITTEN_FINDINGS.items():
        assert any(rule in line and resource in line for line in proc.stdout.splitlines()), rule
    assert "FAIL" in proc.stdout.splitlines()[-1]
    result = json.loads(out.read_text())
    assert result["ok"] is False
    assert result["summary"]["mandatory"] >= len(HAND_WRITTEN_FINDINGS)
    assert {"rule", "level", "severity", "urn", "type", "message", "fix", "deferred"} <= set(
        result["violations"][0]
    )


def test_main_passes_on_a_clean_document(tmp_path: Path, capsys) -> None:
    from faas.check import main

    clean = tmp_path / "clean.json"
    clean.write_text(
        json.dumps(
            document(
                [
                    step(
                        "aws:kms/key:Key",
                        "k",
                        {**CASES["kms-key-rotation"].good, "tags": tags("k", "kms")},
                    )
                ]
            )
        )
    )
    assert main([str(clean)]) == 0
    assert "PASS" in capsys.readouterr().out


def test_unknowns_in_a_document_defer_instead_of_passing() -> None:
    cluster = {**CASES["eks-secrets-encryption"].good, "encryptionConfig": U}
    report = policycheck.check_document(document([step("aws:eks/cluster:Cluster", "c", cluster)]))
    deferred = [v for v in report.violations if v.rule == "eks-secrets-encryption"]
    assert len(deferred) == 1 and deferred[0].deferred and deferred[0].level == "advisory"
    assert report.to_dict()["summary"]["deferred"] >= 1


def test_secrets_are_unwrapped_or_deferred() -> None:
    sig = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    wrapped = {
        "policy": {**sig, "value": json.loads(json.dumps(CASES["kms-key-rotation"].bad["policy"]))}
    }
    report = policycheck.check_document(
        document(
            [
                step("aws:kms/key:Key", "wrapped", {"enableKeyRotation": False, **wrapped}),
                step("aws:iam/policy:Policy", "hidden", {"policy": "[secret]"}),
            ]
        )
    )
    rules = {(v.rule, v.urn.rsplit("::", 1)[-1], v.deferred) for v in report.violations}
    assert ("kms-key-rotation", "wrapped", False) in rules
    assert ("iam-no-wildcard-action", "hidden", True) in rules


def test_environment_levels_come_from_config() -> None:
    lb = {**CASES["lb-deletion-protection"].bad}
    for env, level in (("dev", "advisory"), ("prod", "mandatory")):
        doc = document([step("aws:lb/loadBalancer:LoadBalancer", "lb", lb)], env=env)
        levels = {
            v.level
            for v in policycheck.check_document(doc).violations
            if v.rule == "lb-deletion-protection"
        }
        assert levels == {level}, env
    # --env wins over the document's own environment.
    doc = document([step("aws:lb/loadBalancer:LoadBalancer", "lb", lb)], env="dev")
    report = policycheck.check_document(doc, env="prod")
    assert report.environment == "prod" and not report.ok


def test_deleted_resources_are_not_checked() -> None:
    gone = step("aws:kms/key:Key", "old", {"enableKeyRotation": False})
    gone["op"] = "delete"
    assert policycheck.check_document(document([gone])).violations == []


def test_disabled_rules_are_skipped() -> None:
    doc = document([step("aws:kms/key:Key", "k", {"enableKeyRotation": False})])
    report = policycheck.check_document(doc, config={"kms-key-rotation": "disabled"})
    assert "kms-key-rotation" not in {v.rule for v in report.violations}
