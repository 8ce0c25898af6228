#!/usr/bin/env python3
"""Blue/green DNS cutover of one environment. See `--help` and docs/cutover.md."""

import sys
from pathlib import Path

# Runnable as `python scripts/cutover.py` from the repo root: make `components` and `faas_tools`
# importable without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faas_tools.cutover.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
