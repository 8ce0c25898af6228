#!/usr/bin/env python3
"""`faas bootstrap` with the historic arguments. See `faas bootstrap --help`."""

import sys

from faas.cli import script_main

if __name__ == "__main__":
    sys.exit(script_main("bootstrap"))
