"""The cutover's function parity preflight, against the moto server and a local Kubernetes API
per colour (tests/support/kube_api.py) reached with EKS tokens, never kubectl."""

from __future__ import annotations

import base64
import io
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from components.naming import cluster_name, cutover_lock_name, cutover_state_name
from faas.contracts import validate_cr
from faas.ops.cutover import cli, parity
from faas.ops.cutover.aws import Aws
from faas.ops.cutover.clock import FakeClock
from faas.ops.cutover.kube import KubeError, connect, eks_token
from faas.ops.cutover.parity import Function, compare
from tests.support.cutover_world import ENV, ZONE, World, world_fixtures
from tests.support.https_probe import ProbeServer, https_probe_server
from tests.support.kube_api import KubeServer, KubeWorld, kube_api_server, service
from tests.support.moto_server import MotoServer, moto_fixtures

moto_process, moto = moto_fixtures(reset=False)
worlds, world, fresh_world = world_fixtures()

DIGEST = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64
START = {"blue": 100, "green": 0}


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[ProbeServer]:
    with https_probe_server(tmp_path / "probe") as server:
        yield server


@pytest.fixture
def apis(moto: MotoServer, tmp_path: Path) -> Iterator[dict[str, KubeServer]]:
    """One API server per colour, each with the same three functions to start with."""
    servers: dict[str, KubeServer] = {}
    with (
        kube_api_server(KubeWorld(cluster_name(ENV, "blue"), moto.endpoint), tmp_path / "b") as b,
        kube_api_server(KubeWorld(cluster_name(ENV, "green"), moto.endpoint), tmp_path / "g") as g,
    ):
        servers.update(blue=b, green=g)
        for s in servers.values():
            s.world.add(
                service("payments", "charge", DIGEST),
                service("payments", "refund", DIGEST),
                service("search", "query", DIGEST),
            )
        yield servers


def route_to(apis: dict[str, KubeServer], seen: dict[str, str]) -> Any:
    """Send each cluster's DescribeCluster endpoint to its colour's local API server."""
    by_cluster = {s.world.cluster: s for s in apis.values()}

    def route(cluster: str, endpoint: str) -> tuple[str, str | None]:
        seen[cluster] = endpoint
        server = by_cluster[cluster]
        return server.url, server.cafile

    return route


def run(
    probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path, *extra: str
) -> tuple[int, dict[str, Any], str, dict[str, str]]:
    report = tmp_path / "report.json"
    argv = [
        "--env", ENV, "--to", "green", "--zone", ZONE, "--region", "us-east-1", "--soak", "0",
        "--probe-url", probe.url, "--env-probe-url", probe.url, "--probe-ca", probe.cafile,
        "--yes", "--operator", "tester@ci", "--report", str(report), *extra,
    ]  # fmt: skip
    out, seen = io.StringIO(), {}
    code = cli.main(
        argv, clock=FakeClock(), stdout=out, stderr=io.StringIO(), kube_route=route_to(apis, seen)
    )
    return code, json.loads(report.read_text()), out.getvalue(), seen


def untouched(world: World) -> bool:
    return all(w == START for w in world.weights().values()) and not (
        world.txt(cutover_lock_name(ZONE)) or world.txt(cutover_state_name(ZONE))
    )


# -- the four scenarios ----------------------------------------------------------------------


