"""発行番号 (standard §5.5 (1040)): one per copy, printed on every page.

The standard's display is ``発行年月日 市区町村名 発行端末名番号 発行プリンタ番号 発行順の番号
ページ数／総ページ数`` (e.g. ``20200502 ●●市 本庁1 プリンタ001 011 1/2``); a device that cannot be
told may be left blank. For checking a copy without logging in, each copy also has a **code** of
digits only (easy to type from paper, safe in a URL): issue date, 地方公共団体コード, the
sequence number of the day, and a check digit over them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from jichitai.domain.errors import invalid

SEQUENCE_DIGITS = 7
CODE_PATTERN = re.compile(r"^(\d{8})(\d{6})(\d{7})(\d)$")


def check_digit(digits: str) -> str:
    """Modulus 10, weights 3 and 1 from the right (as GS1): a single wrong digit or a swap of
    neighbours (all but 0↔5 pairs) is caught when a clerk or resident types a code."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


@dataclass(frozen=True, slots=True)
class IssueNumber:
    issued_on: date
    municipality_code: str
    municipality_name: str
    terminal: str
    """発行端末名番号 (e.g. 本庁1, コンビニ); "" when not known."""
    printer: str
    """発行プリンタ番号; "" when not known."""
    sequence: int
    """The copy's number among those the municipality issued that day (from 1)."""

    def __post_init__(self) -> None:
        if not 1 <= self.sequence < 10**SEQUENCE_DIGITS:
            raise ValueError(f"sequence {self.sequence} out of range")
        if not (len(self.municipality_code) == 6 and self.municipality_code.isdigit()):
            raise ValueError(f"municipality code {self.municipality_code!r}")

    @property
    def code(self) -> str:
        """The verification code: 22 digits."""
        body = f"{self.issued_on:%Y%m%d}{self.municipality_code}{self.sequence:0{SEQUENCE_DIGITS}d}"
        return body + check_digit(body)

    def display(self, page: int, pages: int) -> str:
        """The standard's 発行番号 as printed on page ``page`` of ``pages``."""
        if not 1 <= page <= pages:
            raise ValueError(f"page {page} of {pages}")
        parts = (
            f"{self.issued_on:%Y%m%d}",
            self.municipality_name,
            self.terminal,
            self.printer,
            f"{self.sequence:03d}",
            f"{page}/{pages}",
        )
        return " ".join(parts)


def parse_code(text: str) -> tuple[date, str, int]:
    """(issue date, 地方公共団体コード, sequence) of a typed or scanned verification code.

    Spaces and hyphens a person types between groups are ignored; anything else that is not
    22 digits with a right check digit and a real date is refused (``certificate.code_invalid``).
    """
    digits = re.sub(r"[\s\-]", "", text)
    found = CODE_PATTERN.fullmatch(digits)
    refused = invalid(
        "certificate.code_invalid",
        "発行番号の確認コードが正しくありません（22桁の数字を確認してください）",
        "issue_number",
    )
    if found is None or check_digit(digits[:-1]) != digits[-1]:
        raise refused
    day, municipality, sequence = found.group(1), found.group(2), int(found.group(3))
    try:
        issued_on = date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        raise refused from None
    if sequence == 0:
        raise refused
    return issued_on, municipality, sequence
