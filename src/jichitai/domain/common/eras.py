"""Era master (元号マスタ): which 和暦 era a day belongs to, kept as data (standard §1.3.6).

The standard requires that a new era can be introduced by parameter setting
(パラメータ設定による元号変更対応), so eras are rows in an :class:`EraTable`, not code:
:meth:`EraTable.from_rows` builds one from configuration.

Decisions:

* 明治 starts on 1868-01-25, i.e. 慶応4年1月1日, because the 明治 改元 (1868-10-23) was
  applied back to the start of that year. Before 明治6年 (1873-01-01) Japan used the
  lunisolar calendar; this table converts proleptic Gregorian days, so a 明治1-5年 day is the
  Gregorian day's era year, not the lunisolar date.
* 年号コード 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和 is common practice (住基ネット: one digit).
* ``same_day_change`` marks an era proclaimed during its first day (大正 and 昭和): on that
  day the previous era's name was also in use, so "明治45年7月30日" and "大正15年12月25日"
  occur in 戸籍 and must be kept (see ``dates.RecordDate``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from jichitai.domain.errors import invalid

__all__ = ["DEFAULT_ERAS", "Era", "EraTable"]

_K = TypeVar("_K", str, int)

_TRUE_WORDS = frozenset({"1", "true", "yes", "y", "on"})
_FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "off"})


@dataclass(frozen=True, slots=True)
class Era:
    """One era: kanji name ("令和"), letter ("R"), 年号コード (5) and the Gregorian day it began."""

    name: str
    letter: str
    code: int
    first_day: date
    same_day_change: bool = False

    def __post_init__(self) -> None:
        if not self.name or any(c.isspace() or c.isdigit() for c in self.name):
            raise invalid("era.name", f"元号の名称が正しくありません: {self.name!r}", "name")
        if len(self.letter) != 1 or not ("A" <= self.letter <= "Z"):
            raise invalid("era.letter", f"元号の略号は英大文字1文字です: {self.letter!r}", "letter")
        if self.code < 1:
            raise invalid("era.code", f"年号コードは1以上の整数です: {self.code}", "code")

    def gregorian_year(self, era_year: int) -> int:
        """The Gregorian year of this era's year ``era_year`` (1 = 元年)."""
        return self.first_day.year + era_year - 1

    def era_year(self, gregorian_year: int) -> int:
        """This era's year number for a Gregorian year (1 = 元年); no range check."""
        return gregorian_year - self.first_day.year + 1


