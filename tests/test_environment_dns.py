"""Mock tests of the environment stack.

The colour stacks' outputs are the real ones: `Edge` is run for dev-blue and dev-green under the
offline engine, and the environment program reads them through its StackReferences, as the
offline plan does.
"""

from __future__ import annotations

import copy

import pulumi
import pytest

from components import config, naming
from components.config import ConfigError
from components.dns import (
    WEIGHT_PROPERTY,
    EnvironmentArgs,
    EnvironmentDns,
    deployed_outputs,
    required_outputs,
)
from faas.plan.engine import Registration, Run, run_program
from tests.test_edge_plan import of_type, raw_config, run_edge

BD = "dev.example.com"
WIRE_WEIGHT = "weightedRoutingPolicies"


@pytest.fixture(scope="module")
def colour_runs() -> dict[str, Run]:
    return {c: run_edge(f"dev-{c}") for c in naming.COLORS}


def run_env(deployed: dict[str, dict], raw: dict | None = None) -> Run:
    raw = raw if raw is not None else raw_config("dev")

    def program() -> None:
        cfg = config.load("dev", raw)
        env = EnvironmentDns(naming.resource_name("dev", None, "dns"), EnvironmentArgs(cfg))
        for key, value in env.stack_outputs().items():
            pulumi.export(key, value)

    def outputs(ref: str):
        return deployed.get(ref.rsplit("/", 1)[1])

    return run_program("dev", raw, program, stack_outputs=outputs)


@pytest.fixture(scope="module")
def both(colour_runs) -> Run:
    return run_env({f"dev-{c}": r.outputs for c, r in colour_runs.items()})


def weighted(run: Run) -> list[Registration]:
    return [r for r in of_type(run, "aws:route53/record:Record") if r.inputs.get("setIdentifier")]


def env_zone(run: Run) -> Registration:
    (z,) = of_type(run, "aws:route53/zone:Zone")
    return z


def test_environment_zone_is_delegated_and_protected(both):
    z = env_zone(both)
    assert z.inputs["name"] == "faas.dev.example.com"
    assert z.protect is True
    (ns,) = [r for r in of_type(both, "aws:route53/record:Record") if r.inputs["type"] == "NS"]
    assert ns.inputs["zoneId"] == "Z0DEVPARENT0001"
    assert ns.inputs["records"] == z.outputs["nameServers"]
    assert ns.protect is True, "deleting the delegation would take the zone off the internet"


def test_environment_zone_queries_are_logged(both):
    (qlog,) = of_type(both, "aws:route53/queryLog:QueryLog")
    (group,) = of_type(both, "aws:cloudwatch/logGroup:LogGroup")
    assert qlog.inputs["zoneId"] == env_zone(both).outputs["zoneId"]
    assert group.inputs["region"] == "us-east-1"
    assert group.inputs["name"] == "/aws/route53/faas.dev.example.com"


def test_environment_stack_owns_the_validation_records_the_colours_wait_for(both, colour_runs):
    zone_id = env_zone(both).outputs["zoneId"]
    cnames = [r for r in of_type(both, "aws:route53/record:Record") if r.inputs["type"] == "CNAME"]
    assert len(cnames) == 2
    assert {r.inputs["zoneId"] for r in cnames} == {zone_id}
    owned = {r.inputs["name"].rstrip(".") for r in cnames}
    for color, run in colour_runs.items():
        (gate,) = of_type(run, "aws:acm/certificateValidation:CertificateValidation")
        waited = {f.rstrip(".") for f in gate.inputs["validationRecordFqdns"]}
        cluster_zone = f"faas-{color}.{BD}"
        # Every FQDN a colour waits for is owned either by that colour (its zone) or here.
        env_side = {f for f in waited if not f.endswith("." + cluster_zone)}
        assert env_side == owned, color
    # …and neither colour creates them (so blue and green never fight over a record).
    for run in colour_runs.values():
        made = {r.inputs["name"].rstrip(".") for r in of_type(run, "aws:route53/record:Record")}
        assert not made & owned


