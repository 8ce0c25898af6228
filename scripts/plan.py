#!/usr/bin/env python3
"""Offline plan of one or more stacks: the real program under Pulumi's mock monitor.

No AWS credentials, no Pulumi CLI. With no stack named, plans the dev environment (`dev`,
`dev-blue`, `dev-green`). Exit codes: 0 planned, 1 a mandatory policy violation or an exceeded
budget, 2 a config error (every problem listed) or an unknown stack.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faas_tools.offline.cli import main  # noqa: E402  (after the path set-up above)

if __name__ == "__main__":
    # `plan.py | head` should stop quietly, not with a BrokenPipeError traceback.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv[1:]))
