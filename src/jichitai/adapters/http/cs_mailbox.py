"""The CS mailbox over HTTP: ``GET {JICHITAI_CS_URL}/v1/inbox?municipality=CODE&after=N`` (our
format, ``docs/national-links.md``), over the standard library's ``http.client``. No answer, a
time-out, a server error or an answer that is not our JSON: ``CsUnreachable`` (asked again in the
worker's next round; nothing is lost, the CS keeps the mailbox)."""

from __future__ import annotations

import contextlib
import http.client
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit

import orjson

from jichitai.services.ports import CsDelivery, CsUnreachable

PATH = "/v1/inbox"


def _delivery(item: object) -> CsDelivery:
    if not isinstance(item, dict) or not isinstance(item.get("body"), dict):
        raise CsUnreachable("cs.unreadable: an inbox item is not an object with a body")
    try:
        return CsDelivery(
            relay_id=int(item["id"]),
            receipt=str(item["receipt"]),
            sender=str(item["sender"]),
            seq=int(item["seq"]),
            ordinal=int(item["ordinal"]),
            kind=str(item["kind"]),
            body=orjson.dumps(item["body"]).decode(),
            to=str(item.get("to") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CsUnreachable(f"cs.unreadable: {type(exc).__name__}") from exc


class HttpCsMailbox:
    """The ``CsMailbox`` port over HTTP (one connection per fetch: the worker asks rarely)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("JICHITAI_CS_URL must be an http(s) URL")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._path = parts.path.rstrip("/") + PATH
        self._timeout = timeout

    def fetch(self, municipality_code: str, after: int) -> Sequence[CsDelivery]:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = kind(self._host, self._port, timeout=self._timeout)
        query = urlencode({"municipality": municipality_code, "after": str(after)})
        try:
            conn.request("GET", f"{self._path}?{query}")
            response = conn.getresponse()
            status, data = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise CsUnreachable(f"cs.unreachable: {type(exc).__name__}") from exc
        finally:
            with contextlib.suppress(OSError):
                conn.close()
        if status != 200:
            raise CsUnreachable(f"cs.unreachable: HTTP {status}")
        try:
            items = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise CsUnreachable("cs.unreadable: not JSON") from exc
        if not isinstance(items, list):
            raise CsUnreachable("cs.unreadable: not a list")
        return [_delivery(item) for item in items]

    def close(self) -> None:
        return