def test_weighted_records_for_both_colours(both, colour_runs):
    records = weighted(both)
    assert len(records) == 4
    zone_id = env_zone(both).outputs["zoneId"]
    names = naming.env_entry_names(BD)
    for r in records:
        color = r.inputs["setIdentifier"]
        entry = next(e for e, n in names.items() if n == r.inputs["name"])
        assert r.inputs["zoneId"] == zone_id
        assert r.inputs["type"] == "A"
        (alias,) = r.inputs["aliases"]
        outs = colour_runs[color].outputs
        assert alias["name"] == outs[f"{entry}_lb_dns_name"]
        assert alias["zoneId"] == outs[f"{entry}_lb_zone_id"]
        assert alias["evaluateTargetHealth"] is True
        assert "ttl" not in r.inputs, "alias records take the target's TTL"
    by_name: dict[str, dict[str, int]] = {}
    for r in records:
        (policy,) = r.inputs[WIRE_WEIGHT]
        by_name.setdefault(r.inputs["name"], {})[r.inputs["setIdentifier"]] = policy["weight"]
    assert by_name == {n: {"blue": 100, "green": 0} for n in names.values()}
    assert all(sum(w.values()) > 0 for w in by_name.values())
    assert both.outputs["weighted_colors"] == ["blue", "green"]
    assert both.outputs["env_zone_id"] == zone_id
    assert both.outputs["dmz_record_name"] == "*.faas.dev.example.com"
    assert both.outputs["internal_record_name"] == "*.internal.faas.dev.example.com"


def test_initial_weights_come_from_config(colour_runs):
    raw = raw_config("dev")
    raw["faas:initialWeights"] = {"blue": 200, "green": 55}
    run = run_env({f"dev-{c}": r.outputs for c, r in colour_runs.items()}, raw)
    weights = {(r.inputs["name"], r.inputs["setIdentifier"]): r.inputs[WIRE_WEIGHT][0]["weight"]
               for r in weighted(run)}  # fmt: skip
    assert set(weights.values()) == {200, 55}
    assert all(weights[(n, "green")] == 55 for n in naming.env_entry_names(BD).values())


def test_weighted_records_ignore_weight_changes_on_the_wire(both):
    for r in weighted(both):
        # What reaches the engine: the wire name of the property the record actually has.
        assert r.ignore_changes == [WIRE_WEIGHT]
        assert WIRE_WEIGHT in r.inputs
    assert WEIGHT_PROPERTY == "weighted_routing_policies"


# -- the cutover is not undone ---------------------------------------------------------------------
# The mock monitor has no diff engine, so that last step is a model: before it diffs, Pulumi's
# engine puts the old (state) value of every ignored property into the new inputs, so an ignored
# property never causes an update and an update for another property carries the old value
# (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/). `_engine_diff` does that for
# top-level properties. Proved from the real program: the ignore list that reaches the engine, and
# that the program's inputs do not depend on the live weights. Modelled: the engine's merge.


def _engine_diff(state: dict, new_inputs: dict, ignore: list[str]) -> set[str]:
    merged = dict(new_inputs)
    for key in ignore:
        if key in state:
            merged[key] = state[key]
    return {k for k in merged.keys() | state.keys() if merged.get(k) != state.get(k)}


def _cutover(record: dict) -> dict:
    """The record as Route 53 holds it after scripts/cutover moved traffic to green."""
    after = copy.deepcopy(record)
    after[WIRE_WEIGHT] = [{"weight": 0 if record["setIdentifier"] == "blue" else 100}]
    return after


def test_a_cutover_made_outside_pulumi_is_not_undone(both, colour_runs):
    # The environment program run again after the cutover: it reads nothing from Route 53, so it
    # declares exactly the same inputs as before (the initial weights)...
    again = run_env({f"dev-{c}": r.outputs for c, r in colour_runs.items()})
    before = {r.name: r.inputs for r in weighted(both)}
    after = {r.name: r for r in weighted(again)}
    assert {n: r.inputs for n, r in after.items()} == before
    for name, record in after.items():
        state = _cutover(before[name])  # `pulumi refresh` has read the cut-over weights
        # ...and with the ignore list it sends, nothing would be updated: the cutover stands.
        assert _engine_diff(state, record.inputs, record.ignore_changes) == set()
        # Counterfactual: without it, the next `pulumi up` would write the initial weight back.
        assert _engine_diff(state, record.inputs, []) == {WIRE_WEIGHT}


