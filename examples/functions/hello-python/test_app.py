"""Unit tests of the function's pure parts, standard library only: `python -m unittest -v`.

The function's pipeline runs these first (ci/functions/). The HTTP contract (routes, one log line
per request, SIGTERM) is tested as a process by the platform (tests/test_functions.py).
"""

from __future__ import annotations

import json
import os
import re
import unittest
from unittest import mock

import app


class GreetTest(unittest.TestCase):
    def test_defaults_to_world(self):
        for name in (None, "", "   "):
            self.assertEqual(app.greet(name)["message"], "Hello, world!")

    def test_names_and_bounds_input(self):
        with mock.patch.dict(os.environ, {"K_REVISION": "r1"}):
            self.assertEqual(app.greet(" Ada "), {"message": "Hello, Ada!", "revision": "r1"})
        self.assertEqual(app.greet("x" * 1000)["message"], f"Hello, {'x' * app.NAME_MAX}!")


class DelayTest(unittest.TestCase):
    def test_is_clamped(self):
        raw = [None, "", "abc", "-5", "250", "999999"]
        self.assertEqual([app.delay_ms(r) for r in raw], [0, 0, 0, 0, 250, app.DELAY_MAX_MS])


class LogLineTest(unittest.TestCase):
    def test_has_exactly_the_contract_fields(self):
        with mock.patch.dict(os.environ, {"K_REVISION": "r1"}):
            entry = json.loads(app.log_line("GET", "/", 200, 1.23456))
        fields = {"time", "method", "path", "status", "duration_ms", "revision"}
        self.assertEqual(set(entry), fields)
        self.assertEqual(entry["duration_ms"], 1.235)
        self.assertRegex(entry["time"], re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"))


if __name__ == "__main__":
    unittest.main()
