"""Collects the reference function's own tests from the repo root (`pytest tests/`)."""

from __future__ import annotations

import sys
from pathlib import Path

_FUNCTION_DIR = Path(__file__).resolve().parents[1] / "examples" / "functions" / "hello-python"
sys.path.insert(0, str(_FUNCTION_DIR))

from test_app import (  # noqa: E402, F401  (re-exported so pytest runs them here)
    server,
    test_greet_defaults_to_world,
    test_greet_names_and_bounds_input,
    test_http_roundtrip,
    test_unknown_path_is_404,
)
