"""The local Kubernetes API per colour: it lives in the package (`faas demo cutover` serves it
too)."""

from faas.ops.demo.local_kube import (
    GROUP,
    KubeServer,
    KubeWorld,
    kube_api_server,
    service,
    sigv4_signs,
)

__all__ = ["GROUP", "KubeServer", "KubeWorld", "kube_api_server", "service", "sigv4_signs"]