def test_other_record_changes_still_apply_after_a_cutover(colour_runs):
    # A colour's NLB replaced: the alias must follow, the cut-over weight must stay.
    moved = {f"dev-{c}": dict(r.outputs) for c, r in colour_runs.items()}
    moved["dev-green"]["dmz_lb_dns_name"] = "faas-dev-green-dmz-new.elb.eu-west-1.amazonaws.com"
    old = {r.name: r.inputs for r in weighted(run_env(
        {f"dev-{c}": r.outputs for c, r in colour_runs.items()}))}  # fmt: skip
    for r in weighted(run_env(moved)):
        state = _cutover(old[r.name])
        changed = _engine_diff(state, r.inputs, r.ignore_changes)
        is_green_dmz = r.inputs["setIdentifier"] == "green" and "internal" not in r.inputs["name"]
        assert changed == ({"aliases"} if is_green_dmz else set())


# -- colours not yet deployed ----------------------------------------------------------------


def test_a_colour_not_yet_deployed_is_skipped_with_a_message(colour_runs):
    run = run_env({"dev-blue": colour_runs["blue"].outputs})  # dev-green: stack init'ed only
    assert {r.inputs["setIdentifier"] for r in weighted(run)} == {"blue"}
    assert run.outputs["weighted_colors"] == ["blue"]
    (warning,) = [w for w in run.warnings if "skipped" in w]
    assert "'green'" in warning and "organization/faas-platform/dev-green" in warning
    assert "pulumi up" in warning


def test_a_new_environment_deploys_with_no_colours(both):
    run = run_env({})
    assert weighted(run) == []
    assert run.outputs["weighted_colors"] == []
    assert len([w for w in run.warnings if "skipped" in w]) == 2
    # The zone and the shared validation records exist before any colour is deployed.
    assert env_zone(run).protect is True
    assert len([r for r in of_type(run, "aws:route53/record:Record")
                if r.inputs["type"] == "CNAME"]) == 2  # fmt: skip


def test_deployed_outputs_distinguishes_missing_from_broken():
    full = {k: f"v-{k}" for k in required_outputs()}
    assert deployed_outputs("o/p/dev-blue", None) is None
    assert deployed_outputs("o/p/dev-blue", {"unrelated": 1}) is None
    assert deployed_outputs("o/p/dev-blue", full) == full
    partial = dict(full)
    del partial["internal_lb_zone_id"]
    with pytest.raises(ValueError, match="o/p/dev-blue is missing the outputs internal_lb_zone_id"):
        deployed_outputs("o/p/dev-blue", partial)


# -- config validation ----------------------------------------------------------------------


def _problems(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as err:
        config.load("dev", raw)
    return err.value.problems


def test_all_zero_initial_weights_are_refused_with_a_clear_message():
    raw = raw_config("dev")
    raw["faas:initialWeights"] = {"blue": 0, "green": 0}
    (problem,) = _problems(raw)
    assert problem.startswith("faas:initialWeights: all weights are 0")
    assert "split traffic" in problem


def test_an_active_colour_that_is_not_blue_or_green_is_refused():
    raw = raw_config("dev")
    raw["faas:activeColor"] = "purple"
    problems = _problems(raw)
    assert "faas:activeColor: 'purple' is not one of blue, green" in problems


def test_the_active_colour_must_have_weight():
    raw = raw_config("dev")
    raw["faas:initialWeights"] = {"blue": 0, "green": 100}
    assert _problems(raw) == ["faas:initialWeights: the active colour 'blue' has weight 0"]


def test_weights_outside_route53_range_are_refused():
    raw = raw_config("dev")
    raw["faas:initialWeights"] = {"blue": 256, "green": 0}
    (problem,) = _problems(raw)
    assert problem.startswith("faas:initialWeights.blue")


def test_the_environment_stack_passes_the_policy_pack(both):
    from faas.plan import to_document
    from policies import check as policycheck

    # The document as a preview shows it passes; on the planner's values nothing is deferred.
    report = policycheck.check_document(to_document(both), env="dev")
    assert report.ok, policycheck.format_report(report)
    report = policycheck.check_document(to_document(both, resolved=True), env="dev")
    assert report.ok and report.deferred == 0, policycheck.format_report(report)