class EraTable:
    """An ordered set of eras; each era lasts until the day before the next one begins."""

    __slots__ = ("_by_code", "_by_letter", "_by_name", "_eras")

    def __init__(self, eras: Iterable[Era]) -> None:
        ordered = tuple(sorted(eras, key=lambda e: e.first_day))
        if not ordered:
            raise invalid("era.table_empty", "元号マスタが空です", "eras")
        self._eras: tuple[Era, ...] = ordered
        self._by_name: dict[str, Era] = {}
        self._by_letter: dict[str, Era] = {}
        self._by_code: dict[int, Era] = {}
        previous: Era | None = None
        for era in ordered:
            if previous is not None and previous.first_day == era.first_day:
                message = f"開始日が同じ元号があります: {previous.name}・{era.name}"
                raise invalid("era.duplicate", message, "first_day")
            _register(self._by_name, era.name, era, "名称")
            _register(self._by_letter, era.letter, era, "略号")
            _register(self._by_code, era.code, era, "年号コード")
            previous = era

    # -- lookups ---------------------------------------------------------------------------------

    @property
    def eras(self) -> tuple[Era, ...]:
        """All eras, oldest first."""
        return self._eras

    @property
    def first_day(self) -> date:
        """The first day the table can express (明治元年1月1日 in the default table)."""
        return self._eras[0].first_day

    def __iter__(self) -> Iterator[Era]:
        return iter(self._eras)

    def __len__(self) -> int:
        return len(self._eras)

    def __repr__(self) -> str:
        return f"EraTable({', '.join(e.name for e in self._eras)})"

    def era_of(self, d: date) -> Era:
        """The era ``d`` belongs to (on a same-day change, the new era)."""
        if d < self._eras[0].first_day:
            first = self._eras[0]
            raise invalid(
                "date.before_meiji",
                f"{first.name}元年（{first.first_day.year}年{first.first_day.month}月"
                f"{first.first_day.day}日）より前の日付は和暦で表せません",
                "date",
            )
        found = self._eras[0]
        for era in self._eras:
            if era.first_day <= d:
                found = era
            else:
                break
        return found

    def by_name(self, name: str) -> Era:
        """The era called ``name`` ("平成"); unknown names are refused with ``era.unknown``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise invalid("era.unknown", f"元号「{name}」は登録されていません", "era") from None

    def by_letter(self, letter: str) -> Era:
        """The era abbreviated ``letter`` ("H"; lower case accepted)."""
        try:
            return self._by_letter[letter.upper()]
        except KeyError:
            message = f"元号の略号「{letter}」は登録されていません"
            raise invalid("era.unknown", message, "era") from None

    def by_code(self, code: int) -> Era:
        """The era with 年号コード ``code`` (4 = 平成)."""
        try:
            return self._by_code[code]
        except KeyError:
            message = f"年号コード「{code}」は登録されていません"
            raise invalid("era.unknown", message, "era") from None

    def find_name(self, name: str) -> Era | None:
        """Like :meth:`by_name` but ``None`` when unknown."""
        return self._by_name.get(name)

    def find_letter(self, letter: str) -> Era | None:
        """Like :meth:`by_letter` but ``None`` when unknown."""
        return self._by_letter.get(letter.upper())

    def next_era(self, era: Era) -> Era | None:
        """The era that followed ``era``, or ``None`` for the current one."""
        index = self._index(era)
        return self._eras[index + 1] if index + 1 < len(self._eras) else None

    def last_day(self, era: Era) -> date | None:
        """The last day of ``era`` (the day before the next one); ``None`` for the current era."""
        following = self.next_era(era)
        return None if following is None else following.first_day - timedelta(days=1)

    def contains(self, era: Era, d: date) -> bool:
        """Whether ``d`` lies within ``era`` (first day to last day inclusive)."""
        last = self.last_day(era)
        return era.first_day <= d and (last is None or d <= last)

    def with_era(self, era: Era) -> EraTable:
        """A new table with ``era`` added (a new 元号 proclaimed)."""
        return EraTable((*self._eras, era))

    def _index(self, era: Era) -> int:
        for i, candidate in enumerate(self._eras):
            if candidate == era:
                return i
        raise invalid("era.unknown", f"元号「{era.name}」は登録されていません", "era")

    # -- configuration ---------------------------------------------------------------------------

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> EraTable:
        """Build a table from configuration rows.

        Each row has ``name``, ``letter``, ``code`` (integer) and ``first_day`` (ISO date), and
        optionally ``same_day_change`` ("1"/"true"/"0"/"false"/empty).
        """
        eras: list[Era] = []
        for number, row in enumerate(rows, start=1):
            eras.append(_era_from_row(row, number))
        return cls(eras)

    def to_rows(self) -> list[dict[str, str]]:
        """The table as configuration rows (inverse of :meth:`from_rows`)."""
        return [
            {
                "name": e.name,
                "letter": e.letter,
                "code": str(e.code),
                "first_day": e.first_day.isoformat(),
                "same_day_change": "1" if e.same_day_change else "0",
            }
            for e in self._eras
        ]


def _register(index: dict[_K, Era], key: _K, era: Era, label: str) -> None:
    if key in index:
        raise invalid("era.duplicate", f"元号の{label}が重複しています: {key}", "eras")
    index[key] = era


def _era_from_row(row: Mapping[str, str], number: int) -> Era:
    missing = [k for k in ("name", "letter", "code", "first_day") if not row.get(k, "").strip()]
    if missing:
        message = f"元号マスタの{number}行目に項目がありません: {', '.join(missing)}"
        raise invalid("era.row", message, missing[0])
    code_text = row["code"].strip()
    if not code_text.isascii() or not code_text.isdigit():
        message = f"元号マスタの{number}行目の年号コードが数字ではありません"
        raise invalid("era.code", message, "code")
    try:
        first_day = date.fromisoformat(row["first_day"].strip())
    except ValueError:
        raise invalid(
            "era.first_day", f"元号マスタの{number}行目の開始日が正しくありません", "first_day"
        ) from None
    flag = row.get("same_day_change", "").strip().lower()
    if flag not in _TRUE_WORDS | _FALSE_WORDS:
        message = f"元号マスタの{number}行目の same_day_change が正しくありません"
        raise invalid("era.row", message, "same_day_change")
    return Era(
        name=row["name"].strip(),
        letter=row["letter"].strip().upper(),
        code=int(code_text),
        first_day=first_day,
        same_day_change=flag in _TRUE_WORDS,
    )


_DEFAULT_ROWS: Sequence[Era] = (
    # 慶応4年1月1日: the 明治 改元 was applied back to the start of the year.
    Era("明治", "M", 1, date(1868, 1, 25)),
    Era("大正", "T", 2, date(1912, 7, 30), same_day_change=True),
    Era("昭和", "S", 3, date(1926, 12, 25), same_day_change=True),
    Era("平成", "H", 4, date(1989, 1, 8)),
    Era("令和", "R", 5, date(2019, 5, 1)),
)

DEFAULT_ERAS: EraTable = EraTable(_DEFAULT_ROWS)
"""The five modern eras: 明治 M 1, 大正 T 2, 昭和 S 3, 平成 H 4, 令和 R 5."""
