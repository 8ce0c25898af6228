#!/usr/bin/env python3
"""`faas plan` with the historic arguments (pipelines call this path). See `faas plan --help`."""

import sys

from faas.cli import script_main

if __name__ == "__main__":
    sys.exit(script_main("plan"))
