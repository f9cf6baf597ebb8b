"""Webhook POSTs over the standard library's ``http.client``, to checked addresses only.

Before every delivery the transport takes the stored URL apart again, resolves the host itself
(``HostResolver``), judges **every** address it gets (``DestinationPolicy``) and connects to one
of those very addresses: ``http.client`` is never given the name to resolve a second time. A
name that resolved to a public address when it was registered and resolves to 127.0.0.1 or the
metadata address now (DNS rebinding) is refused before any packet is sent. The host name is
still what the receiver sees: the ``Host`` header, TLS SNI, and the name its certificate is
verified against.

One kept-alive connection per receiver and thread (a delivery costs one request, not a new TCP
and TLS handshake). It is reused only while the address it is connected to is still among the
host's checked addresses; otherwise it is closed and a new one made.

Failures are told to the dispatcher as ``DestinationRefused`` or ``TransportError``; the detail
(exception class and errno, never the URL's path, query or credentials, nor text the remote
sent) goes to this module's log only, for the operator.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import ssl
import threading
from collections.abc import Mapping, Sequence

from jichitai.domain.errors import DomainError
from jichitai.domain.integration.destinations import (
    DestinationPolicy,
    IPAddress,
    WebhookTarget,
    canonical,
    parse_webhook_url,
)
from jichitai.services.ports import HostNotFound, HostResolver
from jichitai.services.webhooks import DestinationRefused, TransportError

log = logging.getLogger(__name__)

_Key = tuple[str, str, int]


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP to ``host`` over a TCP connection to one of ``addresses`` (checked by the caller),
    tried in order; ``host`` itself is never resolved."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses: Sequence[IPAddress] = ()
        self.peer: IPAddress | None = None

    def connect(self) -> None:
        self.sock = self._tcp()

    def _tcp(self) -> socket.socket:
        error: OSError = OSError("no address to connect to")
        self.peer = None
        for address in self.addresses:
            try:
                # A numeric address: create_connection makes no name lookup for it.
                sock = socket.create_connection((str(address), self.port), self.timeout)
            except OSError as exc:
                error = exc
                continue
            with contextlib.suppress(OSError):  # as http.client does: no delayed small writes
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.peer = address
            return sock
        raise error


class _PinnedTlsConnection(_PinnedConnection):
    """HTTPS over a pinned connection: SNI and certificate verification use the host name."""

    default_port = 443

    def __init__(self, host: str, port: int, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout)
        self._tls = context

    def connect(self) -> None:
        sock = self._tcp()
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


class HttpTransport:
    def __init__(
        self,
        policy: DestinationPolicy,
        resolver: HostResolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._ssl = ssl_context or ssl.create_default_context()
        self._local = threading.local()
        self._opened: list[_PinnedConnection] = []
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close every kept-alive connection (of every thread)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        target = self._target(url)
        addresses = self._checked_addresses(target)
        key = (target.scheme, target.host, target.port)
        for attempt in (1, 2):  # a kept-alive connection the receiver closed: reconnect once
            connection = self._connection(target, addresses, timeout)
            try:
                connection.request("POST", target.request_path, body=body, headers=dict(headers))
                response = connection.getresponse()
                response.read()
                if response.will_close:
                    self._drop(key)
                return response.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop(key)
                if attempt == 2:
                    raise self._failed(target, connection, exc) from exc
            except (OSError, http.client.HTTPException) as exc:  # timeouts and TLS included
                self._drop(key)
                raise self._failed(target, connection, exc) from exc
        raise TransportError("unreachable")

    def _target(self, url: str) -> WebhookTarget:
        """The stored URL, checked again: one stored before the rules (or written to the
        database by hand) is refused here, and its text is never logged."""
        try:
            return parse_webhook_url(url)
        except DomainError as error:
            log.warning("webhook refused: the stored URL is not acceptable (%s)", error.code)
            raise DestinationRefused(error.code) from None

    def _checked_addresses(self, target: WebhookTarget) -> tuple[IPAddress, ...]:
        if target.address is not None:
            addresses: Sequence[IPAddress] = (target.address,)
        else:
            try:
                addresses = self._resolver.resolve(target.host, target.port)
            except HostNotFound:
                log.info("webhook to %s: the host name did not resolve", target.origin)
                raise TransportError("unresolvable") from None
        refusal = self._policy.refusal(target, addresses)
        if refusal is not None:
            log.warning(
                "webhook to %s refused (%s): it stands for %s",
                target.origin,
                refusal.code,
                ", ".join(str(a) for a in addresses),
            )
            raise DestinationRefused(refusal.code)
        return tuple(canonical(a) for a in addresses)

    def _connection(
        self, target: WebhookTarget, addresses: tuple[IPAddress, ...], timeout: float
    ) -> _PinnedConnection:
        pool: dict[_Key, _PinnedConnection] = self._local.__dict__.setdefault("pool", {})
        key = (target.scheme, target.host, target.port)
        connection = pool.get(key)
        if connection is not None and connection.sock and connection.peer not in addresses:
            connection.close()  # the host stands for other addresses now: a new connection
        if connection is None:
            if target.scheme == "https":
                connection = _PinnedTlsConnection(target.host, target.port, timeout, self._ssl)
            else:
                connection = _PinnedConnection(target.host, target.port, timeout)
            pool[key] = connection
            with self._lock:
                self._opened.append(connection)
        connection.addresses = addresses
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _drop(self, key: _Key) -> None:
        pool = self._local.__dict__.get("pool", {})
        connection = pool.pop(key, None)
        if connection is not None:
            connection.close()
            with self._lock:
                if connection in self._opened:
                    self._opened.remove(connection)

    @staticmethod
    def _failed(
        target: WebhookTarget, connection: _PinnedConnection, exc: BaseException
    ) -> TransportError:
        """Log what happened for the operator (the class and errno: never text the remote
        sent); the error itself says nothing more than that there was no answer."""
        errno = getattr(exc, "errno", None)
        detail = type(exc).__name__ + (f" errno {errno}" if errno else "")
        log.info("webhook to %s (%s): %s", target.origin, connection.peer or "-", detail)
        return TransportError(detail)
