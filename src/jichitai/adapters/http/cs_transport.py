"""The CS transport: each message POSTed as our JSON (``docs/national-links.md``) to the CS
(or the stand-in, ``jichitai standin serve``) at ``JICHITAI_CS_URL``, over the standard
library's ``http.client`` (one kept-alive connection per thread).

200 with a receipt: taken. 4xx with a code: refused (kept in error for the clerk). No answer,
a time-out or 5xx: ``CsUnreachable`` (tried again later).
"""

from __future__ import annotations

import contextlib
import http.client
import threading
from urllib.parse import urlsplit

import orjson

from jichitai.services.ports import CsAnswer, CsEntry, CsUnreachable

PATH = "/v1/messages"


def message_document(entry: CsEntry) -> dict[str, object]:
    """The message as it goes on the wire."""
    return {
        "municipality_code": entry.municipality_code,
        "seq": entry.seq,
        "ordinal": entry.ordinal,
        "kind": entry.kind,
        "destination": entry.destination,
        "body": orjson.loads(entry.body),
    }


class HttpCsTransport:
    """The ``CsTransport`` port over HTTP (loopback or the municipality's closed network)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("JICHITAI_CS_URL must be an http(s) URL")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._path = parts.path.rstrip("/") + PATH
        self._timeout = timeout
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = kind(self._host, self._port, timeout=self._timeout)
            self._local.conn = conn
        return conn

    def send(self, entry: CsEntry) -> CsAnswer:
        body = orjson.dumps(message_document(entry))
        headers = {"Content-Type": "application/json"}
        try:
            conn = self._connection()
            conn.request("POST", self._path, body=body, headers=headers)
            response = conn.getresponse()
            status, data = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise CsUnreachable(f"cs.unreachable: {type(exc).__name__}") from exc
        if status >= 500:
            raise CsUnreachable(f"cs.unreachable: HTTP {status}")
        try:
            answer = orjson.loads(data)
        except orjson.JSONDecodeError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if status == 200 and isinstance(answer.get("receipt"), str) and answer["receipt"]:
            extra = answer.get("data")
            return CsAnswer(
                receipt=answer["receipt"],
                data=(
                    {str(k): str(v) for k, v in extra.items()} if isinstance(extra, dict) else {}
                ),
            )
        return CsAnswer(
            code=str(answer.get("code") or f"http.{status}"),
            message=str(answer.get("message") or ""),
        )

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
