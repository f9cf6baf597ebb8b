"""Opaque references to persons in the counter's URLs.

A page about a person needs an address the browser can go back to, but a 宛名番号 in a URL ends
up in the history, proxies' logs and the Referer of every link. The counter puts an encrypted,
authenticated reference there instead (Fernet, a key derived from the server's secret), bound to
the staff login that received it and valid for a working day: another user, another server
secret or an edited reference gets "not found".
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import NotFound, Violation

REF_SECONDS = 12 * 3600


class PersonRefs:
    def __init__(self, secret: str) -> None:
        key = hashlib.sha256(f"jichitai counter person refs\x00{secret}".encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def ref(self, login: str, atena_number: str) -> str:
        token = self._fernet.encrypt(f"{login}\x00{atena_number}".encode())
        return token.decode("ascii").rstrip("=")

    def atena_number(self, login: str, ref: str) -> str:
        """The 宛名番号 behind ``ref``, if it was given to ``login`` and is not too old."""
        padded = ref + "=" * (-len(ref) % 4)
        try:
            text = self._fernet.decrypt(padded.encode("ascii"), ttl=REF_SECONDS).decode()
        except (InvalidToken, UnicodeError, ValueError):
            raise _not_found() from None
        owner, _, atena = text.partition("\x00")
        if owner != login:
            raise _not_found()
        return AtenaNumber.parse(atena).value


def _not_found() -> NotFound:
    return NotFound(
        Violation(
            "counter.ref_invalid",
            "この画面は開けません（有効期限切れか、別の職員のものです）。もう一度検索してください",
            "ref",
        )
    )
