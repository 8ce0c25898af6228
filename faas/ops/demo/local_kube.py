"""A local HTTPS server answering the Kubernetes list calls of Knative Serving, one per colour.

It serves `GET /apis/serving.knative.dev/v1/{services,revisions}` as the API server does for
custom resources: a `ServiceList`/`RevisionList` (`apiVersion`, `kind`, `metadata.resourceVersion`
and `continue`) whose items carry their own `apiVersion` and `kind`, paged by `limit`/`continue`,
and a `Status` object on 401. Every object is built to validate against the pinned Knative CRDs
(`faas.contracts.validate_cr`). Bearer tokens are checked the way EKS's authenticator does before
it replays them against STS (aws-iam-authenticator pkg/token/token.go): the `k8s-aws-v1.` prefix,
unpadded base64url, an STS GetCallerIdentity URL whose signed headers include `x-k8s-aws-id`.
EKS then replays the URL against STS; moto's server cannot route a presigned GET to STS, so
instead the server recomputes the SigV4 query signature with moto's fixed credentials,
which proves the URL was signed for this cluster's name (AWS SigV4: "Authenticating requests:
using query parameters").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from faas.ops.demo.serving import serving

from .local_aws import FAKE_ENV
from .local_https import self_signed

GROUP = "serving.knative.dev/v1"
TEST_SECRET = FAKE_ENV["AWS_SECRET_ACCESS_KEY"]  # the secret key the local AWS API accepts


def sigv4_signs(url: str, headers: dict[str, str], secret: str = TEST_SECRET) -> bool:
    """Whether `url`'s X-Amz-Signature is the SigV4 query signature of a GET with `headers`."""
    parts = urllib.parse.urlsplit(url)
    pairs = [p.partition("=") for p in parts.query.split("&")]
    query = {k: v for k, _, v in pairs}
    signature = query.pop("X-Amz-Signature", "")
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
    signed = urllib.parse.unquote(query.get("X-Amz-SignedHeaders", "")).split(";")
    if sorted(signed) != sorted(headers):
        return False
    canonical = "\n".join(
        [
            "GET",
            parts.path or "/",
            canonical_query,
            "".join(f"{h}:{headers[h]}\n" for h in signed),
            ";".join(signed),
            hashlib.sha256(b"").hexdigest(),
        ]
    )
    scope = urllib.parse.unquote(query["X-Amz-Credential"]).split("/", 1)[1]
    date, region, service, terminal = scope.split("/")
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            query["X-Amz-Date"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, terminal):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def service(
    ns: str, name: str, digest: str, ready: bool = True, domain: str = "faas.dev.example.com"
) -> list[dict[str, Any]]:
    """A Knative Service and its latest revision, as the cluster reports them once reconciled."""
    revision = f"{name}-00001"
    cond = {
        "type": "Ready",
        "status": "True" if ready else "False",
        "lastTransitionTime": "2026-11-30T10:00:00Z",
    }
    if not ready:
        cond.update(reason="RevisionFailed", message=f'Revision "{revision}" failed with message: ')
        cond["message"] += "Back-off pulling image."
    meta = {"namespace": ns, "uid": f"uid-{ns}-{name}", "generation": 1}
    svc = {
        "apiVersion": GROUP,
        "kind": "Service",
        "metadata": {"name": name, **meta},
        "spec": {
            "template": {"spec": {"containers": [{"image": f"registry.example/{name}:1.0.0"}]}},
            "traffic": [{"latestRevision": True, "percent": 100}],
        },
        "status": {
            "observedGeneration": 1,
            "conditions": [
                cond,
                {"type": "ConfigurationsReady", "status": cond["status"]},
                {"type": "RoutesReady", "status": cond["status"]},
            ],
            "latestCreatedRevisionName": revision,
            "url": f"https://{name}-{ns}.{domain}",
        },
    }
    if ready:
        svc["status"]["latestReadyRevisionName"] = revision
        svc["status"]["traffic"] = [
            {"revisionName": revision, "latestRevision": True, "percent": 100}
        ]
    rev = {
        "apiVersion": GROUP,
        "kind": "Revision",
        "metadata": {
            "name": revision,
            "labels": {"serving.knative.dev/service": name},
            **meta,
        },
        "spec": {"containers": [{"image": f"registry.example/{name}:1.0.0"}]},
        "status": {
            "observedGeneration": 1,
            "conditions": [{"type": "Ready", "status": cond["status"]}],
            "containerStatuses": [{"name": "user-container", "imageDigest": digest}],
        },
    }
    return [svc, rev]


