#!/usr/bin/env python3
"""`faas cutover` with the historic arguments (pipelines call this path). See docs/cutover.md."""

import sys

from faas.cli import script_main

if __name__ == "__main__":
    sys.exit(script_main("cutover"))
