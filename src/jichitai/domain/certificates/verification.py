"""What a certificate's QR code carries: the copy's code, a digest of what the copy says, and
the municipality's signature over both.

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

from jichitai.domain.certificates.issue_numbers import parse_code
from jichitai.domain.errors import invalid

PREFIX = "JICHITAI1"
_PAYLOAD = re.compile(r"^JICHITAI1 (\d{22}) ([A-Za-z0-9_-]{43}) ([A-Za-z0-9_-]{40,200})$")


def content_digest(lines: Iterable[str]) -> bytes:
    """SHA-256 over the copy's content: its lines of text as printed, joined by line feeds
    (characters exactly as recorded, variant selectors included)."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).digest()


def signed_message(code: str, digest: bytes) -> bytes:
    """The bytes the municipality signs: the code, a colon, the digest (hex)."""
    return f"{code}:{digest.hex()}".encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class QrPayload:
    code: str
    digest: bytes
    signature: bytes

    def text(self) -> str:
        return f"{PREFIX} {self.code} {_b64(self.digest)} {_b64(self.signature)}"

    @classmethod
    def parse(cls, text: str) -> QrPayload:
        """Read a scanned payload; anything else is refused (``certificate.qr_invalid``)."""
        found = _PAYLOAD.fullmatch(text.strip())
        if found is None:
            raise invalid(
                "certificate.qr_invalid",
                "QRコードの内容がこのシステムの証明書のものではありません",
                "qr",
            )
        parse_code(found.group(1))
        digest = _unb64(found.group(2))
        if len(digest) != 32:
            raise invalid("certificate.qr_invalid", "QRコードの内容が壊れています", "qr")
        return cls(found.group(1), digest, _unb64(found.group(3)))
