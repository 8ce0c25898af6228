"""The environment's registry as planned: a repository per team and function, encrypted, scanned,
immutable, with a lifecycle that keeps what Knative may route to; colours stay independent."""

from __future__ import annotations

import json

import pytest

from components import naming
from components.config import load
from components.config.registry import ROUTED_REVISIONS
from components.config.stackfile import colour_configs, read_stack_file
from components.delivery import documents as d
from tests.support.ecr_lifecycle import Image, expired
from tests.support.plans import name_of, plan, states

ENVS = ["dev", "prod"]


def registry(env: str):
    return load(env, read_stack_file(env), None, colour_configs(env)).registry


def by_name(env: str, type_: str) -> dict[str, dict]:
    return {name_of(s["urn"]): s for s in states(plan(env), type_)}


@pytest.mark.parametrize("env", ENVS)
def test_every_function_of_either_colour_has_a_hardened_repository(env):
    repos = by_name(env, "aws:ecr/repository:Repository")
    lifecycles = by_name(env, "aws:ecr/lifecyclePolicy:LifecyclePolicy")
    policies = by_name(env, "aws:ecr/repositoryPolicy:RepositoryPolicy")
    key = by_name(env, "aws:kms/key:Key")[naming.resource_name(env, None, "registry", "key")]
    cfg = registry(env)
    expected = {
        naming.resource_name(env, None, "repo", t.team, fn): naming.repository_name(env, t.team, fn)
        for t in cfg.teams
        for fn in t.functions
    }
    assert len(expected) >= 3 and set(repos) == set(expected)
    for logical, physical in expected.items():
        inputs = repos[logical]["inputs"]
        assert inputs["name"] == physical
        assert inputs["imageTagMutability"] == "IMMUTABLE"
        assert inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert inputs["encryptionConfigurations"] == [
            {"encryptionType": "KMS", "kmsKey": key["outputs"]["arn"]}
        ]
        assert inputs["forceDelete"] is False
        assert lifecycles[logical]["inputs"]["repository"] == physical
        assert lifecycles[logical]["inputs"]["policy"] == d.lifecycle_policy(cfg.keep_images)
        assert policies[logical]["inputs"]["repository"] == physical
    assert key["inputs"]["enableKeyRotation"] is True


@pytest.mark.parametrize("env", ENVS)
def test_the_environment_exports_what_pipelines_need(env):
    outputs = plan(env)["outputs"]
    region = plan(env)["config"]["aws:region"]
    assert outputs["registry_url"] == f"123456789012.dkr.ecr.{region}.amazonaws.com"
    for t in registry(env).teams:
        assert outputs["publisher_role_arns"][t.team].endswith(
            f":role/{naming.publisher_role_name(env, t.team)}"
        )
        for fn in t.functions:
            url = outputs["repository_urls"][f"{t.team}/{fn}"]
            assert url == f"{outputs['registry_url']}/{naming.repository_name(env, t.team, fn)}"


@pytest.mark.parametrize("env", ENVS)
def test_colours_and_environment_deploy_in_any_order(env):
    """Nothing of the registry waits on a colour, and no colour reads the environment: the
    deterministic names are the only link, so `<env>` -> colours -> `<env>` and a colour on its
    own both work."""
    doc = plan(env)
    refs = {s["urn"] for s in states(doc, "pulumi:pulumi:StackReference")}
    registry_types = ("aws:ecr/", "aws:iam/", "aws:kms/")
    for step in doc["steps"]:
        state = step["newState"]
        if state["type"].startswith(registry_types):
            assert not refs & set(state.get("dependencies", [])), state["urn"]
    for color in naming.COLORS:
        colour = plan(naming.stack_name(env, color))
        assert not states(colour, "pulumi:pulumi:StackReference")
        # The resolver's scope names the environment's repositories by the same prefix.
        (resolver,) = [
            s
            for s in states(colour, "aws:iam/rolePolicy:RolePolicy")
            if name_of(s["urn"]) == naming.image_resolver_role_name(env, color)
        ]
        scope = json.loads(resolver["inputs"]["policy"])["Statement"][1]["Resource"]
        for repo in by_name(env, "aws:ecr/repository:Repository").values():
            assert repo["outputs"]["arn"].startswith(scope.removesuffix("*")), scope


# --- the lifecycle: keep what a traffic block may roll back to -----------------------------------


def releases(n: int) -> list[Image]:
    return [Image(f"sha256:{i:064x}", (f"{i:040x}",), pushed_at=i) for i in range(n)]


def test_lifecycle_keeps_the_newest_releases_and_bounds_the_rest():
    keep = registry("dev").keep_images
    images = releases(3 * keep)
    gone = expired(d.lifecycle_policy(keep), images)
    assert gone == {i.digest for i in images[: 2 * keep]}


def test_lifecycle_keeps_every_revision_knative_still_holds():
    """A linear history of releases: Knative keeps the routed (latest) revision and at most
    max-non-active-revisions others (config-gc); all of their images must still be pullable, on
    either colour, whatever its revisionGc."""
    cfg = registry("dev")
    for color in naming.COLORS:
        serving = load(naming.stack_name("dev", color), read_stack_file(f"dev-{color}")).serving
        images = releases(cfg.keep_images + 25)
        retained = images[-(serving.revision_max_non_active + 1) :]
        gone = expired(d.lifecycle_policy(cfg.keep_images), images)
        assert not gone & {i.digest for i in retained}, color
        # Room for traffic blocks that route to older revisions too.
        assert cfg.keep_images - len(retained) >= ROUTED_REVISIONS


def test_a_pinned_rollback_target_outlives_any_number_of_releases():
    keep = registry("dev").keep_images
    images = releases(5 * keep)
    stable = images[0]
    pinned = Image(stable.digest, (*stable.tags, "keep-stable-2026-05"), stable.pushed_at)
    gone = expired(d.lifecycle_policy(keep), [pinned, *images[1:]])
    assert stable.digest not in gone
    # Without the pin, a revision routed for longer than `keep` releases would lose its image:
    # the limit the function guide states.
    assert stable.digest in expired(d.lifecycle_policy(keep), images)
