"""How the reports write money: totals to the cent, unit prices with their significant digits."""

from __future__ import annotations


def usd(value: float) -> str:
    return f"${value:,.2f}"


def rate(value: float) -> str:
    """Unit prices keep their significant digits: $0.045, $0.0225, $0.10."""
    digits = f"{value:.4f}".rstrip("0")
    whole, _, frac = digits.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"
