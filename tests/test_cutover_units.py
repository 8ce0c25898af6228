"""Pure parts of the cutover: record validation, weights, certificate name matching, lock values,
retry classification, rate limiting and the report picture. No AWS, no network."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from faas.ops.cutover import lock
from faas.ops.cutover.aws import RateLimiter, is_retryable
from faas.ops.cutover.clock import FakeClock
from faas.ops.cutover.options import validate_steps
from faas.ops.cutover.preflight import check_cluster, covers
from faas.ops.cutover.records import (
    RecordStateError,
    check_not_all_zero,
    current_share,
    discover,
    step_weights,
    weight_changes,
)
from faas.ops.cutover.report import StepRecord, Timeline, to_svg


def rr(color: str, weight: Any, name: str = "\\052.faas.dev.example.com.") -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "A",
        "SetIdentifier": color,
        "Weight": weight,
        "AliasTarget": {
            "HostedZoneId": "Z1",
            "DNSName": f"{color}.elb",
            "EvaluateTargetHealth": True,
        },
    }


def test_discover_groups_and_unescapes_wildcard() -> None:
    [g] = discover([rr("blue", 100), rr("green", 0), {"Name": "x.", "Type": "NS"}])
    assert g.name == "*.faas.dev.example.com." and g.weights() == {"blue": 100, "green": 0}
    assert g.ttl() == 60  # alias: the ELB's TTL


@pytest.mark.parametrize(
    ("records", "expect"),
    [
        ([rr("blue", 0), rr("green", 0)], "all weights are 0"),
        ([rr("blue", 256), rr("green", 0)], "not an integer 0..255"),
        ([rr("blue", -1), rr("green", 1)], "not an integer 0..255"),
        ([rr("blue", 100)], "not exactly"),
        ([rr("blue", 100), rr("green", 0), rr("purple", 0)], "not exactly"),
        ([rr("blue", 100), rr("blue", 0)], "not exactly"),
        ([], "no weighted record sets"),
    ],
)
def test_discover_refuses_bad_state(records: list[dict[str, Any]], expect: str) -> None:
    with pytest.raises(RecordStateError, match=expect):
        discover(records)


def test_discover_reports_every_problem() -> None:
    other = "\\052.internal.faas.dev.example.com."
    with pytest.raises(RecordStateError) as err:
        discover([rr("blue", 0), rr("green", 0), rr("blue", 300, other), rr("green", 0, other)])
    assert len(err.value.problems) == 2


def test_steps_and_changes_never_all_zero() -> None:
    groups = discover([rr("blue", 100), rr("green", 0)])
    assert current_share(groups, "green") == 0
    w = step_weights(groups, "green", 100)
    assert w == {"*.faas.dev.example.com. A": {"green": 100, "blue": 0}}
    changes = weight_changes(groups, w)
    assert [c["ResourceRecordSet"]["Weight"] for c in changes] == [0, 100]
    assert all(c["ResourceRecordSet"]["AliasTarget"]["EvaluateTargetHealth"] for c in changes)
    assert changes[0]["ResourceRecordSet"]["Name"] == "*.faas.dev.example.com."
    with pytest.raises(ValueError, match="all-zero"):
        check_not_all_zero({"k": {"blue": 0, "green": 0}})


@pytest.mark.parametrize(
    ("steps", "ok"),
    [([10, 50, 100], True), ([100], True), ([50, 10, 100], False), ([10, 50], False),
     ([0, 100], False), ([], False), ([10, 10, 100], False)],
)  # fmt: skip
def test_validate_steps(steps: list[int], ok: bool) -> None:
    assert (validate_steps(steps) == []) is ok


@pytest.mark.parametrize(
    ("san", "name", "ok"),
    [
        ("*.faas.dev.example.com", "*.faas.dev.example.com.", True),
        ("*.faas.dev.example.com", "api.faas.dev.example.com", True),
        ("*.faas.dev.example.com", "*.internal.faas.dev.example.com", False),
        ("*.faas.dev.example.com", "a.b.faas.dev.example.com", False),
        ("*.example.com", "*.faas.dev.example.com", False),
        ("FAAS.dev.example.com", "faas.dev.example.com", True),
    ],
)
def test_certificate_coverage(san: str, name: str, ok: bool) -> None:
    assert covers(san, name) is ok


def test_lock_value_round_trip_and_age() -> None:
    # Record sets with different weights each: the lock keeps every one exactly.
    start = {
        "*.faas.dev.example.com. A": {"blue": 100, "green": 0},
        "*.internal.faas.dev.example.com. A": {"blue": 30, "green": 70},
        "x" * 240 + ".example.com. AAAA": {"blue": 1, "green": 2},  # too long for a plain word
    }
    info = lock.new_lock("faas.dev.example.com", "ann@host", 1_800_000_000, "green", start)
    assert info.name == "_faas-cutover-lock.faas.dev.example.com."
    back = lock.parse_lock(info.name, info.value)
    assert (back.owner, back.target) == ("ann@host", "green")
    assert back.start_for(list(start)) == start
    assert back.start_for([*start, "other.example.com. A"]) is None  # not recorded: unknown
    assert lock.format_age(back.age(1_800_003_725)) == "1h02m05s"
    with pytest.raises(ValueError):
        lock.encode({"owner": 'bad "quote"'})


def test_lock_written_by_an_older_version_still_reads() -> None:
    old = lock.parse_lock("n.", '"owner=a" "epoch=1" "to=green" "start=blue:100,green:0"')
    assert old.start_for(["a. A", "b. A"]) == {
        "a. A": {"blue": 100, "green": 0},
        "b. A": {"blue": 100, "green": 0},
    }
    assert lock.parse_lock("n.", '"owner=a" "to=green" "start=unknown"').start_for(["a. A"]) is None


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


@pytest.mark.parametrize(
    ("code", "status", "retry"),
    [("Throttling", 400, True), ("PriorRequestNotComplete", 400, True),
     ("InternalError", 500, True), ("Whatever", 503, True),
     ("InvalidChangeBatch", 400, False), ("AccessDenied", 403, False)],
)  # fmt: skip
def test_retry_classification(code: str, status: int, retry: bool) -> None:
    assert is_retryable(_client_error(code, status)) is retry


def test_rate_limiter_holds_five_per_second_after_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock, rate=5.0, burst=20)
    for _ in range(30):
        limiter.acquire()
    assert len(clock.sleeps) == 10  # the first 20 go through at once
    assert limiter.waited == pytest.approx(2.0)  # 10 calls over the burst at 5/s


def test_svg_picture_has_both_colours_and_steps() -> None:
    tl = Timeline(zone="faas.x", env="dev", target="green", source="blue", operator="o")
    tl.sample(0, {"k": {"blue": 100, "green": 0}})
    tl.sample(5, {"k": {"blue": 0, "green": 100}})
    tl.steps.append(StepRecord("step 1", 100, {}, 5.0))
    tl.total_s = 10
    svg = to_svg(tl)
    assert svg.count("<polyline") == 2 and "step 1" in svg and svg.strip().endswith("</svg>")


def test_progress_terminal_bar_and_ci_lines() -> None:
    import io

    from faas.ops.cutover.progress import Progress

    tty = io.StringIO()
    p = Progress(tty, tty=True)
    p.wait("step 1: soaking", 30, 60)
    p.event("step.done", step="step 1")
    assert "\r  step 1: soaking" in tty.getvalue() and "[" + "#" * 15 in tty.getvalue()
    assert tty.getvalue().endswith('step="step 1"\n')  # the live line was ended first

    ci = io.StringIO()
    p = Progress(ci, tty=False)
    p.wait("ignored", 1, 2)
    p.event("probe", ok=True, detail="HTTP 200")
    assert (
        ci.getvalue().count("\n") == 1 and 'event=probe ok=True detail="HTTP 200"' in ci.getvalue()
    )


def test_weight_changes_refuse_all_zero_and_out_of_range_weights() -> None:
    """The write path itself refuses: no batch is built that Route 53 would read as 50/50."""
    groups = discover([rr("blue", 100), rr("green", 0)])
    key = groups[0].key
    with pytest.raises(ValueError, match="all-zero"):
        weight_changes(groups, {key: {"blue": 0, "green": 0}})
    with pytest.raises(ValueError, match="weight 256"):
        weight_changes(groups, {key: {"blue": 256, "green": 0}})
    # The limits themselves are allowed.
    edge = weight_changes(groups, {key: {"blue": 255, "green": 0}})
    assert [c["ResourceRecordSet"]["Weight"] for c in edge] == [255, 0]


class FakeAws:
    """Canned answers for the preflight's EKS calls (moto creates clusters ACTIVE, so the other
    states are only reachable this way)."""

    def __init__(self, cluster: str, nodegroups: dict[str, str]) -> None:
        self.cluster, self.nodegroups = cluster, nodegroups

    def call(self, service: str, operation: str, **kw: Any) -> dict[str, Any]:
        if operation == "describe_cluster":
            return {"cluster": {"status": self.cluster}}
        assert operation == "describe_nodegroup", operation
        return {"nodegroup": {"status": self.nodegroups[kw["nodegroupName"]]}}

    def pages(self, service: str, operation: str, *_: Any, **__: Any) -> list[Any]:
        assert operation == "list_nodegroups", operation
        return list(self.nodegroups)


@pytest.mark.parametrize(
    ("cluster", "nodegroups", "failed"),
    [
        ("ACTIVE", {"system": "ACTIVE", "spot": "ACTIVE"}, []),
        ("UPDATING", {"system": "ACTIVE"}, ["eks cluster faas-dev-green"]),
        (
            "ACTIVE",
            {"system": "ACTIVE", "spot": "DEGRADED"},
            ["eks node group faas-dev-green/spot"],
        ),
        ("ACTIVE", {}, ["eks node groups of faas-dev-green"]),
    ],
    ids=["all-active", "cluster-updating", "node-group-degraded", "no-node-groups"],
)
def test_preflight_cluster_checks_need_everything_active(
    cluster: str, nodegroups: dict[str, str], failed: list[str]
) -> None:
    checks = check_cluster(FakeAws(cluster, nodegroups), "dev", "green")  # type: ignore[arg-type]
    assert [c.name for c in checks if not c.ok] == failed
    assert len(checks) == 1 + max(1, len(nodegroups))  # every check reported, not just the first
