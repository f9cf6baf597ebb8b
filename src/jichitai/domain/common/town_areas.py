"""The municipality's 町字 master (standard §1.3.2 (240), §1.3.3 (250)): one row per 町字 of the
アドレス・ベース・レジストリ 町字マスター, and the rule that an address in the municipality names a
町字 of it.

Decisions (docs/adr/0013-town-area-master.md):

* A row is read from the ABR column names (:data:`TOWN_AREA_COLUMNS`): 町字id (7 digits),
  町字区分コード (1 大字・町, 2 丁目, 3 小字, 4 大字・町/丁目/小字なし, 5 道路方式の通り名),
  大字・町名, 丁目名, 小字名, 住居表示フラグ (0/1), 効力発生日 and 廃止日 (YYYY-MM-DD, may be
  empty), and the 郵便番号 where the file gives one (it is not an ABR column: a municipality adds it).
* The 町字 as an address writes it is 大字・町名 + 丁目名 + 小字名 (「霞が関」「一丁目」 →
  「霞が関一丁目」); names are compared by :func:`town_area_key` (NFKC, spaces dropped, variant
  characters folded as the search folds them), so 「霞が関 一丁目」 is the same 町字.
* A 町字 is valid on a day from its 効力発生日 (inclusive) to its 廃止日 (exclusive: the day it
  was abolished it is gone).
* :func:`town_area_fault` is the rule's one decision (is this address's 町字 in the master on
  that day?), asked by the register's change checks (``rules/town_areas.py``, an alert) and by
  the data migration import (``services/migration_rows.py``, a fault of the row unless the
  operator lets it in); :class:`MasterIndex` is a master held whole in memory (the import reads
  it once and hands it to its worker processes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

from jichitai.domain.common.address import Address
from jichitai.domain.common.names import forbidden_character
from jichitai.domain.common.variants import fold_kanji
from jichitai.domain.errors import Severity, Violation

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "TOWN_AREA_COLUMNS",
    "TOWN_AREA_NOT_IN_MASTER",
    "MasterIndex",
    "TownArea",
    "TownAreaLookup",
    "parse_town_area_row",
    "town_area_fault",
    "town_area_key",
]

TOWN_AREA_NOT_IN_MASTER: Final = "address.town_area_not_in_master"
"""The alert of an address whose 町字 is not in the municipality's master on the 異動日."""

REQUIRED_COLUMNS: Final = (
    "町字id",
    "町字区分コード",
    "大字・町名",
    "丁目名",
    "小字名",
    "住居表示フラグ",
    "効力発生日",
    "廃止日",
)
OPTIONAL_COLUMNS: Final = ("全国地方公共団体コード", "郵便番号")
TOWN_AREA_COLUMNS: Final = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
"""The columns read; any other ABR column (カナ, 英字, 備考 …) is allowed and ignored."""

_ID_RE: Final = re.compile(r"[0-9]{7}")
_DATE_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_POSTCODE_RE: Final = re.compile(r"〒?([0-9]{3})-?([0-9]{4})")
_KINDS: Final = frozenset({"1", "2", "3", "4", "5"})
_MAX_NAME: Final = 120
_DROP: Final = str.maketrans({" ": None, "\u3000": None})


def town_area_key(name: str) -> str:
    """A 町字 name as the master compares it: NFKC, no spaces, variant characters folded."""
    return fold_kanji(unicodedata.normalize("NFKC", name)).translate(_DROP)


@dataclass(frozen=True, slots=True)
class TownArea:
    """One 町字 of the municipality's master."""

    town_id: str
    kind: str
    oaza: str
    chome: str = ""
    koaza: str = ""
    postcode: str = ""
    residence_indication: bool = False
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def name(self) -> str:
        """The 町字 as an address writes it: 「霞が関一丁目」."""
        return f"{self.oaza}{self.chome}{self.koaza}"

    @property
    def key(self) -> str:
        return town_area_key(self.name)

    def valid_on(self, day: date) -> bool:
        """In force on ``day``: from its 効力発生日 to the day before its 廃止日."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day < self.valid_to


class TownAreaLookup(Protocol):
    """The municipality's master as the change rules read it."""

    @property
    def loaded(self) -> bool:
        """Whether the municipality has loaded a master (else nothing is checked)."""

    def named(self, key: str) -> Sequence[TownArea]:
        """Every entry (of any date) whose :attr:`TownArea.key` is ``key``."""


@dataclass(frozen=True, slots=True)
class MasterIndex:
    """A master held whole in memory, by :attr:`TownArea.key` (a ``TownAreaLookup``; it pickles,
    so worker processes get it as it is)."""

    by_key: Mapping[str, tuple[TownArea, ...]]

    @classmethod
    def of(cls, areas: Sequence[TownArea]) -> MasterIndex:
        by_key: dict[str, list[TownArea]] = {}
        for area in areas:
            by_key.setdefault(area.key, []).append(area)
        return cls({key: tuple(found) for key, found in by_key.items()})

    @property
    def loaded(self) -> bool:
        return bool(self.by_key)

    def named(self, key: str) -> Sequence[TownArea]:
        return self.by_key.get(key, ())


