"""The new config keys: `faas:capacity`, `faas:serving.maxScale`, `faas:serving.observability`,
and team quotas that hold the platform's max scale, validated with key paths; a typo exits 2."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from components import config
from components.capacity import podsize
from components.config import ConfigError
from components.config.stackfile import read_stack_file
from faas.plan.cli import main

ROOT = Path(__file__).resolve().parents[1]


def raw(stack: str = "dev-blue") -> dict:
    return copy.deepcopy(read_stack_file(stack))


def problems(cfg: dict, stack: str = "dev-blue") -> list[str]:
    with pytest.raises(ConfigError) as err:
        config.load(stack, cfg)
    return err.value.problems


@pytest.mark.parametrize(
    ("section", "path", "typo"),
    [
        ("faas:capacity", (), "instanceFamily"),
        ("faas:capacity", (), "cpulimit"),
        ("faas:serving", ("observability",), "prometheusRetension"),
        ("faas:serving", ("observability", "alertReceivers", 0), "webhookURL"),
        ("faas:serving", (), "maxscale"),
    ],
)
def test_a_typo_in_a_new_key_is_named(section, path, typo):
    cfg = raw()
    node = cfg[section]
    for key in path:
        node = node[key]
    node[typo] = "x"
    dotted = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)
    (found,) = problems(cfg)
    assert found.startswith(f"{section}{dotted}.{typo}: unknown key")


def test_capacity_values_are_checked_with_their_paths():
    cfg = raw()
    cap = cfg["faas:capacity"]
    cap.update(
        instanceFamilies=["m5", "m5", "z9"],
        instanceSizes=["huge"],
        cpuLimit="-4",
        expireAfter="30 days",
        consolidation="Sometimes",
        disruptionBudget="150%",
    )
    found = "\n".join(problems(cfg))
    for expected in (
        "faas:capacity.instanceFamilies[2]: 'z9' is not in the instance catalogue",
        "faas:capacity.instanceFamilies: ['m5', 'm5', 'z9']: spot needs at least 3 families",
        "faas:capacity.instanceSizes[0]: 'huge' is not a known size",
        "faas:capacity.cpuLimit: '-4' is not a positive Kubernetes quantity",
        "faas:capacity.expireAfter: '30 days' is not a duration",
        "faas:capacity.consolidation: 'Sometimes' is not one of",
        "faas:capacity.disruptionBudget: '150%' is not a node count or 0-100%",
    ):
        assert expected in found


def test_the_node_pool_must_hold_its_largest_instance():
    cfg = raw()
    cfg["faas:capacity"].update(cpuLimit="2", expectedCpu="2", instanceSizes=["xlarge"])
    (found,) = problems(cfg)
    assert found.startswith("faas:capacity.cpuLimit: 2 is below the 4 vCPUs")


def test_a_team_quota_must_hold_one_function_at_max_scale():
    cfg = raw()
    cfg["faas:serving"]["teams"][0]["cpu"] = "8"
    cfg["faas:serving"]["teams"][0].pop("pods")
    (found,) = problems(cfg)
    pod = podsize.function_pod()
    assert found.startswith(f"faas:serving.teams[0].cpu: 8 holds 8 function pods ({pod.describe()}")
    assert found.endswith("maxScale 10 needs at least 10")


def test_a_pod_count_beyond_what_cpu_and_memory_hold_is_refused():
    cfg = raw()
    cfg["faas:serving"]["teams"][1]["pods"] = 200
    (found,) = problems(cfg)
    assert found == (
        "faas:serving.teams[1].pods: 200 promises more pods than cpu 12 and memory 16Gi hold "
        "(12 default-sized function pods)"
    )


def test_pods_default_to_what_the_quota_holds():
    cfg = raw()
    for team in cfg["faas:serving"]["teams"]:
        team.pop("pods")
    teams = config.load("dev-blue", cfg).serving.teams
    assert [t.pods for t in teams] == [12, 12]


def test_alerts_must_go_somewhere_and_over_https():
    cfg = raw()
    cfg["faas:serving"]["observability"]["alertReceivers"] = []
    assert problems(cfg) == [
        "faas:serving.observability.alertReceivers: at least one receiver is required, "
        "or alerts go nowhere"
    ]
    cfg["faas:serving"]["observability"]["alertReceivers"] = [
        {"name": "oncall", "webhookUrl": "http://x"}
    ]
    cfg["faas:serving"]["observability"]["prometheusRetention"] = "forever"
    assert problems(cfg) == [
        "faas:serving.observability.prometheusRetention: 'forever' is not a duration like 15d",
        "faas:serving.observability.alertReceivers[0].webhookUrl: "
        "'http://x' must be an https:// URL",
    ]


def test_max_scale_must_allow_the_smoke_service():
    cfg = raw()
    cfg["faas:serving"]["maxScale"] = 2
    assert "faas:serving.maxScale: 2 is below the smoke service's max-scale 3" in problems(cfg)


def test_a_typo_in_a_new_key_exits_2_naming_it(tmp_path, capsys):
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    text = (ROOT / "stacks" / "Pulumi.dev-blue.yaml").read_text()
    text = text.replace("    expireAfter: 168h\n", "    expireAftr: 168h\n")
    (stacks / "Pulumi.dev-blue.yaml").write_text(text)
    assert main(["dev-blue", "--stacks-dir", str(stacks), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "faas:capacity.expireAftr: unknown key" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
