"""What a certificate's QR code carries: the municipality, the copy's 確認コード, a digest of what
the copy says, and the municipality's signature over them.

Anyone can scan it and compare: the digest against the text of the copy in their hand (or the
record the municipality shows at ``/verify``), the signature against the municipality's public
key. The signing itself is an adapter's (real cryptography); this module only says what is
signed and how the payload is written and read.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from jichitai.domain.certificates.issue_numbers import is_legacy, legacy_municipality, parse_code
from jichitai.domain.errors import DomainError, invalid

PREFIX = "JICHITAI2"
"""Payloads of copies with a random 確認コード: the municipality is named, since the code no
longer carries it (a checker needs it to pick the key)."""
LEGACY_PREFIX = "JICHITAI1"
"""Payloads of copies with a legacy sequential code (which carries the municipality)."""
_DIGEST_AND_SIGNATURE = r"([A-Za-z0-9_-]{43}) ([A-Za-z0-9_-]{40,200})"
_PAYLOAD = re.compile(rf"^{PREFIX} (\d{{6}}) (\d{{21}}) {_DIGEST_AND_SIGNATURE}$")
_LEGACY_PAYLOAD = re.compile(rf"^{LEGACY_PREFIX} (\d{{22}}) {_DIGEST_AND_SIGNATURE}$")


def content_digest(lines: Iterable[str]) -> bytes:
    """SHA-256 over the copy's content: its lines of text as printed, joined by line feeds
    (characters exactly as recorded, variant selectors included)."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).digest()


def signed_message(municipality_code: str, code: str, digest: bytes) -> bytes:
    """The bytes the municipality signs: its code, the copy's code and the digest (hex), joined
    by colons (a legacy copy signed its code and digest only: the code named the municipality)."""
    if is_legacy(code):
        return f"{code}:{digest.hex()}".encode("ascii")
    return f"{municipality_code}:{code}:{digest.hex()}".encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class QrPayload:
    municipality_code: str
    code: str
    digest: bytes
    signature: bytes

    @property
    def message(self) -> bytes:
        """What ``signature`` signs."""
        return signed_message(self.municipality_code, self.code, self.digest)

    def text(self) -> str:
        tail = f"{self.code} {_b64(self.digest)} {_b64(self.signature)}"
        if is_legacy(self.code):
            return f"{LEGACY_PREFIX} {tail}"
        return f"{PREFIX} {self.municipality_code} {tail}"

    @classmethod
    def parse(cls, text: str) -> QrPayload:
        """Read a scanned payload (either version); anything else is refused
        (``certificate.qr_invalid``)."""
        stripped = text.strip()
        found = _PAYLOAD.fullmatch(stripped)
        legacy = _LEGACY_PAYLOAD.fullmatch(stripped) if found is None else None
        if found is None and legacy is None:
            raise invalid(
                "certificate.qr_invalid",
                "QRコードの内容がこのシステムの証明書のものではありません",
                "qr",
            )
        if found is not None:
            municipality, code, digest, signature = found.groups()
        else:
            assert legacy is not None
            code, digest, signature = legacy.groups()
            municipality = legacy_municipality(code) or ""
        broken = invalid("certificate.qr_invalid", "QRコードの内容が壊れています", "qr")
        try:
            parse_code(code)
        except DomainError:
            raise broken from None
        raw = _unb64(digest)
        if len(raw) != 32:
            raise broken
        return cls(municipality, code, raw, _unb64(signature))
