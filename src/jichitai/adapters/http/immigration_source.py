"""The 出入国在留管理庁長官通知 source over HTTP (our JSON, ``docs/national-links.md``): ``GET
{JICHITAI_CS_URL}/v1/immigration/offered?municipality=CODE`` on the stand-in (``jichitai standin
serve``); a municipality's adapter to the real 連携端末 takes its place."""

from __future__ import annotations

import http.client
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson

from jichitai.services.ports import CsUnreachable

PATH = "/v1/immigration/offered"


class HttpImmigrationSource:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("JICHITAI_CS_URL must be an http(s) URL")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._path = parts.path.rstrip("/") + PATH
        self._timeout = timeout

    def offered(self, municipality_code: str) -> Sequence[Any]:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = kind(self._host, self._port, timeout=self._timeout)
        try:
            conn.request("GET", f"{self._path}?{urlencode({'municipality': municipality_code})}")
            response = conn.getresponse()
            status, data = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise CsUnreachable(f"immigration.unreachable: {type(exc).__name__}") from exc
        finally:
            conn.close()
        if status != 200:
            raise CsUnreachable(f"immigration.unreachable: HTTP {status}")
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise CsUnreachable("immigration.unreachable: not JSON") from exc
        return document if isinstance(document, list) else []
