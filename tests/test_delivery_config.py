"""Delivery config: the team keys, the internal entry point's extra ranges, and the environment
stack's view of the teams, read from both colours' stack files (docs/delivery.md)."""

from __future__ import annotations

import copy

import pytest

from components import config
from components.config import ConfigError
from components.config.registry import DEFAULT_MAX_NON_ACTIVE, ROUTED_REVISIONS
from components.config.stackfile import colour_configs, read_stack_file


def raw(stack: str) -> dict:
    return copy.deepcopy(read_stack_file(stack))


def problems_of(stack: str, cfg: dict, **kw) -> list[str]:
    with pytest.raises(ConfigError) as err:
        config.load(stack, cfg, **kw)
    return err.value.problems


def payments(cfg: dict) -> dict:
    return cfg["faas:serving"]["teams"][0]


def test_shipped_teams_name_functions_policies_and_pipelines():
    cfg = config.load("dev-blue", raw("dev-blue"))
    team = cfg.serving.teams[0]
    assert team.functions == ("hello-python", "hello-node")
    assert team.policies == ("arn:aws:iam::123456789012:policy/payments-functions-dev",)
    assert team.ci.issuer == "token.actions.githubusercontent.com"
    assert team.ci.audience == "sts.amazonaws.com"  # GitHub's default
    search = cfg.serving.teams[1]
    assert search.ci.audience == "api://AzureADTokenExchange"  # Azure DevOps's default
    assert cfg.edge.internal_ingress_cidrs == ("10.30.0.0/16", "172.20.0.0/16")


def test_bad_team_keys_are_all_reported_with_their_paths():
    cfg = raw("dev-blue")
    team = payments(cfg)
    team["functions"] = ["hello-python", "Hello_Py", "hello-python"]
    team["policies"] = ["arn:aws:iam::123456789012:role/not-a-policy", "x"]
    team["ci"] = {
        "issuer": "https://token.actions.githubusercontent.com",
        "subjects": ["repo:acme/payments:*", ""],
    }
    cfg["faas:serving"]["teams"][1]["ci"] = {"issuer": "gitlab.example.com", "subjects": ["a"]}
    found = problems_of("dev-blue", cfg)
    t0, t1 = "faas:serving.teams[0]", "faas:serving.teams[1]"
    expected = [
        f"{t0}.functions[1]: 'Hello_Py' is not a DNS label",
        f"{t0}.functions: function 'hello-python' is listed twice",
        f"{t0}.policies[0]: 'arn:aws:iam::123456789012:role/not-a-policy' is not a managed policy",
        f"{t0}.policies[1]: 'x' is not a managed policy ARN",
        f"{t0}.ci.issuer: 'https://token.actions.githubusercontent.com' is not an issuer",
        f"{t0}.ci.subjects[0]: 'repo:acme/payments:*' must be one exact subject",
        f"{t0}.ci.subjects[1]: '' must be one exact subject",
        f"{t1}.ci.audience: is required",  # no default for an unknown issuer
    ]
    for line in expected:
        assert any(p.startswith(line) for p in found), (line, found)
    assert len(found) == len(expected), found


@pytest.mark.parametrize(
    ("cidrs", "message"),
    [
        (["0.0.0.0/0"], "0.0.0.0/0 is not inside a private range"),
        (["8.8.8.0/24"], "8.8.8.0/24 is not inside a private range"),
        (["10.0.0.0/7"], "10.0.0.0/7 is not inside a private range"),
        (["10.30.0.1/16"], "10.30.0.1/16 is not a CIDR"),
        (["10.30.0.0/16", "10.30.0.0/16"], "10.30.0.0/16 is listed twice"),
    ],
)
def test_internal_entry_point_takes_private_ranges_only(cidrs, message):
    cfg = raw("dev-blue")
    cfg["faas:edge"]["internalIngressCidrs"] = cidrs
    assert any(message in p for p in problems_of("dev-blue", cfg)), message


def test_internal_ranges_accept_rfc1918_and_rfc6598():
    cfg = raw("dev-blue")
    ranges = ["10.200.0.0/16", "172.31.0.0/16", "192.168.10.0/24", "100.64.0.0/10"]
    cfg["faas:edge"]["internalIngressCidrs"] = ranges
    assert config.load("dev-blue", cfg).edge.internal_ingress_cidrs == tuple(ranges)


# --- the environment stack's registry view -------------------------------------------------------


def test_environment_reads_both_colours_teams():
    cfg = config.load("dev", raw("dev"), None, colour_configs("dev"))
    teams = {t.team: t for t in cfg.registry.teams}
    assert sorted(teams) == ["payments", "search"]
    assert teams["payments"].functions == ("hello-node", "hello-python")
    assert teams["search"].ci.subjects == ("sc://acme/search/faas-dev",)
    assert cfg.registry.keep_images == 1 + DEFAULT_MAX_NON_ACTIVE + ROUTED_REVISIONS


def test_without_colour_files_the_environment_owns_no_repositories():
    assert config.load("dev", raw("dev")).registry.teams == ()


def test_a_function_listed_by_one_colour_only_still_gets_its_repository():
    blue, green = raw("dev-blue"), raw("dev-green")
    payments(green)["functions"] = ["hello-python", "hello-node", "new-fn"]
    cfg = config.load("dev", raw("dev"), None, {"blue": blue, "green": green})
    teams = {t.team: t for t in cfg.registry.teams}
    assert "new-fn" in teams["payments"].functions


def test_keep_images_follows_the_larger_revision_retention():
    blue, green = raw("dev-blue"), raw("dev-green")
    green["faas:serving"]["revisionGc"] = {"maxNonActive": 50}
    cfg = config.load("dev", raw("dev"), None, {"blue": blue, "green": green})
    assert cfg.registry.keep_images == 1 + 50 + ROUTED_REVISIONS


def test_colours_that_disagree_on_the_pipeline_or_region_are_refused():
    blue, green = raw("dev-blue"), raw("dev-green")
    payments(green)["ci"]["subjects"] = ["repo:acme/other:environment:dev"]
    green["aws:region"] = "eu-central-1"
    found = problems_of("dev", raw("dev"), colours={"blue": blue, "green": green})
    assert any(p.startswith("faas:serving.teams[payments].ci: differs between") for p in found)
    assert any(p.startswith("dev-green aws:region: 'eu-central-1' differs") for p in found)


def test_a_broken_colour_file_is_reported_by_the_environment_with_its_stack():
    blue, green = raw("dev-blue"), raw("dev-green")
    payments(green)["functions"] = ["Bad_Name"]
    found = problems_of("dev", raw("dev"), colours={"blue": blue, "green": green})
    assert found == [
        "dev-green faas:serving.teams[0].functions[0]: 'Bad_Name' is not a DNS label (a-z, 0-9, -)"
    ]


def test_repository_names_that_would_collide_are_refused():
    blue = raw("dev-blue")
    teams = blue["faas:serving"]["teams"]
    teams[0]["functions"] = ["a-b"]
    teams.append({**copy.deepcopy(teams[0]), "name": "payments-a", "functions": ["b"]})
    del teams[-1]["ci"]
    found = problems_of("dev", raw("dev"), colours={"blue": blue, "green": None})
    assert any("payments/a-b and payments-a/b would share the name" in p for p in found), found
