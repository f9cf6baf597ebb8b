"""Cells as older systems write them, read into the layout's own form (issue 18).

A vendor's 中間標準レイアウト file carries the same items as ours, but its cells are often
written the way fixed-width mainframe files were: padded with spaces, digits in full width,
readings in half-width katakana, dates in 和暦 with a 年号 code, 不詳 marked by zeros. These
functions turn one such cell into the layout's form, or refuse it; the import rewrites the row
with the result before it decodes it (``jichitai.services.migration_rows``), so everything after
(the row mapper, the door's checks of the record) sees one form only. Each reading reuses the
door's own parsers (:mod:`~jichitai.domain.common.kana` for readings,
:meth:`~jichitai.domain.common.dates.RecordDate.parse` for dates): a date written ``3250000`` is
read as the counter reads 「昭和25年月日不詳」.

What is read (and our decisions):

* spaces: half- and full-width spaces before and after the value are dropped in every item
  (a fixed-width field is padded on the right, a number on the left); a cell of spaces alone is
  empty. Spaces inside a value are kept.
* digits: full-width ０–９ read as 0–9 in ``digits``, ``integer``, ``date``, ``code`` and ``flag``
  items (and a full-width minus in ``integer``). Text items keep their characters as written.
* readings (the items carrying a ``…_kana`` value: 氏_フリガナ, 名_フリガナ, 旧氏_フリガナ):
  half-width katakana read as full-width with its voiced mark composed (ﾔﾏﾀﾞ → ヤマダ), as the
  counter reads a typed reading. Nothing else is NFKC-normalised: names and addresses keep
  their 外字 variants as written.
* dates, all digits (full-width read as ASCII):

  - ``YYYYMMDD`` with a year of 1000 or later: 西暦 (as today).
  - ``GYYMMDD`` (7 digits) with a one-digit 年号 code, or ``0GYYMMDD`` (8 digits) with the
    layout's two-digit 年号 code 01–05: 和暦 (1 明治, 2 大正, 3 昭和, 4 平成, 5 令和; the era
    table's codes). An 8-digit value is 和暦 exactly when it starts with 0, since no 西暦 year
    the register keeps is below 1000.
  - 不詳 (only in an item of a date that may be unknown: one with its own 不詳フラグ and
    不詳表記 items): day ``00`` → 「…年…月日不詳」, month and day ``00`` → 「…年月日不詳」,
    in the calendar written (``19500000`` → 1950年月日不詳, ``3250300`` → 昭和25年3月日不詳);
    all zeros or all nines (``00000000``, ``99999999``, and the 7-digit ``0000000``,
    ``9999999``) → 「年月日不詳」. The wording is read by :meth:`RecordDate.parse`, which gives
    the machine date the counter would keep.
  - a day the calendar lacks written in 和暦 (``3250229``: 昭和25年2月29日) is a
    暦上日以外の年月日 where the item allows one, refused elsewhere; ``YYYYMMDD`` is a calendar
    day or refused, as the layout has always read it.
  - ``00010101``: the register's own stand-in for 「年月日不詳」 (our export writes it, with
    不詳フラグ 2).

  Anything else (6 digits, era code 0 or 6–9, month 13, year 00, a day without its month …) is
  refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Final

from jichitai.domain.common.dates import RecordDate, parse_japanese_date
from jichitai.domain.common.eras import DEFAULT_ERAS, EraTable
from jichitai.domain.common.kana import to_katakana
from jichitai.domain.errors import DomainError, invalid

__all__ = [
    "SPACES",
    "STAND_IN_UNKNOWN",
    "ascii_digits",
    "calendar_cell",
    "date_cell",
    "has_half_width_kana",
    "katakana_cell",
]

SPACES: Final = " \u3000"
"""What pads a field: half- and full-width spaces."""

STAND_IN_UNKNOWN: Final = "00010101"
"""How the register writes the machine date of 「年月日不詳」 (``date.min``)."""

_FULL_DIGITS: Final = str.maketrans("０１２３４５６７８９－", "0123456789-")
_HALF_KANA: Final = re.compile("[\uff61-\uff9f]")
_UNKNOWN_ALL: Final = frozenset({"00000000", "99999999", "0000000", "9999999"})
_WHOLLY_UNKNOWN: Final = "年月日不詳"


def ascii_digits(cell: str) -> str:
    """Full-width digits (and minus) read as ASCII; other characters left as they are."""
    return cell.translate(_FULL_DIGITS)


def has_half_width_kana(cell: str) -> bool:
    return _HALF_KANA.search(cell) is not None


def katakana_cell(cell: str) -> str:
    """A reading as the counter keeps it (half-width katakana → full width, marks composed)."""
    return to_katakana(cell)


@dataclass(frozen=True, slots=True)
class _Written:
    """A date cell split into what it says: era name ("": 西暦), year, month, day (0: unknown)."""

    era: str
    year: int
    month: int
    day: int


def _split(cell: str, eras: EraTable) -> _Written | None:
    """西暦 ``YYYYMMDD`` (year 1000 or later), 和暦 ``GYYMMDD`` or ``0GYYMMDD``; else None."""
    if len(cell) == 8 and cell[0] != "0":
        return _Written("", int(cell[:4]), int(cell[4:6]), int(cell[6:]))
    if len(cell) == 8:
        cell = cell[1:]
    if len(cell) != 7:
        return None
    try:
        era = eras.by_code(int(cell[0]))
    except DomainError:
        return None
    return _Written(era.name, int(cell[1:3]), int(cell[3:5]), int(cell[5:]))


def _wording(written: _Written) -> str:
    """The written date as the counter's wording (「昭和25年3月日不詳」, 「1950年2月29日」)."""
    if written.year == 0:
        raise ValueError("year 0")
    year = f"{written.era}{'元' if written.era and written.year == 1 else written.year}年"
    if written.month == 0:
        if written.day != 0:
            raise ValueError("a day without its month")
        return f"{year}月日不詳"
    if written.day == 0:
        return f"{year}{written.month}月日不詳"
    return f"{year}{written.month}月{written.day}日"


