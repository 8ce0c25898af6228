"""The cutover's test world: the package's builder (faas/ops/demo/world.py, which `faas demo
cutover` uses too) with the tests' fixed environment `dev` in us-east-1.

Building it is most of a cutover test's time, so a module builds it once (`world_fixtures`) and
puts its zone back as built before each test: a cutover changes only record sets of the zone
(weights, its lock and outcome TXT records). A test that changes anything else (listeners,
clusters, target registrations) takes `fresh_world` instead, which wipes the server and builds
its own; the shared world is then built again for the next test that wants it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import boto3
import pytest

from faas.ops.cutover import cli
from faas.ops.cutover.clock import FakeClock
from faas.ops.demo.local_aws import MotoServer
from faas.ops.demo.world import Shape, World, build_world

SHAPE = Shape()
ENV = SHAPE.env
BASE = SHAPE.base_domain
ZONE = SHAPE.zone

__all__ = [
    "BASE", "ENV", "SHAPE", "ZONE", "World", "Worlds", "build_world", "run_cutover",
    "world_fixtures",
]  # fmt: skip


def run_cutover(
    probe: Any,
    report: Path,
    *extra: str,
    clock: FakeClock | None = None,
    listeners: list[Any] | None = None,
    soak: str | None = "0",
    operator: str = "tester@ci",
    stderr: TextIO | None = None,
) -> tuple[int, dict[str, Any]]:
    """`faas cutover` in-process on the world: dev to green with `--yes`, probing `probe` (a
    local HTTPS server) for both URLs, parity skipped (tests/test_cutover_parity.py has it);
    `soak=None` leaves the soak at its default. Returns the exit code and the written report."""
    argv = [
        "--env", ENV, "--to", "green", "--zone", ZONE, "--region", SHAPE.region,
        "--probe-url", probe.url, "--env-probe-url", probe.url, "--probe-ca", probe.cafile,
        "--yes", "--operator", operator, "--report", str(report), "--skip-parity",
        *(["--soak", soak] if soak is not None else []), *extra,
    ]  # fmt: skip
    code = cli.main(
        argv, clock=clock or FakeClock(), listeners=listeners, stdout=io.StringIO(),
        stderr=stderr or io.StringIO(),
    )  # fmt: skip
    return code, json.loads(report.read_text())


def _record_sets(world: World) -> dict[tuple[str, str, str], dict[str, Any]]:
    r53 = boto3.client("route53", region_name=world.shape.region)
    listed = r53.list_resource_record_sets(HostedZoneId=world.zone_id)
    assert not listed["IsTruncated"]  # the world's zone is one page; a second would be missed
    return {(rr["Name"], rr["Type"], rr.get("SetIdentifier", "")): rr
            for rr in listed["ResourceRecordSets"]}  # fmt: skip


class Worlds:
    """One module's worlds on its moto server: the shared one, and fresh ones for the tests that
    change more than the zone's record sets."""

    def __init__(self, server: MotoServer) -> None:
        self.server = server
        self._world: World | None = None
        self._as_built: dict[tuple[str, str, str], dict[str, Any]] = {}

    def shared(self) -> World:
        """The shared world with every record set of its zone as built (the server's boto3
        environment must be in effect)."""
        if self._world is None:
            self.server.reset()
            self._world = build_world()
            self._as_built = _record_sets(self._world)
            return self._world
        now = _record_sets(self._world)
        changes = [{"Action": "DELETE", "ResourceRecordSet": rr}
                   for key, rr in now.items() if key not in self._as_built]  # fmt: skip
        changes += [{"Action": "UPSERT", "ResourceRecordSet": rr}
                    for key, rr in self._as_built.items() if now.get(key) != rr]  # fmt: skip
        if changes:
            r53 = boto3.client("route53", region_name=self._world.shape.region)
            r53.change_resource_record_sets(
                HostedZoneId=self._world.zone_id, ChangeBatch={"Changes": changes}
            )
            assert _record_sets(self._world) == self._as_built, "the zone was not put back"
        return self._world

    def fresh(self, **kwargs: Any) -> World:
        """A world of its own (`build_world` arguments) on a wiped server."""
        self.server.reset()
        self._world = None
        return build_world(**kwargs)


def world_fixtures() -> tuple[object, object, object]:
    """Three pytest fixtures over the module's `moto_process` and per-test `moto` (bound with
    `moto_fixtures(reset=False)`): `worlds` (per module), `world` (the shared world, its zone as
    built) and `fresh_world` (a `build_world` for a test's own world). Bind all three in a test
    module: `worlds, world, fresh_world = world_fixtures()`."""

    @pytest.fixture(scope="module", name="worlds")
    def _worlds(moto_process: MotoServer) -> Worlds:
        return Worlds(moto_process)

    @pytest.fixture(name="world")
    def _world(worlds: Worlds, moto: MotoServer) -> World:
        return worlds.shared()

    @pytest.fixture(name="fresh_world")
    def _fresh_world(worlds: Worlds, moto: MotoServer) -> Callable[..., World]:
        return worlds.fresh

    return _worlds, _world, _fresh_world
