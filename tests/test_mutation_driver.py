"""The mutation driver (`make mutation`, docs/testing.md): the edits it makes, their ids, the seeded
sample, the import hook that swaps in a mutant without touching the file, and the score."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mutation import report, runner
from mutation.__main__ import population, sample
from mutation.operators import mutants
from mutation.scope import BY_NAME, GROUPS

SOURCE = '''"""Docstring: never mutated."""
LIMIT = 10


def check(value, names):
    """Also never mutated."""
    if value > LIMIT and "x" not in names:
        raise ValueError(f"{value} is over {LIMIT}")
    names.append(value)
    ok = not names
    return True
'''


def edits(source: str = SOURCE) -> set[tuple[str, str, str]]:
    return {(m.operator, m.before, m.after) for m in mutants("m.py", source)}


def test_each_operator_makes_its_edit() -> None:
    found = edits()
    assert ("boundary", "10", "(11)") in found  # an UPPER_CASE bound
    assert ("boundary", "value > LIMIT", "(value >= LIMIT)") in found
    assert ("compare", "value > LIMIT", "(value <= LIMIT)") in found
    assert ("compare", '"x" not in names', "('x' in names)") in found
    assert ("boolop", 'value > LIMIT and "x" not in names',
            "(value > LIMIT or 'x' not in names)") in found  # fmt: skip
    assert ("negate", 'value > LIMIT and "x" not in names',
            "(not (value > LIMIT and 'x' not in names))") in found  # fmt: skip
    assert ("negate", "not names", "(names)") in found
    assert ("drop-raise", 'raise ValueError(f"{value} is over {LIMIT}")', "pass") in found
    assert ("drop-call", "names.append(value)", "pass") in found
    assert ("constant", "True", "(False)") in found
    # Nothing from docstrings or the f-string; no duplicate negation of a single comparison.
    assert not [e for e in found if "Docstring" in e[1] or "never mutated" in e[1]]
    assert not [e for e in found if e[0] == "negate" and e[1] == "value > LIMIT"]


def test_every_mutant_compiles_and_ids_are_unique_and_line_independent() -> None:
    ms = mutants("m.py", SOURCE)
    for m in ms:
        compile(m.apply(SOURCE), "m.py", "exec")
    assert len({m.id for m in ms}) == len(ms)
    shifted = mutants("m.py", "# a comment moves every line\n" + SOURCE)
    assert {report.equivalence_key(m.id) for m in shifted} == {
        report.equivalence_key(m.id) for m in ms
    }
    twice = mutants("m.py", "a = b == 1\na = b == 1\n")
    assert len({report.equivalence_key(m.id) for m in twice}) == len(twice) == 4


def test_the_sample_is_seeded_and_every_group_names_real_files() -> None:
    root = Path(__file__).resolve().parent.parent
    for group in GROUPS:
        for path in group.file_functions():
            assert (root / path).is_file(), path
        for test in group.tests:
            if test.startswith("tests/"):
                assert (root / test.split("::")[0]).is_file(), test
    config = BY_NAME["config"]
    pop = population(config)
    assert sample(config, pop, None, 1) == sample(config, pop, None, 1)
    assert sample(config, pop, None, 1) != sample(config, pop, None, 2)
    assert len(sample(config, pop, None, 1)) == config.sample
    assert sample(config, pop, 0, 1) == pop  # --full


def test_the_import_hook_loads_the_mutant_and_leaves_the_file(tmp_path: Path) -> None:
    module = tmp_path / "mutation_probe_mod.py"
    module.write_text("def limit():\n    return 10\n")
    finder_count = len(sys.meta_path)
    try:
        runner.install(str(module), "def limit():\n    return 11\n", "mutation_probe_mod")
        import mutation_probe_mod  # type: ignore[import-not-found]

        assert mutation_probe_mod.limit() == 11
        assert module.read_text() == "def limit():\n    return 10\n"
        with pytest.raises(RuntimeError, match="imported before"):
            runner.install(str(module), "", "mutation_probe_mod")
    finally:
        del sys.meta_path[0 : len(sys.meta_path) - finder_count]
        sys.modules.pop("mutation_probe_mod", None)


def test_the_score_leaves_equivalent_mutants_out() -> None:
    g = report.GroupScore("g", "", [], [], population=50, sampled=12, killed=9, survived=1,
                          equivalent=2, gate=90.0)  # fmt: skip
    assert g.score == 90.0 and g.passed
    g.killed, g.survived = 8, 2
    assert g.score == 80.0 and not g.passed
