"""Entry point of the CrossGuard pack: builds the `PolicyPack` and nothing else.

`PolicyPack(...)` starts the analyzer's gRPC server and never returns, so the rules live in
importable modules (`policies.rules`, wrapped by `policies.pack`). The pack runs in the
project's `.venv` (PulumiPolicy.yaml), where the project is installed, so `policies` and
`components` import from there.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.pack import PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, enforcement_level=EnforcementLevel.ADVISORY, policies=POLICIES)