def test_target_lacking_a_function_is_refused_naming_it(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    apis["green"].world.objects = [
        o
        for o in apis["green"].world.objects
        if o["metadata"]["name"] not in ("refund", "refund-00001")
    ]
    code, rep, out, _ = run(probe, apis, tmp_path)
    assert code == 2 and rep["status"] == "refused"
    assert "function payments/refund: missing on green" in rep["message"]
    assert "DNS untouched" in rep["message"]
    assert rep["parity"]["refused"] == ["payments/refund: missing on green"]
    assert untouched(world)
    assert "  parity blue->green: 3 compared, 1 refused, 0 allowed" in out


def test_target_with_the_function_not_ready_is_refused(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    green = apis["green"].world
    green.objects = [
        o for o in green.objects if o["metadata"]["name"] not in ("query", "query-00001")
    ]
    green.add(service("search", "query", DIGEST, ready=False))
    code, rep, _, _ = run(probe, apis, tmp_path)
    assert code == 2
    (refused,) = rep["parity"]["refused"]
    assert refused.startswith('search/query: not Ready on green: Revision "query-00001" failed')
    assert "Back-off pulling image" in refused
    assert untouched(world)


def test_parity_holds_and_the_cutover_proceeds(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    code, rep, _, seen = run(probe, apis, tmp_path)
    assert code == 0 and rep["status"] == "completed", rep["message"]
    assert all(w == {"blue": 0, "green": 100} for w in world.weights().values())
    parity = rep["parity"]
    assert parity["ok"] and parity["refused"] == [] and parity["allowed"] == []
    assert [(c["namespace"], c["name"], c["verdict"]) for c in parity["compared"]] == [
        ("payments", "charge", "ok"),
        ("payments", "refund", "ok"),
        ("search", "query", "ok"),
    ]
    assert parity["compared"][0]["green"] == {
        "ready": True,
        "revision": "charge-00001",
        "image": f"user-container={DIGEST}",
    }
    # The endpoints came from EKS DescribeCluster; each API saw signed tokens for its cluster and
    # was read page by page (2 items a page) for services and revisions.
    eks = boto3.client("eks")
    for color, server in apis.items():
        name = cluster_name(ENV, color)
        assert seen[name] == eks.describe_cluster(name=name)["cluster"]["endpoint"]
        assert server.world.tokens
        assert server.world.requests.count("/apis/serving.knative.dev/v1/services") == 2
        assert server.world.requests.count("/apis/serving.knative.dev/v1/revisions") == 2


def test_allow_missing_proceeds_and_is_recorded(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    apis["green"].world.objects = [
        o for o in apis["green"].world.objects if o["metadata"]["namespace"] != "search"
    ]
    code, rep, _, _ = run(probe, apis, tmp_path, "--allow-missing", "search/query")
    assert code == 0 and rep["status"] == "completed"
    assert rep["parity"]["allowed"] == ["search/query: missing on green"]
    assert rep["parity"]["compared"][-1]["verdict"] == "allowed (missing)"
    assert rep["parity"]["compared"][-1]["green"] is None
    assert all(w == {"blue": 0, "green": 100} for w in world.weights().values())


# -- more refusals and what the report keeps -------------------------------------------------


def test_another_image_on_the_target_is_refused(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    green = apis["green"].world
    green.objects = [o for o in green.objects if o["metadata"]["namespace"] != "search"]
    green.add(service("search", "query", OTHER))
    code, rep, _, _ = run(probe, apis, tmp_path)
    assert code == 2
    assert rep["parity"]["refused"] == [
        f"search/query: green runs user-container={OTHER}, blue user-container={DIGEST}"
    ]
    assert untouched(world)


def test_unreachable_api_is_refused_with_the_way_out(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    apis["green"].world.sts_endpoint = "http://sts.elsewhere.example"  # every token refused
    code, rep, _, _ = run(probe, apis, tmp_path)
    assert code == 2
    error = rep["parity"]["error"]
    assert "faas-dev-green: GET /apis/serving.knative.dev/v1/revisions: 401 Unauthorized" in error
    assert "--skip-parity" in error
    assert untouched(world)


def test_skip_parity_is_recorded(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    apis["green"].world.objects = []
    code, rep, out, _ = run(probe, apis, tmp_path, "--skip-parity")
    assert code == 0
    assert rep["parity"]["skipped"] == "--skip-parity" and rep["parity"]["compared"] == []
    assert not apis["green"].world.requests and not apis["blue"].world.requests
    assert "parity blue->green: not compared (--skip-parity)" in out


def test_bad_allow_missing_is_a_usage_error_before_any_call(
    probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    err = io.StringIO()
    code = cli.main(
        ["--env", ENV, "--to", "green", "--zone", ZONE, "--region", "us-east-1",
         "--allow-missing", "payments", "--allow-missing", "A/b"],
        stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    assert code == 2
    assert "--allow-missing 'payments': expected NAMESPACE/NAME" in err.getvalue()
    assert "--allow-missing 'A/b': expected NAMESPACE/NAME" in err.getvalue()
    assert not apis["blue"].world.requests


# -- the pieces ------------------------------------------------------------------------------


def test_the_token_is_what_aws_eks_get_token_makes(moto: MotoServer) -> None:
    token = eks_token(Aws(FakeClock(), "us-east-1"), "faas-dev-green")
    assert token.startswith("k8s-aws-v1.") and "=" not in token
    payload = token.removeprefix("k8s-aws-v1.")
    url = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["Action"] == "GetCallerIdentity" and query["Version"] == "2011-06-15"
    assert query["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id"
    assert query["X-Amz-Expires"] == "60"
    assert "/sts/aws4_request" in query["X-Amz-Credential"]
    world = KubeWorld("faas-dev-green", moto.endpoint)
    assert world.verify("Bearer " + token) == ""
    assert "signature" in KubeWorld("faas-dev-blue", moto.endpoint).verify("Bearer " + token)


def test_connect_refuses_a_cluster_eks_does_not_know(moto: MotoServer) -> None:
    with pytest.raises(KubeError, match="faas-dev-nope: eks.describe_cluster failed"):
        connect(Aws(FakeClock(), "us-east-1", max_attempts=1), "faas-dev-nope")


def test_the_fake_api_serves_objects_the_knative_crds_accept() -> None:
    for ready in (True, False):
        for obj in service("payments", "charge", DIGEST, ready=ready):
            assert validate_cr(obj) == [], obj["kind"]


def test_compare_lists_target_only_services_without_refusing() -> None:
    def fn(name: str, ready: bool = True) -> Function:
        return Function("t", name, ready, "", f"{name}-1", DIGEST)

    result = compare({"t/a": fn("a")}, {"t/a": fn("a"), "t/new": fn("new", ready=False)},
                     ("blue", "green"), allow=["t/gone"])  # fmt: skip
    assert result.ok
    assert [c["verdict"] for c in result.compared] == ["ok", "target-only"]
    assert result.allowed == ["t/gone: no such service on either colour (nothing to allow)"]


def test_nothing_is_compared_when_the_other_colour_takes_no_traffic(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    world.set_weights({"blue": 0, "green": 100})  # what build_world(active="green") ends with
    apis["blue"].world.objects = []  # blue lacks everything, and serves nobody
    code, rep, _, _ = run(probe, apis, tmp_path)
    assert code == 0 and rep["status"] == "already-active"
    assert rep["parity"]["skipped"] == "blue takes no traffic: nothing to lose"
    assert not apis["blue"].world.requests and not apis["green"].world.requests


def test_a_colour_with_the_smallest_share_is_still_compared(
    world: World, probe: ProbeServer, apis: dict[str, KubeServer], tmp_path: Path
) -> None:
    """1 of 100 is still traffic that could be lost: only a share of exactly 0 skips parity."""
    world.set_weights({"blue": 1, "green": 99})
    code, rep, _, _ = run(probe, apis, tmp_path)
    assert code == 0, rep["message"]
    assert not rep["parity"].get("skipped") and len(rep["parity"]["compared"]) == 3


# --- how one function is read (what the comparison stands on) ------------------------------


def test_a_service_without_a_ready_condition_is_not_ready() -> None:
    assert parity._ready({"status": {"conditions": []}}) == (False, "no Ready condition yet")
    assert parity._ready({}) == (False, "no Ready condition yet")


def test_without_digests_a_revision_is_known_by_its_images() -> None:
    revision = {"spec": {"containers": [{"name": "user-container", "image": "repo/fn:1"}]}}
    assert parity._image(revision) == "user-container=repo/fn:1"
    assert parity._image({"status": {}}) == ""


def test_a_read_error_or_a_refusal_each_stop_the_cutover() -> None:
    assert parity.ParityResult("blue", "green").ok
    assert not parity.ParityResult("blue", "green", error="blue: API unreachable").ok
    assert not parity.ParityResult("blue", "green", refused=["payments/fn: missing"]).ok


def test_a_function_read_from_a_cluster_is_an_immutable_fact() -> None:
    import dataclasses

    fn = Function("payments", "fn", True, "", "fn-00001", "user-container=sha256:1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        fn.ready = False  # type: ignore[misc]
