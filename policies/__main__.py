"""Entry point of the CrossGuard pack: builds the `PolicyPack` and nothing else.

`PolicyPack(...)` starts the analyzer's gRPC server and never returns, so the rules live in
importable modules (`policies.rules`, wrapped by `policies.pack`).
"""

import sys
from pathlib import Path

# The CLI runs this file with the pack directory on sys.path; the rules import `policies.*`
# and `components.naming`, which live one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies.pack import PACK_NAME, POLICIES  # noqa: E402

PolicyPack(name=PACK_NAME, enforcement_level=EnforcementLevel.ADVISORY, policies=POLICIES)
