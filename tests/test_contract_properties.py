"""The command contract under generated bad input, the way a careless or hurried operator finds it.

Hypothesis mutates the shipped stack files (values, keys, then the text itself), mutates preview
documents (structure and bytes), and builds argument vectors for every command; each input runs
through the command's real `main` in-process (fast), and a fixed sample through real `faas`
processes. Whatever the input: a documented exit code for that command (faas/exitcodes.py), a
message on a refusal, never a traceback, never a runaway line. Fixed seed (`derandomize`), so a
run is repeatable; each test asserts how many inputs it ran. Run time: see `--durations`.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config.stackfile import DEFAULT_DIR, read_stack_file
from faas import exitcodes
from faas.ops.cutover import cli as cutover_cli
from faas.ops.cutover.clock import FakeClock
from tests.support.contract import Outcome, assert_contract, call, faas, process

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = [
    FIXTURES / "policy" / "insecure-preview.json",
    FIXTURES / "report" / "small-blue.json",
    FIXTURES / "report" / "small-dev.json",
]


def fixed(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=True,  # fixed seed: the same inputs every run
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


# --- values a hurried operator types ----------------------------------------------------------

LONG = "x" * 5000
junk = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            " ",
            "null",
            "~",
            0,
            -1,
            2**40,
            1.5,
            float("nan"),
            float("inf"),
            True,
            "yes",
            [],
            {},
            [[[]]],
            {"a": {"b": None}},
            "127.0.0.0/16",
            "169.254.0.0/16",
            "8.8.0.0/16",
            "10.0.0.0/8",
            "0.0.0.0/0",
            "10.10.0.0/33",
            "eu-west-1d",
            "eu-west-9",
            "us-east-1a",
            "2024-01-01",
            "m6i.huge",
            "1.20",
            "Z",
            "blue",
            "purple",
            "https://",
            LONG,
            "é\u202e",
            "\x00",
            31,
            1001,
            3653,
            255,
            256,
        ]
    ),  # fmt: skip
    st.integers(-10, 5000),
    st.text(max_size=12),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out: list[tuple] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


def _mutate(cfg: Any, path: tuple, op: str, value: Any) -> None:
    node = cfg
    try:
        for key in path[:-1]:
            node = node[key]
        last = path[-1]
        if op == "set":
            node[last] = value
        elif op == "delete" and isinstance(node, dict):
            node.pop(last, None)
        elif op == "typo" and isinstance(node, dict) and isinstance(last, str) and last in node:
            node[last[:-1] + last[-1:].upper() + "x"] = node.pop(last)
        elif op == "add" and isinstance(node, dict):
            node["unknownKey"] = value
    except (KeyError, IndexError, TypeError):
        pass  # an earlier mutation replaced a parent of this path


TEXT_OPS = ["truncate", "tab", "byte", "document", "tag", "list", "undecodable", "topkey"]
# Half the files keep their text as dumped, so the value mutations reach the config reader.
text_ops = st.sampled_from(["none"] * len(TEXT_OPS) + TEXT_OPS)


def _text_mutation(text: str, op: str, where: int) -> bytes:
    pos = where % max(1, len(text))
    lines = text.splitlines(keepends=True)
    line = where % max(1, len(lines))
    if op == "truncate":
        return text[:pos].encode()
    if op == "tab":
        lines[line] = "\t" + lines[line]
        return "".join(lines).encode()
    if op == "byte":
        return (text[:pos] + ":{[" + text[pos + 1 :]).encode()
    if op == "document":
        return (text + "---\nconfig: {}\n").encode()
    if op == "tag":
        return text.replace("config:", "config: !Custom", 1).encode()
    if op == "list":
        return ("- " + text.replace("\n", "\n  ")).encode()
    if op == "undecodable":
        return text[:pos].encode() + b"\xff\xfe" + text[pos:].encode()
    if op == "topkey":
        return text.replace("config:", "confg:", 1).encode()
    return text.encode()


mutations = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from(["set", "delete", "typo", "add"]), junk),
    min_size=1,
    max_size=3,
)


def _stack_file_property(stack: str, folder: Path, count: int, seen: list[Outcome]) -> None:
    base = read_stack_file(stack, DEFAULT_DIR)
    paths = _paths(base)
    target = folder / f"Pulumi.{stack}.yaml"

    @fixed(count)
    @given(mutations, text_ops, st.integers(0, 10_000))
    def one(muts: list, text_op: str, where: int) -> None:
        cfg = copy.deepcopy(base)
        for index, op, value in muts:
            _mutate(cfg, paths[index % len(paths)], op, value)
        text = yaml.safe_dump({"config": cfg}, sort_keys=False, allow_unicode=True)
        target.write_bytes(_text_mutation(text, text_op, where))
        result = faas(["plan", stack, "--stacks-dir", str(folder), "--out", "-"])
        assert_contract("plan", result, f"Pulumi.{stack}.yaml", "faas:", "aws:", "config")
        seen.append(result)

    one()


@pytest.fixture(scope="module")
def stack_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A folder per mutated stack: the environment stack alone (planned without colours, it
    takes a few hundredths of a second), the blue cluster stack with its green sibling."""
    out = {}
    for stack, files in (("dev", ["dev"]), ("dev-blue", ["dev-blue", "dev-green"])):
        folder = tmp_path_factory.mktemp(f"stacks-{stack}")
        for name in files:
            shutil.copy(DEFAULT_DIR / f"Pulumi.{name}.yaml", folder)
        out[stack] = folder
    return out


