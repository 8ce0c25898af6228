"""The local HTTPS probe server: it lives in the package (`faas demo cutover` serves it too)."""

from faas.ops.demo.local_https import ProbeServer, https_probe_server, self_signed

__all__ = ["ProbeServer", "https_probe_server", "self_signed"]