def _refused(cell: str, unknown: bool) -> DomainError:
    forms = "YYYYMMDD、年号コード付きの和暦 GYYMMDD・0GYYMMDD"
    if unknown:
        forms += "、不詳は日・月日を 00 又は 00000000・99999999"
    return invalid("import.date", f"年月日として読めません（{cell[:20]}、{forms}）")


@lru_cache(maxsize=8)
def _era_spans(eras: EraTable) -> dict[int, tuple[int, date, date]]:
    """年号コード → (the Gregorian year before its 元年, its first day, its last day)."""
    return {
        era.code: (era.first_day.year - 1, era.first_day, eras.last_day(era) or date.max)
        for era in eras
    }


def _calendar_day(digits: str, eras: EraTable) -> date | None:
    """The calendar day of a whole date (no 00), the common case, computed straight from the
    era table; None for anything else (which the date parser then reads, or refuses)."""
    try:
        if len(digits) == 8 and digits[0] != "0":
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if len(digits) == 8:
            digits = digits[1:]
        if len(digits) != 7 or digits[1:3] == "00":
            return None
        span = _era_spans(eras).get(int(digits[0]))
        if span is None:
            return None
        day = date(span[0] + int(digits[1:3]), int(digits[3:5]), int(digits[5:]))
    except ValueError:
        return None
    return day if span[1] <= day <= span[2] else None


def date_cell(cell: str, *, unknown: bool, eras: EraTable = DEFAULT_ERAS) -> RecordDate:
    """The date a cell of a date item writes (see the module's list of forms).

    ``unknown``: the item may hold a 不詳日 or a 暦上日以外の年月日 (it has its own 不詳フラグ and
    不詳表記 items); otherwise only a calendar day is read. Refused with ``import.date`` (not a
    form read here) or the date parser's own codes (``date.invalid``, ``date.outside_era``,
    ``date.unknown_not_allowed`` …), each message naming the cell as written.
    """
    digits = ascii_digits(cell.strip(SPACES))
    if not (digits.isascii() and digits.isdigit()):
        raise _refused(cell, unknown)
    day = _calendar_day(digits, eras)
    if day is not None:
        return RecordDate.of(day)
    if digits == STAND_IN_UNKNOWN and unknown:
        return RecordDate.parse(_WHOLLY_UNKNOWN, eras=eras)
    if digits in _UNKNOWN_ALL:
        if not unknown:
            raise invalid(
                "date.unknown_not_allowed", f"この項目には不詳日（{cell[:20]}）を入力できません"
            )
        return RecordDate.parse(_WHOLLY_UNKNOWN, eras=eras)
    written = _split(digits, eras)
    if written is None:
        raise _refused(cell, unknown)
    try:
        wording = _wording(written)
    except ValueError:
        raise _refused(cell, unknown) from None
    if not unknown and (written.month == 0 or written.day == 0):
        message = f"この項目には不詳日（{cell[:20]}）を入力できません"
        raise invalid("date.unknown_not_allowed", message)
    try:
        if not unknown or (not written.era and written.day):
            # YYYYMMDD is a calendar day (as the layout has always read it)
            return RecordDate.of(parse_japanese_date(wording, eras))
        return RecordDate.parse(wording, eras=eras)
    except DomainError as error:
        if not written.era:
            raise _refused(cell, unknown) from None
        found = error.violations[0]
        raise invalid(found.code, f"{found.message}（{cell[:20]}）") from None


def calendar_cell(day: date) -> str:
    """A day in the layout's form (YYYYMMDD)."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"
