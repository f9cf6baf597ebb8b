"""Dates as the register writes, reads and keeps them (standard §1.1.8, §1.1.9, §1.3.6).

* :func:`format_wareki` / :func:`format_seireki` write a calendar day ("令和元年5月1日",
  "2026年11月26日"); no zero padding, year 1 written 元年.
* :func:`parse_japanese_date` reads one calendar day written in 和暦, 西暦 or ISO, strictly.
* :class:`RecordDate` is a date as the register keeps it: a calendar day, a *non-calendar* day
  that 戸籍 may carry (昭和25年2月29日, 明治45年7月30日, 大正15年12月25日) or an *unknown* date
  (不詳日: "昭和20年頃", "年月日不詳", …). The last two keep their wording and a sortable
  machine date (``approximation``), as §1.1.8 asks ("内部的には日付を保有しておくこと").

Approximations chosen for unknown dates (our decision; the standard names none):

* fully unknown ("年月日不詳", "不詳") → ``date.min`` so it sorts first;
* year known → 1 January; month known → the 1st; 上旬/中旬/下旬 → the 1st/11th/21st;
  春/夏/秋/冬 → 1 March/June/September/December (冬 is the winter that begins that year);
  in each case moved forward to the era's first day when the period starts before it
  ("令和元年頃" → 2019-05-01);
* a day that does not exist ("2月30日頃") → the last real day of that month;
* "推定<date>" → that date; a range "<A>から<B>までの間" → A (B must not be before A).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from jichitai.domain.common.eras import DEFAULT_ERAS, Era, EraTable
from jichitai.domain.errors import InvalidValue, invalid

__all__ = [
    "DateKind",
    "RecordDate",
    "format_seireki",
    "format_wareki",
    "parse_japanese_date",
    "year_of",
]


# -- writing -----------------------------------------------------------------------------


def year_of(d: date, eras: EraTable = DEFAULT_ERAS) -> tuple[Era, int]:
    """The era of ``d`` and its year within that era (1 = 元年)."""
    era = eras.era_of(d)
    return era, era.era_year(d.year)


def _year_text(era_year: int) -> str:
    return "元" if era_year == 1 else str(era_year)


def attained_age(born: date, on: date) -> int:
    """Age as the law counts it (満年齢): a year is completed at the end of the day before the
    birthday (年齢計算ニ関スル法律), so one born on 1 April is 15 on the 31 March fifteen years
    later, and one born on 29 February gains a year on 28 February of a common year."""
    day = on + timedelta(days=1)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def format_wareki(d: date, eras: EraTable = DEFAULT_ERAS) -> str:
    """ "令和8年11月26日"; year 1 is "元年"; no zero padding."""
    era, era_year = year_of(d, eras)
    return f"{era.name}{_year_text(era_year)}年{d.month}月{d.day}日"


def format_seireki(d: date) -> str:
    """ "2026年11月26日"; no zero padding."""
    return f"{d.year}年{d.month}月{d.day}日"


# -- reading one calendar day ----------------------------------------------------------------

_ISO = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")
_SEIREKI = re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日")
_WAREKI = re.compile(
    r"(?P<era>[^0-9\s.]+?)(?P<y>元|[0-9]{1,3})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日"
)
_WAREKI_SHORT = re.compile(
    r"(?P<era>[^0-9\s./-]+?)(?P<y>元|[0-9]{1,3})(?P<sep>[./-])(?P<m>[0-9]{1,2})(?P=sep)"
    r"(?P<d>[0-9]{1,2})"
)


@dataclass(frozen=True, slots=True)
class _Parts:
    """A day as written: era (None for 西暦), year within it, month and day (unchecked)."""

    era: Era | None
    year: int
    month: int
    day: int

    @property
    def gregorian_year(self) -> int:
        return self.year if self.era is None else self.era.gregorian_year(self.year)

    def wording(self) -> str:
        """The canonical wording in the calendar it was written in."""
        if self.era is None:
            return f"{self.year}年{self.month}月{self.day}日"
        return f"{self.era.name}{_year_text(self.year)}年{self.month}月{self.day}日"


def _normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII, ㍻ to 平成) and surrounding space removed."""
    return unicodedata.normalize("NFKC", text).strip()


