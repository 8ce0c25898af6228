"""The README's policy rules table is the one the pack generates (or its fallback file is)."""

from __future__ import annotations

from pathlib import Path

from policies import check as policycheck

ROOT = Path(__file__).resolve().parent.parent


def current_table_text() -> str:
    readme = ROOT / "README.md"
    if readme.exists():
        table = policycheck.table_between_markers(readme.read_text())
        if table is not None:
            return table
    fallback = ROOT / policycheck.FALLBACK
    assert fallback.exists(), "no README markers and no docs/policy-rules.md"
    table = policycheck.table_between_markers(fallback.read_text())
    assert table is not None
    return table


def test_rules_table_is_current() -> None:
    assert current_table_text() == policycheck.rules_markdown(), (
        "regenerate with: python scripts/check_policies.py --update-readme"
    )


def test_table_lists_every_rule_with_levels_and_sources() -> None:
    from policies.rules import ALL_RULES

    table = policycheck.rules_markdown()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(ALL_RULES)
    assert "| Rule | Default | dev | prod | Severity | Source |" in table


def test_marker_replacement_keeps_surrounding_text() -> None:
    text = f"intro\n{policycheck.BEGIN}\nold\n{policycheck.END}\noutro\n"
    new = policycheck.replace_between_markers(text, "| t |\n")
    assert new == f"intro\n{policycheck.BEGIN}\n| t |\n{policycheck.END}\noutro\n"
    assert policycheck.table_between_markers(new) == "| t |\n"
