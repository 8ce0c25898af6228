"""Measurements quoted in the README; run each with `python -m benchmarks.<name>`."""
