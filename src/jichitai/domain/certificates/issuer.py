"""Who certifies a certificate: the mayor's title and name (認証者), checked before they are set.

The official seal image (公印) is checked where images are read (an adapter, with Pillow);
this module holds only the rules for the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from jichitai.domain.errors import RuleViolations, Violation

MAX_ISSUER_TEXT = 40
MAX_SEAL_BYTES = 2 * 1024 * 1024
MAX_SEAL_PIXELS = 2000
MIN_SEAL_PIXELS = 32


@dataclass(frozen=True, slots=True)
class IssuerSettings:
    """What the municipality's certificates are signed with, as set."""

    mayor_title: str
    mayor_name: str
    seal_width: int = 0
    seal_height: int = 0
    seal_sha256: str = ""
    """Empty when no official seal image is set."""


def check_issuer(mayor_title: str, mayor_name: str) -> tuple[str, str]:
    """The title and name as they will be printed (surrounding spaces dropped); a title is
    required, both at most 40 characters, no line breaks or control characters."""
    title, name = mayor_title.strip(), mayor_name.strip()
    problems: list[Violation] = []
    if not title:
        problems.append(
            Violation(
                "certificate.issuer_title_required", "認証者の職名を入力してください", "mayor_title"
            )
        )
    for value, field, label in ((title, "mayor_title", "職名"), (name, "mayor_name", "氏名")):
        if len(value) > MAX_ISSUER_TEXT:
            problems.append(
                Violation(
                    "certificate.issuer_too_long",
                    f"認証者の{label}は{MAX_ISSUER_TEXT}文字以内で入力してください",
                    field,
                )
            )
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
            problems.append(
                Violation(
                    "certificate.issuer_invalid_character",
                    f"認証者の{label}に改行や制御文字は使えません",
                    field,
                )
            )
    if problems:
        raise RuleViolations(*problems)
    return title, name
