"""faas-platform policy pack: rules in `policies.rules`, shared by CrossGuard and offline checks.

Only `policies/__main__.py` builds the `PolicyPack` (it starts a gRPC server and never returns);
everything else here is importable.
"""
