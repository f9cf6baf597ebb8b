"""発行番号 (standard §5.5 (1040)) and the 確認コード that lets anyone look a copy up.

The standard's display is ``発行年月日 市区町村名 発行端末名番号 発行プリンタ番号 発行順の番号
ページ数／総ページ数`` (e.g. ``20200502 ●●市 本庁1 プリンタ001 011 1/2``); a device that cannot be
told may be left blank. It says where and when a copy was made, and is printed on every page.

The 確認コード is a different thing: the key that ``/verify`` (and re-issue, disposal, the
counter's check, the command line) finds a copy by, without logging in. Whoever holds it learns
that the copy exists, its kind and its date, so it must not be guessable from another copy's:

- a copy's code is 20 digits drawn from a cryptographically secure random source (66 bits;
  the caller draws them through its random-source port, so this module stays pure) and a check
  digit (Damm's algorithm: every single wrong digit and every swap of neighbours is caught before
  any lookup), 21 digits in all, printed in groups of four (``1234-5678-9012-3456-78901``);
- digits only: typed from paper on a phone's keypad, and safe in a URL as it is;
- codes are unique over all municipalities (the issue history has a unique index; the service
  draws again if a code is ever taken).

Copies issued before this rule carry a **legacy** code of 22 digits: issue date, 地方公共団体コード,
the sequence number of the day and a check digit (GS1's). Such paper is in circulation, so those
codes keep verifying (and can be re-issued and disposed of), but no new one is made.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from jichitai.domain.errors import invalid

SEQUENCE_DIGITS = 7
CODE_RANDOM_DIGITS = 20
"""10**20 codes (66.4 bits): at least 64 bits of randomness, as the security review asked."""
CODE_LENGTH = CODE_RANDOM_DIGITS + 1
LEGACY_CODE_LENGTH = 22
_LEGACY = re.compile(r"^(\d{8})(\d{6})(\d{7})(\d)$")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー]")
"""What a person types between groups: spaces and any kind of dash (the katakana long-vowel
mark too, which a Japanese keyboard gives for a hyphen)."""
_ASCII_DIGITS = re.compile(r"[0-9]+")

# The Damm quasigroup of order 10 (weakly totally anti-symmetric): its check digit catches every
# single-digit error and every transposition of adjacent digits.
_DAMM = (
    "0317598642",
    "7092154863",
    "4206871359",
    "1750983426",
    "6123045978",
    "3674209581",
    "5869720134",
    "8945362017",
    "9438617205",
    "2581436790",
)


def damm_digit(digits: str) -> str:
    """The Damm check digit of ``digits`` (ASCII); appended, the whole folds to 0."""
    interim = 0
    for d in digits:
        interim = int(_DAMM[interim][int(d)])
    return str(interim)


def check_digit(digits: str) -> str:
    """A legacy code's check digit: modulus 10, weights 3 and 1 from the right (as GS1)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def new_code(random_digits: str) -> str:
    """The 確認コード of a new copy: ``random_digits`` (20 ASCII digits from a secure random
    source) followed by their check digit."""
    if len(random_digits) != CODE_RANDOM_DIGITS or not _ASCII_DIGITS.fullmatch(random_digits):
        raise ValueError(f"a code needs {CODE_RANDOM_DIGITS} random digits")
    return random_digits + damm_digit(random_digits)


def is_legacy(code: str) -> bool:
    """Whether ``code`` (as ``parse_code`` returns it) is an old sequential code."""
    return len(code) == LEGACY_CODE_LENGTH


def legacy_municipality(code: str) -> str | None:
    """The 地方公共団体コード a legacy code carries; None for a random code."""
    return code[8:14] if is_legacy(code) else None


def grouped(code: str) -> str:
    """The code as printed for a person to read and type: groups of four digits, the last one
    of five (``1234-5678-9012-3456-78901``); a legacy code as it was printed (ungrouped)."""
    if len(code) != CODE_LENGTH:
        return code
    return "-".join([code[i : i + 4] for i in range(0, 16, 4)] + [code[16:]])


@dataclass(frozen=True, slots=True)
class IssueNumber:
    """A copy's 発行番号 (printed on every page) and its 確認コード."""

    issued_on: date
    municipality_code: str
    municipality_name: str
    terminal: str
    """発行端末名番号 (e.g. 本庁1, コンビニ); "" when not known."""
    printer: str
    """発行プリンタ番号; "" when not known."""
    sequence: int
    """The copy's number among those the municipality issued that day (from 1)."""
    code: str
    """The 確認コード (``new_code``): random, unrelated to the 発行番号."""

    def __post_init__(self) -> None:
        if not 1 <= self.sequence < 10**SEQUENCE_DIGITS:
            raise ValueError(f"sequence {self.sequence} out of range")
        if not (len(self.municipality_code) == 6 and self.municipality_code.isdigit()):
            raise ValueError(f"municipality code {self.municipality_code!r}")
        if len(self.code) != CODE_LENGTH or new_code(self.code[:-1]) != self.code:
            raise ValueError(f"not a 確認コード: {self.code!r}")

    def display(self, page: int, pages: int, copy: int = 1) -> str:
        """The standard's 発行番号 as printed on page ``page`` of ``pages`` of copy ``copy``.

        §5.5: 「複数部数を発行する場合は、一部ずつ異なる発行番号とすること」. The copies of one
        request take consecutive numbers of the day: copy ``copy`` is ``sequence + copy - 1``
        (the service reserves them together)."""
        if not 1 <= page <= pages:
            raise ValueError(f"page {page} of {pages}")
        if copy < 1 or self.sequence + copy - 1 >= 10**SEQUENCE_DIGITS:
            raise ValueError(f"copy {copy}")
        parts = (
            f"{self.issued_on:%Y%m%d}",
            self.municipality_name,
            self.terminal,
            self.printer,
            f"{self.sequence + copy - 1:03d}",
            f"{page}/{pages}",
        )
        return " ".join(parts)


def parse_code(text: str) -> str:
    """A typed or scanned 確認コード as its digits, checked before anything is looked up.

    Spaces and dashes between groups are ignored, full-width digits read as digits. A 21-digit
    code needs its check digit right; a legacy 22-digit one its check digit, a real date and a
    sequence from 1. Anything else is refused (``certificate.code_invalid``).
    """
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    refused = invalid(
        "certificate.code_invalid",
        "確認コードが正しくありません（証明書に印字された21桁の数字を確認してください）",
        "issue_number",
    )
    if not _ASCII_DIGITS.fullmatch(digits):
        raise refused
    if len(digits) == CODE_LENGTH:
        if damm_digit(digits) != "0":
            raise refused
        return digits
    found = _LEGACY.fullmatch(digits)
    if found is None or check_digit(digits[:-1]) != digits[-1] or int(found.group(3)) == 0:
        raise refused
    day = found.group(1)
    try:
        date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        raise refused from None
    return digits
