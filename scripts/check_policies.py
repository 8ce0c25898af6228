#!/usr/bin/env python3
"""`faas check` with the historic arguments (pipelines call this path). See `faas check --help`."""

import sys

from faas.cli import script_main

if __name__ == "__main__":
    sys.exit(script_main("check"))