def town_area_fault(address: Address, master: TownAreaLookup, on: date) -> Violation | None:
    """The rule's one decision: ``address.town_area_not_in_master`` (an alert) when the
    address's 町字 is not in the master in force on ``on``; None when it is, when the address
    names no 町字 (abroad, a lot directly after the city) or when no master is loaded.

    The entries named are read first: a 町字 found in force needs no second look, so the common
    case is one indexed read (the master's presence is asked only when nothing is found)."""
    if address.is_overseas or not address.town_area:
        return None
    entries = master.named(town_area_key(address.town_area))
    if any(entry.valid_on(on) for entry in entries):
        return None
    if not entries and not master.loaded:
        return None
    when = f"{on.year}年{on.month}月{on.day}日"
    reason = "の時点で廃止されているか効力発生前です" if entries else "にありません"
    return Violation(
        TOWN_AREA_NOT_IN_MASTER,
        f"町字「{address.town_area}」は町字マスター（{when}）{reason}。住所を確認してください",
        "address.town_area",
        Severity.ALERT,
    )


def _fault(code: str, message: str, column: str) -> Violation:
    return Violation(code, message, column)


def _date(text: str, column: str, faults: list[Violation]) -> date | None:
    if not text:
        return None
    match = _DATE_RE.fullmatch(text)
    if match is not None:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    faults.append(
        _fault(
            "town_area.date",
            f"{column}「{text}」は日付（YYYY-MM-DD）ではありません",
            column,
        )
    )
    return None


def parse_town_area_row(
    cells: Mapping[str, str], municipality_code: str
) -> tuple[TownArea | None, list[Violation]]:
    """One row of the file (column name → cell) as a :class:`TownArea`, or every fault of it.

    Codes: ``town_area.id``, ``town_area.kind``, ``town_area.name``, ``town_area.flag``,
    ``town_area.date``, ``town_area.dates_order``, ``town_area.postcode``,
    ``town_area.municipality`` (the row's 全国地方公共団体コード is another municipality's).
    """
    faults: list[Violation] = []
    cell = {name: unicodedata.normalize("NFC", cells.get(name, "")).strip() for name in cells}

    def get(name: str) -> str:
        return cell.get(name, "")

    town_id = unicodedata.normalize("NFKC", get("町字id"))
    if _ID_RE.fullmatch(town_id) is None:
        faults.append(
            _fault("town_area.id", f"町字id「{town_id}」は7桁の数字ではありません", "町字id")
        )
    kind = unicodedata.normalize("NFKC", get("町字区分コード"))
    if kind not in _KINDS:
        faults.append(
            _fault(
                "town_area.kind",
                f"町字区分コード「{kind}」は1〜5のいずれかではありません",
                "町字区分コード",
            )
        )
    names = {column: get(column) for column in ("大字・町名", "丁目名", "小字名")}
    for column, text in names.items():
        found = forbidden_character(text)
        if found is not None:
            faults.append(
                _fault(
                    "town_area.name",
                    f"{column}に使用できない文字（U+{ord(found[1]):04X}）があります",
                    column,
                )
            )
        elif len(text) > _MAX_NAME:
            faults.append(
                _fault("town_area.name", f"{column}は{_MAX_NAME}文字以内であること", column)
            )
    if kind != "4" and not any(names.values()):
        faults.append(
            _fault("town_area.name", "大字・町名、丁目名、小字名がすべて空です", "大字・町名")
        )
    flag = unicodedata.normalize("NFKC", get("住居表示フラグ")) or "0"
    if flag not in ("0", "1"):
        faults.append(
            _fault(
                "town_area.flag",
                f"住居表示フラグ「{flag}」は0または1ではありません",
                "住居表示フラグ",
            )
        )
    valid_from = _date(get("効力発生日"), "効力発生日", faults)
    valid_to = _date(get("廃止日"), "廃止日", faults)
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        faults.append(_fault("town_area.dates_order", "廃止日が効力発生日より前です", "廃止日"))
    postcode = ""
    raw_postcode = unicodedata.normalize("NFKC", get("郵便番号"))
    if raw_postcode:
        match = _POSTCODE_RE.fullmatch(raw_postcode)
        if match is None:
            faults.append(
                _fault(
                    "town_area.postcode",
                    f"郵便番号「{raw_postcode}」は7桁の数字（123-4567）ではありません",
                    "郵便番号",
                )
            )
        else:
            postcode = match[1] + match[2]
    lg_code = unicodedata.normalize("NFKC", get("全国地方公共団体コード"))
    if lg_code and lg_code != municipality_code:
        faults.append(
            _fault(
                "town_area.municipality",
                f"全国地方公共団体コード「{lg_code}」は取込先の団体（{municipality_code}）の"
                "ものではありません",
                "全国地方公共団体コード",
            )
        )
    if faults:
        return None, faults
    area = TownArea(
        town_id=town_id,
        kind=kind,
        oaza=names["大字・町名"],
        chome=names["丁目名"],
        koaza=names["小字名"],
        postcode=postcode,
        residence_indication=flag == "1",
        valid_from=valid_from,
        valid_to=valid_to,
    )
    return area, []
