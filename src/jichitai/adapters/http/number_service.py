"""The number-generation service (J-LIS, reached through the CS) over HTTP, at
``JICHITAI_CS_URL`` (the stand-in: ``jichitai standin serve``), in our own JSON format
(``docs/national-links.md``, "番号連携"): 200 with the answer; 4xx with ``{"code", "message"}``:
refused; no answer, a time-out or 5xx: unreachable."""

from __future__ import annotations

import http.client
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson

from jichitai.services.ports.number_link import NumberServiceRefused, NumberServiceUnreachable


class HttpNumberService:
    """The ``NumberService`` port over HTTP (one connection per request)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("JICHITAI_CS_URL must be an http(s) URL")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._base = parts.path.rstrip("/")
        self._timeout = timeout

    def _call(self, method: str, path: str, document: object | None = None) -> Any:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = kind(self._host, self._port, timeout=self._timeout)
        try:
            body = None if document is None else orjson.dumps(document)
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, self._base + path, body=body, headers=headers)
            response = conn.getresponse()
            status, data = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise NumberServiceUnreachable(f"number.unreachable: {type(exc).__name__}") from exc
        finally:
            conn.close()
        if status >= 500:
            raise NumberServiceUnreachable(f"number.unreachable: HTTP {status}")
        try:
            answer = orjson.loads(data)
        except orjson.JSONDecodeError:
            answer = None
        if status != 200 or not isinstance(answer, dict):
            found = answer if isinstance(answer, dict) else {}
            raise NumberServiceRefused(
                str(found.get("code") or f"http.{status}"), str(found.get("message") or "")
            )
        return answer

    def free_codes(self, municipality_code: str, count: int) -> Sequence[str]:
        answer = self._call(
            "POST", "/v1/free-codes", {"municipality_code": municipality_code, "count": count}
        )
        codes = answer.get("codes")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise NumberServiceRefused("number.invalid_answer", "codes がありません")
        return codes

    def change_number(self, municipality_code: str, resident_code: str) -> str:
        answer = self._call(
            "POST",
            "/v1/numbers/change",
            {"municipality_code": municipality_code, "resident_code": resident_code},
        )
        return str(answer.get("individual_number") or "")

    def obtain(self, municipality_code: str, kind: str, resident_code: str) -> str:
        query = urlencode({"municipality": municipality_code, "resident_code": resident_code})
        answer = self._call("GET", f"/v1/{kind}?{query}")
        return str(answer.get("value") or "")

    def healthy(self) -> bool:
        try:
            self._call("GET", "/health")
        except (NumberServiceUnreachable, NumberServiceRefused):
            return False
        return True

    def close(self) -> None:
        return
