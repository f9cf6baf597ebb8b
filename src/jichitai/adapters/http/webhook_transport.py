"""Webhook POSTs over the standard library's ``http.client``, one kept-alive connection per
receiver and thread (a delivery costs one request, not a new TCP and TLS handshake)."""

from __future__ import annotations

import http.client
import ssl
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

from jichitai.services.webhooks import TransportError


class HttpTransport:
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl = ssl_context or ssl.create_default_context()
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(
        self, scheme: str, host: str, port: int | None, timeout: float
    ) -> http.client.HTTPConnection:
        pool: dict[tuple[str, str, int | None], http.client.HTTPConnection]
        pool = self._local.__dict__.setdefault("pool", {})
        key = (scheme, host, port)
        connection = pool.get(key)
        if connection is None:
            if scheme == "https":
                connection = http.client.HTTPSConnection(
                    host, port, timeout=timeout, context=self._ssl
                )
            else:
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            pool[key] = connection
            with self._lock:
                self._opened.append(connection)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def _drop(self, scheme: str, host: str, port: int | None) -> None:
        pool = self._local.__dict__.get("pool", {})
        connection = pool.pop((scheme, host, port), None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Close every kept-alive connection (of every thread)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(f"unsupported URL {url!r}")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (parts.scheme, parts.hostname, parts.port)
        for attempt in (1, 2):  # a kept-alive connection the receiver closed: reconnect once
            connection = self._connection(*key, timeout)
            try:
                connection.request("POST", path, body=body, headers=dict(headers))
                response = connection.getresponse()
                response.read()
                if response.will_close:
                    self._drop(*key)
                return response.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop(*key)
                if attempt == 2:
                    raise TransportError(f"connection lost: {exc}") from exc
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self._drop(*key)
                raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        raise TransportError("unreachable")