@dataclass
class KubeWorld:
    """One colour's objects; edit `objects` at any point."""

    cluster: str
    sts_endpoint: str  # where a token's URL must point (the moto server)
    objects: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2  # small, so the client's paging is exercised
    tokens: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *objs: list[dict[str, Any]]) -> None:
        for pair in objs:
            self.objects.extend(pair)

    def verify(self, header: str) -> str:
        """'' if the token is acceptable, else why not."""
        if not header.startswith("Bearer k8s-aws-v1."):
            return "not an EKS token"
        payload = header.removeprefix("Bearer k8s-aws-v1.")
        if "=" in payload:
            return "padded base64"
        url = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        parts = urllib.parse.urlsplit(url)
        query = {k.lower(): v for k, v in urllib.parse.parse_qsl(parts.query)}
        if query.get("action") != "GetCallerIdentity" or query.get("version") != "2011-06-15":
            return "not a GetCallerIdentity URL"
        if "x-k8s-aws-id" not in query.get("x-amz-signedheaders", "").split(";"):
            return "x-k8s-aws-id is not signed"
        if f"{parts.scheme}://{parts.netloc}" != self.sts_endpoint:
            return f"signed for {parts.netloc}, not the STS endpoint"
        if not sigv4_signs(url, {"host": parts.netloc, "x-k8s-aws-id": self.cluster}):
            return f"signature does not cover x-k8s-aws-id: {self.cluster}"
        self.tokens.append(url)
        return ""

    def page(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        kind = {"/apis/serving.knative.dev/v1/services": "Service"}.get(path)
        kind = kind or {"/apis/serving.knative.dev/v1/revisions": "Revision"}.get(path)
        if kind is None:
            return {}
        with self.lock:
            items = [o for o in self.objects if o["kind"] == kind]
        start = int(query.get("continue") or 0)
        limit = int(query.get("limit") or self.page_size)
        size = min(limit, self.page_size)
        chunk = items[start : start + size]
        more = start + size < len(items)
        return {
            "apiVersion": GROUP,
            "kind": f"{kind}List",
            "metadata": {"resourceVersion": "4242", "continue": str(start + size) if more else ""},
            "items": chunk,
        }


def _handler(world: KubeWorld) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            parts = urllib.parse.urlsplit(self.path)
            world.requests.append(parts.path)
            why = world.verify(self.headers.get("Authorization", ""))
            if why:
                return self._send(401, _status(401, "Unauthorized", f"Unauthorized: {why}"))
            body = world.page(parts.path, dict(urllib.parse.parse_qsl(parts.query)))
            if not body:
                return self._send(404, _status(404, "NotFound", "the server could not find it"))
            self._send(200, body)

        def _send(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


@dataclass
class KubeServer:
    world: KubeWorld
    url: str
    cafile: str


@contextmanager
def kube_api_server(world: KubeWorld, folder: Path) -> Iterator[KubeServer]:
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(["localhost"], ("127.0.0.1",))
    (folder / "cert.pem").write_bytes(cert)
    (folder / "key.pem").write_bytes(key)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(world))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    with serving(httpd):
        yield KubeServer(
            world, f"https://127.0.0.1:{httpd.server_address[1]}", str(folder / "cert.pem")
        )
