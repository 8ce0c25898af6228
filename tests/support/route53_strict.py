"""A thin HTTP proxy in front of the moto server that answers change batches as Route 53 does.

Route 53 rejects a whole batch (400 `InvalidChangeBatch`) that CREATEs a record set which already
exists, or DELETEs one whose values do not match the current ones exactly; the cutover lock relies
on the first to keep two operators from both taking it (faas/ops/cutover/lock.py). moto accepts
a CREATE of an existing name with another value, so against bare moto two operators would both
"hold" the lock. The proxy checks every `ChangeResourceRecordSets` batch against the zone's
current record sets (read from moto), in order and atomically, one batch at a time per proxy (Route
53 also applies a zone's batches one at a time), and only then forwards it; everything else passes
through untouched.

Why a proxy and not a botocore event hook: it sits on the wire, so the code under test goes
through its real boto3 client, botocore's real error parsing and its own retry layer, whatever
session it builds, in this process or in a `faas` subprocess; and it can hold two operators'
CREATEs until both have arrived, so the race is really run rather than simulated by ordering.

Error bodies follow the Route 53 API reference (ChangeResourceRecordSets, errors:
InvalidChangeBatch, HTTP 400) in the `ErrorResponse` shape of the rest-xml protocol, with the
message text Route 53 uses ("Tried to create resource record set [name='...', type='TXT'] but it
already exists").
"""

from __future__ import annotations

import http.client
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import boto3

from faas.ops.demo.serving import serving

NS = "{https://route53.amazonaws.com/doc/2013-04-01/}"
_RRSET_PATH = re.compile(r"^/2013-04-01/hostedzone/([^/]+)/rrset/?$")
_CHANGE_PATH = "/2013-04-01/change/"


@dataclass
class Batch:
    """One change batch as the proxy saw it."""

    comment: str
    changes: list[dict[str, Any]]  # {"Action", "Name", "Type", "SetIdentifier", "TTL", "Values"}
    error: str = ""  # "" when forwarded to moto


@dataclass
class Proxy:
    endpoint: str
    batches: list[Batch] = field(default_factory=list)
    # Batches whose comment starts with a key fail with (status, code) instead of being applied.
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)
    hold: threading.Barrier | None = None  # CREATE batches wait here until all parties arrive
    pending_polls: int = 0  # the next this many GetChange answers say PENDING (moto: INSYNC)

    def fail(self, comment_prefix: str, status: int = 403, code: str = "AccessDenied") -> None:
        self.failures[comment_prefix] = (status, code)

    def hold_creates(self, parties: int, timeout: float = 20.0) -> None:
        """Hold every batch with a CREATE until `parties` of them have arrived, then let them go
        (one at a time, as Route 53 applies them)."""
        self.hold = threading.Barrier(parties, timeout=timeout)

    def accepted(self) -> list[Batch]:
        return [b for b in self.batches if not b.error]


def _norm(name: str) -> str:
    n = name.replace("\\052", "*").lower()
    return n if n.endswith(".") else n + "."


def parse_batch(body: bytes) -> Batch:
    root = ET.fromstring(body)
    comment = root.findtext(f"{NS}ChangeBatch/{NS}Comment") or ""
    changes = []
    for ch in root.iter(f"{NS}Change"):
        rr = ch.find(f"{NS}ResourceRecordSet")
        assert rr is not None
        ttl = rr.findtext(f"{NS}TTL")
        changes.append(
            {
                "Action": ch.findtext(f"{NS}Action"),
                "Name": _norm(rr.findtext(f"{NS}Name") or ""),
                "Type": rr.findtext(f"{NS}Type"),
                "SetIdentifier": rr.findtext(f"{NS}SetIdentifier"),
                "TTL": int(ttl) if ttl else None,
                "Values": [v.text for v in rr.iter(f"{NS}Value")],
                "Alias": rr.find(f"{NS}AliasTarget") is not None,
            }
        )
    return Batch(comment, changes)


def _current(client: Any, zone_id: str) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    out = {}
    for page in client.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id):
        for rr in page["ResourceRecordSets"]:
            key = (_norm(rr["Name"]), rr["Type"], rr.get("SetIdentifier"))
            out[key] = {
                "TTL": rr.get("TTL"),
                "Values": [r["Value"] for r in rr.get("ResourceRecords", [])],
            }
    return out


def refusal(batch: Batch, state: dict[tuple[str, str, str | None], dict[str, Any]]) -> str:
    """Route 53's reason to reject the whole batch, or "" (changes apply in order)."""
    state = dict(state)
    for ch in batch.changes:
        key = (ch["Name"], ch["Type"], ch["SetIdentifier"])
        where = f"[name='{ch['Name']}', type='{ch['Type']}'"
        where += f", set-identifier='{ch['SetIdentifier']}']" if ch["SetIdentifier"] else "]"
        have = state.get(key)
        if ch["Action"] == "CREATE":
            if have is not None:
                return f"Tried to create resource record set {where} but it already exists"
            state[key] = {"TTL": ch["TTL"], "Values": ch["Values"]}
        elif ch["Action"] == "DELETE":
            if have is None:
                return f"Tried to delete resource record set {where} but it was not found"
            if not ch["Alias"] and have != {"TTL": ch["TTL"], "Values": ch["Values"]}:
                return (
                    f"Tried to delete resource record set {where} but the values provided do "
                    "not match the current values"
                )
            del state[key]
        else:
            state[key] = {"TTL": ch["TTL"], "Values": ch["Values"]}
    return ""


def _error_body(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        '<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>[{message}]</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()


@contextmanager
def strict_route53(upstream: str) -> Iterator[Proxy]:
    """A proxy on a free loopback port in front of the moto server at `upstream`."""
    target = urlsplit(upstream)
    client = boto3.client(
        "route53",
        endpoint_url=upstream,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    applying = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _forward(self, body: bytes | None, pending: bool = False) -> None:
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            if pending:
                data = data.replace(b"<Status>INSYNC</Status>", b"<Status>PENDING</Status>")
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        def _reply(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            match = _RRSET_PATH.match(urlsplit(self.path).path)
            if self.command == "GET" and urlsplit(self.path).path.startswith(_CHANGE_PATH):
                with applying:
                    pending = proxy.pending_polls > 0
                    proxy.pending_polls -= int(pending)
                self._forward(body, pending)
                return
            if self.command != "POST" or not match or not body:
                self._forward(body)
                return
            batch = parse_batch(body)
            if proxy.hold is not None and any(c["Action"] == "CREATE" for c in batch.changes):
                proxy.hold.wait()  # a barrier between the racing runs, not a timed wait
            with applying:
                proxy.batches.append(batch)
                for prefix, (status, code) in proxy.failures.items():
                    if batch.comment.startswith(prefix):
                        batch.error = code
                        self._reply(status, _error_body(code, f"refused by the test: {prefix}"))
                        return
                reason = refusal(batch, _current(client, match.group(1)))
                if reason:
                    batch.error = reason
                    self._reply(400, _error_body("InvalidChangeBatch", reason))
                    return
                self._forward(body)

        do_GET = do_POST = do_DELETE = do_PUT = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy = Proxy(endpoint=f"http://127.0.0.1:{server.server_address[1]}")
    with serving(server):
        yield proxy
