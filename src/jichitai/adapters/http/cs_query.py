"""Reads from the CS (or the stand-in, ``jichitai standin serve``) at ``JICHITAI_CS_URL``: its
copy of the municipality's 本人確認情報 for the consistency check (§7.1.1.2 (1100)), and the card
status the card management system passes through the CS (§7.1.1.3 (1110)). Our own JSON over
the standard library's ``http.client`` (``docs/national-links.md``); no answer, a time-out, a
non-200 or an unreadable answer raise ``CsUnreachable``."""

from __future__ import annotations

import http.client
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson

from jichitai.services.ports.card_destinations import RenewalTarget
from jichitai.services.ports.national import CsUnreachable
from jichitai.services.ports.national_check import CardStatus


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


class HttpCsQuery:
    """The ``CsCopy``, ``CardManagement`` and ``RenewalSource`` ports over HTTP."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("JICHITAI_CS_URL must be an http(s) URL")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._base = parts.path.rstrip("/")
        self._timeout = timeout

    def _get(self, path: str, municipality_code: str) -> Any:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = kind(self._host, self._port, timeout=self._timeout)
        target = f"{self._base}{path}?{urlencode({'municipality': municipality_code})}"
        try:
            conn.request("GET", target)
            response = conn.getresponse()
            status, data = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise CsUnreachable(f"cs.unreachable: {type(exc).__name__}") from exc
        finally:
            conn.close()
        if status != 200:
            raise CsUnreachable(f"cs.unreachable: HTTP {status}")
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise CsUnreachable("cs.unreadable: not JSON") from exc

    def identities(self, municipality_code: str) -> Mapping[str, Mapping[str, Any]]:
        found = self._get("/v1/identities", municipality_code)
        if not isinstance(found, dict) or not all(isinstance(v, dict) for v in found.values()):
            raise CsUnreachable("cs.unreadable: not a copy of 本人確認情報")
        return found

    def statuses(self, municipality_code: str) -> Sequence[CardStatus]:
        found = self._get("/v1/cards", municipality_code)
        if not isinstance(found, list):
            raise CsUnreachable("cs.unreadable: not a list of cards")
        try:
            return [
                CardStatus(
                    str(c["resident_code"]),
                    str(c["card"]),
                    str(c["status"]),
                    _date(c.get("issued_on")),
                    _date(c.get("expires_on")),
                    _date(c.get("updated_on")),
                )
                for c in found
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise CsUnreachable("cs.unreadable: a card without its items") from exc

    def renewal_targets(self, municipality_code: str) -> Sequence[RenewalTarget]:
        """The 更新対象者 (§7.1.1.4 (1120)) the card management system hands out."""
        found = self._get("/v1/renewal-targets", municipality_code)
        if not isinstance(found, list):
            raise CsUnreachable("cs.unreadable: not a list of 更新対象者")
        try:
            return [
                RenewalTarget(
                    str(c["resident_code"]), str(c.get("card") or ""), _date(c.get("expires_on"))
                )
                for c in found
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise CsUnreachable("cs.unreadable: a 更新対象者 without its code") from exc
