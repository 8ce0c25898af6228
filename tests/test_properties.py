"""Property-based tests: subnet allocation, and config validation under random mutations."""

from __future__ import annotations

import copy
import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from components import config
from components.config import ConfigError
from components.config.stackfile import read_stack_file
from components.network import subnets

PRIVATE = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


@st.composite
def private_vpcs(draw) -> ipaddress.IPv4Network:
    base = draw(st.sampled_from(PRIVATE))
    prefix = draw(st.integers(max(16, base.prefixlen), 20))
    index = draw(st.integers(0, 2 ** (prefix - base.prefixlen) - 1))
    return ipaddress.IPv4Network((int(base.network_address) + index * 2 ** (32 - prefix), prefix))


az_sets = st.lists(st.sampled_from("abcdef"), min_size=2, max_size=6, unique=True).map(
    lambda letters: [f"eu-west-1{x}" for x in letters]
)


@given(private_vpcs(), az_sets)
def test_subnets_are_disjoint_and_inside_the_vpc(vpc, azs):
    layout = subnets.allocate(str(vpc), azs)
    nets = [ipaddress.IPv4Network(c) for s in layout for c in (s.private, s.public)]
    assert all(n.subnet_of(vpc) for n in nets)
    for i, a in enumerate(nets):
        for b in nets[i + 1 :]:
            assert not a.overlaps(b)
    assert [s.az for s in layout] == azs


@given(private_vpcs(), az_sets, st.sampled_from("abcdef"))
def test_adding_or_reordering_zones_never_moves_a_subnet(vpc, azs, extra):
    before = {s.az: s for s in subnets.allocate(str(vpc), azs)}
    grown = list(reversed(azs)) + ([f"eu-west-1{extra}"] if f"eu-west-1{extra}" not in azs else [])
    after = {s.az: s for s in subnets.allocate(str(vpc), grown)}
    for az, s in before.items():
        assert after[az] == s


# Random mutations of a valid stack file: each run either validates or raises ConfigError with
# path-prefixed problems; any other exception (a traceback for the user) fails the test.
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.text(max_size=12),
    st.lists(st.text(max_size=8), max_size=4),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


BASE = read_stack_file("dev-blue")
PATHS = list(_paths(BASE))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), junk), min_size=1, max_size=4))
def test_random_mutations_give_a_config_or_a_clear_error(mutations):
    cfg = copy.deepcopy(BASE)
    for path, value in mutations:
        node = cfg
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced a parent of this path
    try:
        config.load("dev-blue", cfg)
    except ConfigError as err:
        assert err.problems
        assert all(p.startswith(("faas:", "aws:")) and ": " in p for p in err.problems)
