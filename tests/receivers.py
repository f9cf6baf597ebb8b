"""Things listening on loopback for the webhook tests: a receiver that records what it is sent
(over HTTP or HTTPS), and what a port scanner meets besides a closed port: a port that answers
with something other than HTTP, and one that takes the connection and never answers.

Everything binds to a loopback address: the tests send no traffic anywhere else.
"""

from __future__ import annotations

import datetime as dt
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Received:
    seq: int
    idempotency_key: str
    host_header: str
    client: tuple[str, int]
    """The sender's address and port: one port for several deliveries = one kept-alive connection."""
    body: bytes
    version: str = ""
    """``X-Jichitai-Integration-Version``: the contract the delivery was made under."""


@dataclass
class Recorder:
    host: str
    port: int
    status: int = 200
    received: list[Received] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)
    """TLS: the SNI name of every handshake."""
    connections: int = 0
    """TCP connections accepted (whether or not a request came over them)."""

    @property
    def seqs(self) -> list[int]:
        return [r.seq for r in self.received]


@contextmanager
def recording_receiver(
    host: str = "127.0.0.1", port: int = 0, status: int = 200, tls: ssl.SSLContext | None = None
) -> Iterator[Recorder]:
    """An HTTP/1.1 receiver (kept-alive connections) answering every POST with ``status``."""
    state = Recorder(host, port, status)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            state.connections += 1
            super().setup()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(
                Received(
                    int(self.headers["X-Jichitai-Cursor"]),
                    self.headers["Idempotency-Key"],
                    self.headers["Host"],
                    self.client_address[:2],
                    body,
                    self.headers.get("X-Jichitai-Integration-Version", ""),
                )
            )
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    if tls is not None:
        tls.sni_callback = lambda sock, name, context: state.server_names.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def banner_listener(banner: bytes = b"SSH-2.0-OpenSSH_9.6\r\n") -> Iterator[int]:
    """A port that greets every connection with something that is not HTTP, then closes it."""

    class Greeter(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.sendall(banner)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Greeter)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_listener() -> Iterator[int]:
    """A port whose connections are taken (by the kernel's backlog) and never answered."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        yield listening.getsockname()[1]


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (just released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@dataclass(frozen=True)
class TestCertificate:
    """A self-signed certificate for some host names, and contexts that serve and trust it."""

    __test__ = False  # not a test class, whatever its name

    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.cert_file))
        return context


def a_certificate(directory: Path, *names: str) -> TestCertificate:
    """A certificate (its own CA) for ``names`` only: a client verifying another name fails."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.fromtimestamp(time.time(), dt.UTC)
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "receiver.pem"
    key_file = directory / "receiver.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TestCertificate(cert_file, key_file)
