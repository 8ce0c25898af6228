"""Local HTTPS servers whose answers the caller controls, standing in for the smoke service.

The certificate is generated per server with `cryptography` (self-signed, valid for 127.0.0.1 and
localhost), and its PEM is the CA bundle the prober verifies against, so the real TLS verification
path of the probes runs. `self_signed()` also makes the certificate imported into the local ACM.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from faas.ops.demo.serving import serving


def self_signed(names: list[str], ips: tuple[str, ...] = ()) -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) valid for `names` and `ips` for one day."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    alt: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alt += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class ProbeServer:
    """Answers every GET with (`status`, `body`); change them at any point."""

    def __init__(self, httpd: ThreadingHTTPServer, cafile: Path) -> None:
        self.httpd = httpd
        self.cafile = str(cafile)
        self.status = 200
        self.body = "ok"
        self.requests = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.httpd.server_address[1]}/"

    def answer(self) -> tuple[int, str]:
        with self._lock:
            self.requests += 1
            return self.status, self.body

    def fail(self, status: int = 503, body: str = "down") -> None:
        with self._lock:
            self.status, self.body = status, body


def _handler(server: ProbeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            status, body = server.answer()
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:  # keep the output clean
            pass

    return Handler


@contextmanager
def https_probe_server(tmp: Path) -> Iterator[ProbeServer]:
    cert, key = self_signed(["localhost"], ("127.0.0.1",))
    tmp.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = tmp / "probe-cert.pem", tmp / "probe-key.pem"
    cert_path.write_bytes(cert)
    key_path.write_bytes(key)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    probe = ProbeServer(httpd, cert_path)
    httpd.RequestHandlerClass = _handler(probe)
    with serving(httpd):
        yield probe