def _era_named(word: str, eras: EraTable) -> Era | None:
    """An era from its name ("平成"), letter ("H", "h") or kanji initial ("平")."""
    found = eras.find_name(word)
    if found is not None:
        return found
    if len(word) == 1 and word.isascii() and word.isalpha():
        return eras.find_letter(word)
    if len(word) == 1:
        candidates = [e for e in eras if e.name.startswith(word)]
        if len(candidates) == 1:
            return candidates[0]
    return None


def _era_year(text: str) -> int:
    return 1 if text == "元" else int(text)


def _split(text: str, eras: EraTable) -> _Parts | None:
    """The parts of a whole-day text, or None when it is not written as one day."""
    for pattern in (_ISO, _SEIREKI):
        match = pattern.fullmatch(text)
        if match is not None:
            return _Parts(None, int(match["y"]), int(match["m"]), int(match["d"]))
    for pattern in (_WAREKI, _WAREKI_SHORT):
        match = pattern.fullmatch(text)
        if match is not None:
            era = _era_named(match["era"], eras)
            if era is None:
                return None  # perhaps an unknown date ("推定令和3年5月1日")
            return _Parts(era, _era_year(match["y"]), int(match["m"]), int(match["d"]))
    return None


def _outside_era(wording: str, era: Era, eras: EraTable, field: str) -> InvalidValue:
    last = eras.last_day(era)
    span = f"{format_seireki(era.first_day)}から" + ("" if last is None else format_seireki(last))
    return invalid("date.outside_era", f"{wording}は{era.name}の期間外です（{span}）", field)


def _impossible(wording: str, field: str) -> InvalidValue:
    return invalid("date.invalid", f"{wording}は存在しない日付です", field)


def _calendar_day(parts: _Parts, eras: EraTable, field: str) -> date:
    """The day ``parts`` names, refused when impossible or outside its era."""
    if parts.era is not None and parts.year < 1:
        raise _outside_era(parts.wording(), parts.era, eras, field)
    try:
        day = date(parts.gregorian_year, parts.month, parts.day)
    except ValueError:
        raise _impossible(parts.wording(), field) from None
    if parts.era is not None and not eras.contains(parts.era, day):
        raise _outside_era(parts.wording(), parts.era, eras, field)
    return day


def _format_error(text: str, eras: EraTable, field: str) -> InvalidValue:
    for pattern in (_WAREKI, _WAREKI_SHORT):
        match = pattern.fullmatch(text)
        word = "" if match is None else match["era"]
        if word and _era_named(word, eras) is None and not any(e.name in word for e in eras):
            message = f"元号「{word}」は登録されていません"
            return invalid("date.format", message, field)
    message = "年月日の形式が正しくありません（例: 令和8年11月26日、R8.11.26、2026-11-26）"
    return invalid("date.format", message, field)


def parse_japanese_date(text: str, eras: EraTable = DEFAULT_ERAS, field: str = "date") -> date:
    """One calendar day written as 和暦 ("令和8年11月26日", "令和元年5月1日", "R8.11.26",
    "令8.11.26"), 西暦 ("2026年11月26日") or ISO ("2026-11-26", "2026/11/26"); full-width
    digits accepted.

    Refusals: ``date.format`` (not a date), ``date.invalid`` (no such day),
    ``date.outside_era`` (平成32年…, 令和元年4月1日).
    """
    normalised = _normalise(text)
    parts = _split(normalised, eras)
    if parts is None:
        raise _format_error(normalised, eras, field)
    return _calendar_day(parts, eras, field)


# -- unknown dates (不詳日) ------------------------------------------------------------------

_SEASONS = {"春": 3, "夏": 6, "秋": 9, "冬": 12}
_SEASON_END = {"春": 5, "夏": 8, "秋": 11, "冬": 12}
_TENTHS = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}

_WORDS = (
    "年月日不詳",
    "月日不詳",
    "日不詳",
    "不詳",
    "推定",
    "までの間",
    "まで",
    "から",
    "頃",
    "ごろ",
    "ころ",
    "上旬",
    "中旬",
    "下旬",
    "春",
    "夏",
    "秋",
    "冬",
)
_ABOUT = frozenset({"頃", "ごろ", "ころ"})