def test_mutated_environment_stack_files_keep_the_contract(stack_folders):
    seen: list[Outcome] = []
    _stack_file_property("dev", stack_folders["dev"], 200, seen)
    assert len(seen) >= 200


def test_mutated_cluster_stack_files_keep_the_contract(stack_folders):
    seen: list[Outcome] = []
    # Fewer: a mutation the reader accepts plans the whole cluster stack (about 0.6 s).
    _stack_file_property("dev-blue", stack_folders["dev-blue"], 40, seen)
    assert len(seen) >= 40
    assert {r.code for r in seen} >= {exitcodes.REFUSED}


# --- preview documents ------------------------------------------------------------------------


def test_mutated_preview_documents_keep_the_contract(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    bases = [json.loads(p.read_text()) for p in DOCS]
    seen: list[Outcome] = []

    @fixed(200)
    @given(
        st.integers(0, len(bases) - 1),
        mutations,
        st.sampled_from(["none", "truncate", "byte", "undecodable", "wrap"]),
        st.integers(0, 100_000),
    )
    def one(which: int, muts: list, text_op: str, where: int) -> None:
        doc = copy.deepcopy(bases[which])
        paths = _paths(doc)
        for index, op, value in muts:
            _mutate(doc, paths[index % len(paths)], op, value)
        text = json.dumps(doc)
        if text_op == "wrap":
            text = "[" * (where % 3000) + text + "]" * (where % 3000)
        data = _text_mutation(text, text_op, where) if text_op != "wrap" else text.encode()
        path = folder / "preview.json"
        path.write_bytes(data)
        result = faas(["check", str(path)])
        assert_contract("check", result, str(path))
        seen.append(result)

    one()
    assert len(seen) >= 200
    assert {r.code for r in seen} >= {exitcodes.VERDICT, exitcodes.REFUSED}


# --- argument vectors -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("places")
    (root / "file.txt").write_text("x")
    (root / "dir").mkdir()
    env_only = root / "env-only"
    env_only.mkdir()
    shutil.copy(DEFAULT_DIR / "Pulumi.dev.yaml", env_only / "Pulumi.dev.yaml")
    (root / "empty").mkdir()
    (root / "not-json.json").write_text("{")
    shutil.copy(DOCS[2], root / "old.json")
    # A copy of the repository's stacks and policy levels for `new-env` to write beside.
    shutil.copytree(DEFAULT_DIR, root / "new-env-stacks")
    from policies import settings

    shutil.copytree(settings.DEFAULT_CONFIG_DIR, root / "new-env-policy")
    return {
        "new-env-stacks": str(root / "new-env-stacks"),
        "new-env-policy": str(root / "new-env-policy"),
        "file": str(root / "file.txt"),
        "dir": str(root / "dir"),
        "new": str(root / "dir" / "new.json"),
        "under-file": str(root / "file.txt" / "x.json"),
        "missing": str(root / "missing" / "deeper.json"),  # outputs may create it
        "absent": str(root / "never-written.json"),
        "proc": "/proc/x.json",
        "empty": "",
        "env-only": str(env_only),
        "empty-dir": str(root / "empty"),
        "not-json": str(root / "not-json.json"),
        "old": str(root / "old.json"),
        "doc": str(DOCS[2]),
    }


NUMBERS = ["nan", "inf", "-inf", "-1", "0", "1e309", "5", "0.5", "abc", "", "2000", "1e-9"]
REGIONS = ["eu-west-1", "us-east-1", "eu-west-9", "EU-WEST-1", "", "moon-1", "us-gov-west-1"]
URLS = ["https://smoke.example.com/", "smoke.example.com", "ftp://x/", "https://", "http://a b/",
        "https://[::1]:99999/", "https://ok.example.com:8443/x", LONG]  # fmt: skip
STACKS = ["dev", "dev-blue", "nosuch", "../etc", "", "dev-purple", "DEV", LONG[:300]]


def _argv(draw: st.DrawFn, options: dict[str, list[Any]], places: dict[str, str]) -> list[str]:
    """Each option drawn or not (a `!` before its name: nearly always, as a required one is).
    One vector in four is "clean": every option that appears takes its pool's first value, a
    good one (None first: the option has no good value here and stays out), so valid vectors get
    past the argument checks and reach the command's work."""
    out: list[str] = []
    clean = draw(st.integers(0, 3)) == 0
    for key, pool in options.items():
        flag = key.lstrip("!")
        if clean and pool[0] is None:
            continue
        if draw(st.integers(0, 9)) < (9 if key.startswith("!") else 5):
            value = pool[0] if clean else draw(st.sampled_from([v for v in pool if v is not None]))
            if value is True:
                out.append(flag)
            else:
                value = places.get(value, value) if isinstance(value, str) else value
                out += [flag, str(value)] if flag.startswith("-") else [str(value)]
    return out


def _argv_property(
    command: str,
    count: int,
    build: Callable[[st.DrawFn], list[str]],
    run: Callable[[list[str]], Outcome],
    at_least: int | None = None,
) -> list[Outcome]:
    """`count` generated argument vectors (at least `at_least` distinct ones run: a small space
    of choices is exhausted sooner)."""
    seen: list[Outcome] = []

    @fixed(count)
    @given(st.data())
    def one(data: st.DataObject) -> None:
        argv = build(data.draw)
        result = run(argv)
        # A refusal names an argument (`--x`, a positional by its name) or a file or key path.
        paths = [a for a in argv if "/" in a]
        names = ("--", "Pulumi.", "PREVIEW", "stack", "faas:", "argument", "nothing changed")
        assert_contract(command, result, *names, *paths)
        seen.append(result)

    one()
    assert len(seen) >= (count if at_least is None else at_least)
    return seen


def test_plan_arguments_keep_the_contract(places, monkeypatch):
    monkeypatch.chdir(places["dir"])  # the default --out (build/plan) lands here, not in the repo
    options = {
        "!stack": ["dev", "dev", "dev", "dev-blue", "nosuch", "../etc", "", "DEV"],
        "--stacks-dir": ["env-only", "env-only", "env-only", "empty-dir", "file", "missing"],
        "--json": ["new", "new", "dir", "under-file", "proc", "empty", "missing"],
        "--out": ["-", "-", "-", "dir", "file", "proc", "empty"],
        "--against": ["old", "old", "not-json", "absent", "dir", "doc"],
        "--budget": ["2000", "1", *NUMBERS],
        "--all": [True],
        "--tree": [True],
    }

    def build(draw: st.DrawFn) -> list[str]:
        # The small environment-only folder unless the draw names another (the last one wins):
        # only `dev` without its colours plans for real, so the suite stays fast.
        return ["plan", "--stacks-dir", places["env-only"], *_argv(draw, options, places)]

    _argv_property("plan", 60, build, faas)


def test_check_arguments_keep_the_contract(places, monkeypatch):
    monkeypatch.chdir(places["dir"])
    options = {
        "preview": ["doc", "absent", "dir", "not-json", "empty", "file", "old"],
        "--json": ["new", "dir", "under-file", "proc", "empty"],
        "--env": ["dev", "prod", "qa", "../x", "", "DEV", LONG[:100]],
    }
    _argv_property("check", 50, lambda draw: ["check", *_argv(draw, options, places)], faas)


def test_cutover_arguments_keep_the_contract(places, monkeypatch):
    # Arguments that pass reach "AWS", here a closed loopback port: refused, nothing changed.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    for var, value in (("AWS_ACCESS_KEY_ID", "x"), ("AWS_SECRET_ACCESS_KEY", "x")):
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    good = 4  # the first values of a pool are good ones, repeated so valid runs are common
    options = {
        "!--env": ["dev"] * good + ["qa", "../dev", "", "DEV"],
        "!--to": ["green"] * good + ["blue", "red", ""],
        "--zone": ["faas.dev.example.com"] * good + ["Not A Zone", "", "faas..x"],
        "!--stacks-dir": ["env-only"] * good + ["missing", "file", "empty-dir"],
        "--region": ["eu-west-1"] * good + REGIONS,
        "--steps": ["10,50,100", "100", "50,10", "0,100", "a,b", "", "10,50"],
        "--soak": ["0"] * good + NUMBERS,
        "--probe-url": URLS[:1] * good + URLS,
        "--env-probe-url": URLS[:1] * good + URLS,
        "--probe-count": ["3", "0", "-1", "1000", "x"],
        "--probe-timeout": ["5"] * good + NUMBERS,
        "--insync-timeout": ["300"] * good + NUMBERS,
        "--probe-ca": [None, "file", "missing", "dir"],
        "--report": ["new"] * good + ["dir", "under-file", "proc", "empty"],
        "--operator": ["ops@ci", 'a "b"', "", LONG[:300]],
        "--dry-run": [True],
        "--yes": [True],
        "--break-lock": [True],
        "--json": [True],
    }

    def run(argv: list[str]) -> Outcome:
        return call(cutover_cli.main, argv, clock=FakeClock())

    seen = _argv_property("cutover", 80, lambda draw: _argv(draw, options, places), run)
    reached_aws = [r for r in seen if "route53.list_hosted_zones_by_name failed" in r.err]
    assert len(reached_aws) >= 5  # valid vectors too, not only refusals of the arguments


def test_bootstrap_new_env_and_completion_arguments_keep_the_contract(places, monkeypatch):
    # No endpoint, no credentials: only refusals are possible, and they must come first.
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", places["missing"])
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", places["missing"])
    bootstrap = {
        "--region": ["mars-1", "", "EU-WEST-1", "eu-west-9"],
        "--bucket": ["ok-bucket", "Bad_Bucket", "a", "1.2.3.4", "xn--x", LONG[:100], ""],
        "--key-alias": ["alias/ok", "state", "alias/aws/x", "", "alias/" + LONG[:300]],
        "--noncurrent-days": ["-5", "0", "30", "x", "1e3", "99999999999"],
        "--dry-run": [True],
        "--json": [True],
    }
    _argv_property(
        "bootstrap", 40, lambda draw: ["bootstrap", *_argv(draw, bootstrap, places)], faas
    )
    new_env = {
        "!env": ["qa", "qa", "dev", "QA", "", "../x"],
        "!--region": ["eu-west-1", "ap-northeast-1", *REGIONS],
        "!--base-domain": ["qa.example.com", "dev.example.com", "", "UPPER.example.com"],
        "!--cidr-blue": ["10.40.0.0/16", "10.40.0.0/16", "127.0.0.0/16", "x", "", "10.10.0.0/16"],
        "!--cidr-green": ["10.41.0.0/16", "10.41.0.0/16", "10.40.0.0/17", "169.254.0.0/16"],
        "--from": ["dev", "prod", "staging"],
        "!--stacks-dir": ["new-env-stacks", "new-env-stacks", "missing", "file"],
        "!--policy-dir": ["new-env-policy", "new-env-policy", "missing", "file"],
    }
    _argv_property("new-env", 30, lambda draw: ["new-env", *_argv(draw, new_env, places)], faas)
    completion = {"shell": ["bash", "zsh", "fish", "", "--help"]}
    _argv_property(
        "completion", 10, lambda draw: ["completion", *_argv(draw, completion, places)], faas, 5
    )


# --- a fixed sample through real processes ----------------------------------------------------

SAMPLE_SIZE = 20


def _sample(places: dict[str, str]) -> list[list[str]]:
    """SAMPLE_SIZE argument vectors drawn with a fixed seed from the same pools."""
    rng = random.Random(20261130)
    out = []
    for i in range(SAMPLE_SIZE):
        kind = ["plan", "check", "cutover", "bootstrap", "new-env"][i % 5]
        if kind == "plan":
            out.append(["plan", rng.choice(STACKS[2:]) or "x", "--stacks-dir", places["env-only"],
                        "--budget", rng.choice(NUMBERS[:4])])  # fmt: skip
        elif kind == "check":
            out.append(["check", places[rng.choice(["absent", "dir", "not-json", "empty"])]])
        elif kind == "cutover":
            out.append(["cutover", "--env", "dev", "--to", "green", "--soak",
                        rng.choice(NUMBERS[:4]), "--probe-url", rng.choice(URLS[1:])])  # fmt: skip
        elif kind == "bootstrap":
            out.append(["bootstrap", "--region", rng.choice(REGIONS[2:]), "--noncurrent-days",
                        rng.choice(["-5", "0"])])  # fmt: skip
        else:
            region = rng.choice(["moon-1", "EU"])
            out.append(["new-env", "qa", "--region", region, "--base-domain", "qa.example.com",
                        "--cidr-blue", "10.40.0.0/16", "--cidr-green", "127.0.0.0/16",
                        "--stacks-dir", places["empty-dir"]])  # fmt: skip
    return out


def test_a_fixed_sample_through_real_processes(places):
    """The same contract as a shell sees it: exit status, stderr, no traceback."""
    sample = _sample(places)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(process, sample))
    for argv, result in zip(sample, results, strict=True):
        assert_contract(argv[0], result)
        assert result.code == exitcodes.REFUSED, (argv, result.err)
    assert len(results) == SAMPLE_SIZE
