"""Collects the reference function's own tests from the repo root (`pytest tests/`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_FUNCTION_DIR = Path(__file__).resolve().parents[1] / "examples" / "functions" / "hello-python"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, _FUNCTION_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_load("app")
_tests = _load("test_app")
server = _tests.server
test_greet_defaults_to_world = _tests.test_greet_defaults_to_world
test_greet_names_and_bounds_input = _tests.test_greet_names_and_bounds_input
test_http_roundtrip = _tests.test_http_roundtrip
test_unknown_path_is_404 = _tests.test_unknown_path_is_404