def _token_pattern(eras: EraTable) -> re.Pattern[str]:
    names = "|".join(re.escape(e.name) for e in sorted(eras, key=lambda e: -len(e.name)))
    words = "|".join(re.escape(w) for w in _WORDS)
    return re.compile(
        rf"(?P<era>{names})(?P<ey>元|[0-9]{{1,3}})年"
        r"|(?P<sy>[0-9]{4})年"
        r"|(?P<m>[0-9]{1,2})月"
        r"|(?P<d>[0-9]{1,2})日"
        rf"|(?P<w>{words})"
    )


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["year", "month", "day", "word"]
    text: str
    number: int = 0
    era: Era | None = None


def _tokens(text: str, eras: EraTable) -> list[_Token] | None:
    pattern = _token_pattern(eras)
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = pattern.match(text, position)
        if match is None:
            return None
        if match["era"] is not None:
            era = eras.by_name(match["era"])
            tokens.append(_Token("year", match[0], _era_year(match["ey"]), era))
        elif match["sy"] is not None:
            tokens.append(_Token("year", match[0], int(match["sy"])))
        elif match["m"] is not None:
            tokens.append(_Token("month", match[0], int(match["m"])))
        elif match["d"] is not None:
            tokens.append(_Token("day", match[0], int(match["d"])))
        else:
            tokens.append(_Token("word", match["w"]))
        position = match.end()
    return tokens


@dataclass(slots=True)
class _Point:
    """One end of an unknown date: what is known of it, and its sortable machine date."""

    era: Era | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    qualifier: str = ""  # 上旬/中旬/下旬, 春/夏/秋/冬 or "" (頃/不詳/推定 change nothing here)

    def period(self) -> tuple[int, int, int, int]:
        """(first month, first day, last month, last day) of the period this point names."""
        if self.month is None:
            if self.qualifier in _SEASONS:
                return _SEASONS[self.qualifier], 1, _SEASON_END[self.qualifier], 31
            return 1, 1, 12, 31
        if self.day is not None:
            return self.month, self.day, self.month, self.day
        first, last = _TENTHS.get(self.qualifier, (1, 31))
        return self.month, first, self.month, last


class _Reader:
    """A small recursive-descent reader over the tokens of an unknown date."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take_word(self, *words: str) -> str | None:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text in words:
            self.position += 1
            return token.text
        return None

    def take(self, kind: Literal["year", "month", "day"]) -> _Token | None:
        self.take_word("推定")  # 推定 may precede any part: "推定令和3年", "5月推定3日"
        token = self.peek()
        if token is not None and token.kind == kind:
            self.position += 1
            return token
        return None

    def point(self, start: _Point | None) -> _Point | None:
        """One point; a range's end (``start`` given) may leave out the year and month."""
        point = _Point()
        year = self.take("year")
        if year is not None:
            point.era, point.year = year.era, year.number
        elif start is None:
            return None
        month = self.take("month")
        if month is not None:
            point.month = month.number
        day = self.take("day")
        if day is not None:
            point.day = day.number
        if year is None:
            if month is None and day is None:
                return None
            assert start is not None
            point.era, point.year = start.era, start.year
            if month is None:
                if start.month is None:
                    return None
                point.month = start.month
        if point.day is not None and point.month is None:
            return None
        if not self.suffix(point):
            return None
        return point

    def suffix(self, point: _Point) -> bool:
        """Read what may follow a point's parts; False when it does not fit them."""
        if (word := self.take_word("上旬", "中旬", "下旬")) is not None:
            if point.month is None or point.day is not None:
                return False
            point.qualifier = word
        elif (word := self.take_word("春", "夏", "秋", "冬")) is not None:
            if point.month is not None:
                return False
            point.qualifier = word
        elif self.take_word("月日不詳") is not None:
            return point.month is None
        elif self.take_word("日不詳") is not None:
            return point.month is not None and point.day is None
        elif self.take_word("不詳") is not None:
            return point.day is None
        self.take_word(*_ABOUT)
        return True


