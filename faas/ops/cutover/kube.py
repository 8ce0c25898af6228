"""Read a colour's Kubernetes API with the caller's AWS identity, the way `aws eks get-token` does,
without kubectl or a kubeconfig.

The endpoint and its CA come from EKS DescribeCluster. The bearer token is `k8s-aws-v1.` followed
by the unpadded base64url of a presigned STS GetCallerIdentity URL whose signature covers the
header `x-k8s-aws-id: <cluster name>`; EKS replays that URL against STS to learn who is calling
(aws-iam-authenticator pkg/token/token.go: `v1Prefix`, `clusterIDHeader`, the 60 s presign value
STS ignores, and the 15 minutes a presigned URL stays valid; the AWS CLI's `eks get-token` builds
the same URL with botocore). Lists follow the API's `limit`/`continue` paging.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .aws import Aws, AwsCallFailed

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_HEADER = "x-k8s-aws-id"
PRESIGN_EXPIRES = 60  # STS ignores it; the URL is valid for 15 minutes from its X-Amz-Date
PAGE_SIZE = 500

# (cluster name, endpoint from DescribeCluster) -> (URL to connect to, CA file or None). Lets the
# tests point a real cluster description at a loopback API server with its own certificate.
Route = Callable[[str, str], tuple[str, str | None]]


class KubeError(Exception):
    """The API could not be read: unreachable, unauthorised, or an unexpected answer."""


def _register_cluster_header(sts: Any) -> None:
    """Carry a `ClusterName` pseudo-parameter from the call into the signed header, once per
    client (the handlers read it per request, so one client serves every cluster)."""

    def take_name(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if "ClusterName" in params:
            context["eks_cluster"] = params.pop("ClusterName")

    def add_header(request: Any, **_: Any) -> None:
        if "eks_cluster" in request.context:
            request.headers[CLUSTER_HEADER] = request.context["eks_cluster"]

    events = sts.meta.events
    events.register(
        "provide-client-params.sts.GetCallerIdentity", take_name, unique_id="faas-eks-name"
    )
    events.register("before-sign.sts.GetCallerIdentity", add_header, unique_id="faas-eks-header")


def eks_token(aws: Aws, cluster: str) -> str:
    """A bearer token for `cluster`, valid for about 15 minutes."""
    sts = aws.client("sts")
    _register_cluster_header(sts)
    url = sts.generate_presigned_url(
        "get_caller_identity",
        Params={"ClusterName": cluster},
        ExpiresIn=PRESIGN_EXPIRES,
        HttpMethod="GET",
    )
    encoded = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    return TOKEN_PREFIX + encoded


@dataclass
class KubeApi:
    """GETs against one cluster's API server."""

    cluster: str
    server: str
    token: str
    context: ssl.SSLContext
    timeout: float = 10.0

    def get(self, path: str, **query: str | int) -> dict[str, Any]:
        url = self.server.rstrip("/") + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        req = urllib.request.Request(
            url,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout, context=self.context) as resp:
                return dict(json.loads(resp.read()))
        except urllib.error.HTTPError as exc:
            why = f"{exc.code} {_status_message(exc)}"
            raise KubeError(f"{self.cluster}: GET {path}: {why}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise KubeError(f"{self.cluster}: API {self.server} unreachable: {reason}") from exc
        except ValueError as exc:
            raise KubeError(f"{self.cluster}: GET {path}: not JSON: {exc}") from exc

    def list(self, path: str) -> list[dict[str, Any]]:
        """Every item of a list call, across pages."""
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            query: dict[str, str | int] = {"limit": PAGE_SIZE}
            if token:
                query["continue"] = token
            page = self.get(path, **query)
            items.extend(page.get("items") or [])
            token = str((page.get("metadata") or {}).get("continue") or "")
            if not token:
                return items


def _status_message(exc: urllib.error.HTTPError) -> str:
    """The `message` of the API's Status body, or the HTTP reason."""
    try:
        body = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        body = {}
    return str(body.get("message") or exc.reason)


def connect(aws: Aws, cluster: str, route: Route | None = None, timeout: float = 10.0) -> KubeApi:
    """The API of EKS cluster `cluster`, authenticated as the caller's AWS identity."""
    try:
        desc = aws.call("eks", "describe_cluster", name=cluster)["cluster"]
    except AwsCallFailed as exc:
        raise KubeError(f"{cluster}: {exc}") from exc
    endpoint = str(desc.get("endpoint") or "")
    if not endpoint:
        status = desc.get("status")
        raise KubeError(f"{cluster}: DescribeCluster returned no endpoint (status {status})")
    cafile = None
    if route is not None:
        endpoint, cafile = route(cluster, endpoint)
    if cafile:
        context = ssl.create_default_context(cafile=cafile)
    else:
        try:
            pem = base64.b64decode(desc["certificateAuthority"]["data"]).decode()
            context = ssl.create_default_context(cadata=pem)
        except (KeyError, ValueError, ssl.SSLError) as exc:
            why = "unusable certificateAuthority from DescribeCluster"
            raise KubeError(f"{cluster}: {why}") from exc
    try:
        token = eks_token(aws, cluster)
    except Exception as exc:  # botocore: no credentials, bad region
        raise KubeError(f"{cluster}: cannot sign a token: {exc}") from exc
    return KubeApi(cluster=cluster, server=endpoint, token=token, context=context, timeout=timeout)