def _point_date(point: _Point, eras: EraTable, field: str, wording: str) -> date:
    """The sortable machine date of ``point``, refused when it lies outside its era."""
    assert point.year is not None
    era = point.era
    gregorian = point.year if era is None else era.gregorian_year(point.year)
    if point.year < 1 and era is not None:
        raise _outside_era(wording, era, eras, field)
    if not 1 <= gregorian <= 9999:
        raise _impossible(wording, field)
    first_month, first_day, last_month, last_day = point.period()
    if not (1 <= first_month <= 12 and 1 <= first_day <= 31):
        raise _impossible(wording, field)
    start = date(gregorian, first_month, min(first_day, _month_days(gregorian, first_month)))
    end = date(gregorian, last_month, min(last_day, _month_days(gregorian, last_month)))
    if era is None:
        return start
    era_last = eras.last_day(era)
    following = eras.next_era(era)
    if following is not None and following.same_day_change:
        era_last = following.first_day  # "明治45年7月30日頃" names the day of the change
    if end < era.first_day or (era_last is not None and start > era_last):
        raise _outside_era(wording, era, eras, field)
    return max(start, era.first_day)


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _unknown_approximation(text: str, eras: EraTable, field: str) -> date | None:
    """The machine date of an unknown-date wording, or None when it is not one."""
    compact = "".join(text.split())
    tokens = _tokens(compact, eras)
    if not tokens:
        return None
    reader = _Reader(tokens)
    if reader.take_word("年月日不詳", "不詳") is not None:
        return date.min if reader.peek() is None else None
    start = reader.point(None)
    if start is None:
        return None
    if reader.take_word("から") is not None:
        end = reader.point(start)
        if end is None or reader.take_word("までの間", "まで") is None or reader.peek() is not None:
            return None
        first = _point_date(start, eras, field, text)
        last = _point_date(end, eras, field, text)
        if last < first:
            raise invalid("date.invalid", f"{text}の期間の終わりが始まりより前です", field)
        return first
    if reader.peek() is not None:
        return None
    return _point_date(start, eras, field, text)


# -- the register's date ---------------------------------------------------------------------


class DateKind(StrEnum):
    """暦上日, 暦上日以外の年月日, or 不詳日."""

    CALENDAR = "calendar"
    NON_CALENDAR = "non_calendar"
    UNKNOWN = "unknown"


_KIND_RANK = {DateKind.CALENDAR: 0, DateKind.NON_CALENDAR: 1, DateKind.UNKNOWN: 2}


@dataclass(frozen=True, slots=True)
class RecordDate:
    """A date as the register keeps it (standard §1.1.8).

    ``approximation`` is always a real, sortable day: the day itself for a calendar date, the
    nearest real day for a non-calendar one, the chosen stand-in for an unknown one (see the
    module documentation). ``text`` is the wording shown to people, empty for calendar dates.
    For non-calendar dates it is the canonical wording in the calendar the day was written in
    ("昭和25年2月29日", "1950年2月29日"); for unknown dates it is the operator's wording,
    NFKC-normalised (full-width digits made ASCII) and trimmed.
    """

    kind: DateKind
    approximation: date
    text: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, DateKind):
            raise ValueError(f"RecordDate.kind must be a DateKind, got {self.kind!r}")
        if self.kind is DateKind.CALENDAR and self.text:
            raise ValueError("a calendar RecordDate keeps no text")
        if self.kind is not DateKind.CALENDAR and not self.text.strip():
            raise ValueError(f"a {self.kind.value} RecordDate needs its wording")

    # -- constructors --------------------------------------------------------------------

    @classmethod
    def of(cls, d: date) -> RecordDate:
        """A calendar day."""
        return cls(DateKind.CALENDAR, d)

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        eras: EraTable = DEFAULT_ERAS,
        field: str = "date",
        allow_non_calendar: bool = True,
        allow_unknown: bool = True,
    ) -> RecordDate:
        """A calendar day, else a non-calendar day, else an unknown date (§1.1.8's patterns).

        Refusals: ``date.format``, ``date.invalid``, ``date.outside_era``, and
        ``date.non_calendar_not_allowed`` / ``date.unknown_not_allowed`` when that kind is not
        accepted for the field.
        """
        normalised = _normalise(text)
        if not normalised:
            raise invalid("date.format", "年月日を入力してください", field)
        parts = _split(normalised, eras)
        if parts is not None:
            return cls._from_parts(parts, eras, field, allow_non_calendar)
        approximation = _unknown_approximation(normalised, eras, field)
        if approximation is None:
            raise _format_error(normalised, eras, field)
        if not allow_unknown:
            message = f"この項目には不詳日（{normalised}）を入力できません"
            raise invalid("date.unknown_not_allowed", message, field)
        return cls(DateKind.UNKNOWN, approximation, normalised)

    @classmethod
    def _from_parts(
        cls, parts: _Parts, eras: EraTable, field: str, allow_non_calendar: bool
    ) -> RecordDate:
        try:
            return cls.of(_calendar_day(parts, eras, field))
        except InvalidValue as refusal:
            approximation = _non_calendar_day(parts, eras)
            if approximation is None:
                raise
            era = parts.era
            if (
                era is not None
                and not eras.contains(era, approximation)
                and not _is_boundary_day(era, approximation, eras)
            ):
                raise _outside_era(parts.wording(), era, eras, field) from refusal
            if not allow_non_calendar:
                message = f"この項目には暦上日以外の年月日（{parts.wording()}）を入力できません"
                raise invalid("date.non_calendar_not_allowed", message, field) from refusal
            return cls(DateKind.NON_CALENDAR, approximation, parts.wording())

    # -- reading -------------------------------------------------------------------------

    @property
    def is_calendar(self) -> bool:
        return self.kind is DateKind.CALENDAR

    def as_date(self) -> date:
        """The calendar day; refused with ``date.not_calendar`` for other kinds."""
        if self.kind is not DateKind.CALENDAR:
            raise invalid("date.not_calendar", f"{self.text}は暦上の日付ではありません")
        return self.approximation

    def display(
        self, style: Literal["wareki", "seireki"] = "wareki", eras: EraTable = DEFAULT_ERAS
    ) -> str:
        """Calendar days in the given style; other kinds as their kept wording (§1.1.9)."""
        if self.kind is not DateKind.CALENDAR:
            return self.text
        if style == "seireki":
            return format_seireki(self.approximation)
        return format_wareki(self.approximation, eras)

    def __str__(self) -> str:
        return self.display()

    # -- ordering ------------------------------------------------------------------------

    @property
    def sort_key(self) -> tuple[date, int]:
        """(machine date, kind rank): a calendar day sorts before an equal stand-in."""
        return self.approximation, _KIND_RANK[self.kind]

    def __lt__(self, other: RecordDate) -> bool:
        if not isinstance(other, RecordDate):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __le__(self, other: RecordDate) -> bool:
        if not isinstance(other, RecordDate):
            return NotImplemented
        return self.sort_key <= other.sort_key

    def __gt__(self, other: RecordDate) -> bool:
        if not isinstance(other, RecordDate):
            return NotImplemented
        return self.sort_key > other.sort_key

    def __ge__(self, other: RecordDate) -> bool:
        if not isinstance(other, RecordDate):
            return NotImplemented
        return self.sort_key >= other.sort_key

    # -- storage -------------------------------------------------------------------------

    def to_json(self) -> dict[str, str]:
        """{"kind", "date" (ISO machine date), "text" (omitted when empty)}."""
        data = {"kind": self.kind.value, "date": self.approximation.isoformat()}
        if self.text:
            data["text"] = self.text
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, str], field: str = "date") -> RecordDate:
        """The inverse of :meth:`to_json`; malformed data is refused with ``date.json``."""
        try:
            kind = DateKind(data["kind"])
            approximation = date.fromisoformat(data["date"])
            return cls(kind, approximation, data.get("text", ""))
        except (KeyError, ValueError, TypeError):
            raise invalid("date.json", "保存された年月日の形式が正しくありません", field) from None


def _non_calendar_day(parts: _Parts, eras: EraTable) -> date | None:
    """The machine date of a day that 戸籍 may carry but the calendar lacks, else None.

    Either a day past the month's end (2月29日 of a common year, 2月30日, 4月31日; day <= 31),
    kept as the month's last real day, or the first day of an era that began during the day
    written in the previous era's name (明治45年7月30日, 大正15年12月25日).
    """
    year = parts.gregorian_year
    if parts.era is not None and parts.year < 1:
        return None
    if not (1 <= year <= 9999 and 1 <= parts.month <= 12 and 1 <= parts.day <= 31):
        return None
    last = _month_days(year, parts.month)
    if parts.day > last:
        return date(year, parts.month, last)
    day = date(year, parts.month, parts.day)
    if parts.era is not None and _is_boundary_day(parts.era, day, eras):
        return day
    return None


def _is_boundary_day(era: Era, day: date, eras: EraTable) -> bool:
    """Whether ``day`` is the first day of a same-day era change that followed ``era``."""
    following = eras.next_era(era)
    return following is not None and following.same_day_change and day == following.first_day
