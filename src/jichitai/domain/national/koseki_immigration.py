"""Two more outbound messages of a change, in our own JSON format (``docs/national-links.md``,
section 「戸籍附票・出入国在留管理庁」): pure, called by ``cs_messages.messages_for``.

- ``戸籍附票記載事項通知`` (住基法19条, standard §7.1.1.1 (1090) and §7.2.4 (1200)): a change of
  the 附票 items (住所, 住所を定めた年月日, 氏名, 出生の年月日, 男女の別, 住民票コード) of a person
  with a 本籍 goes to the 本籍地 (``destination``: 都道府県 + 市区町村 read from the 本籍, the same
  naming as the 転入通知's destination). A 本籍 in this municipality (管内本籍者) is addressed
  to it too: its own 戸籍附票 system takes it (1200). A domestic 転出 and a death send none (the
  転入 municipality notifies the new address; the 戸籍 itself records a death); a 転出 abroad does
  (1090: 国外への転出の場合における転出市区町村からの通知).
- ``市町村通知`` (住基法30条の50, standard §4.5.7 (970)): a change of the 30条の45 items of a
  foreign resident goes to 出入国在留管理庁, classed 「住基法・入管法」 (a 転入 or 転居: a 住居地
  届出 too, so it carries the 市町村伝達) or 「住基法」 (every other change).
"""

from __future__ import annotations

import re
from typing import Any, Final

from jichitai.domain.common.dates import DateKind, RecordDate
from jichitai.domain.common.municipality import DESIGNATED_CITIES
from jichitai.domain.common.prefectures import PREFECTURES
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason

FUHYO_NOTICE = "戸籍附票記載事項通知"
IMMIGRATION_NOTICE = "市町村通知"
IMMIGRATION_AUTHORITY = "出入国在留管理庁"
BOTH_LAWS = "住基法・入管法"
IMMIGRATION_LAW = "入管法"
RESIDENT_LAW = "住基法"
NO_DOMICILE: Final = frozenset({"", "なし", "不明"})

_NO_FUHYO_NOTICE: Final = frozenset({ChangeReason.DOMESTIC_MOVE_OUT, ChangeReason.DEATH})
_RESIDENCE_NOTICE: Final = frozenset(
    {
        ChangeReason.DOMESTIC_MOVE_IN,
        ChangeReason.MOVE_IN_FROM_ABROAD,
        ChangeReason.IN_TOWN_MOVE,
    }
)
_DESIGNATED: Final = tuple(DESIGNATED_CITIES.values())
_COUNTY: Final = re.compile(r"^(.+?郡.+?[町村])")


def _date(value: RecordDate | None) -> str:
    if value is None:
        return ""
    if value.kind is DateKind.CALENDAR:
        return value.approximation.isoformat()
    return value.text


def domicile_municipality(domicile: str) -> str:
    """The 本籍地's 都道府県 + 市区町村 read from a 本籍 (「東京都千代田区霞が関一丁目2番」 →
    「東京都千代田区」); "" when it cannot be read (no prefecture at its start, なし, 不明).

    A rule, not a table: a 郡 is followed by its 町 or 村; a 市 within the first five
    characters wins over an earlier 町 or 村 (十日町市, 東村山市), a doubled 市 is one name
    (四日市市); a designated city keeps its ward (大阪市北区); otherwise the first 市, 区, 町 or
    村. The real adapter maps the name to the 本籍地's code with the 全国地方公共団体コード table.
    """
    text = domicile.strip().replace("\u3000", "").replace(" ", "")
    prefecture = next((p for p in PREFECTURES if text.startswith(p)), "")
    if not prefecture:
        return ""
    rest = text[len(prefecture) :]
    county = _COUNTY.match(rest)
    if county and "市" not in county.group(1):
        return prefecture + county.group(1)
    ends = [i for i, c in enumerate(rest) if c in "市区町村" and i >= 1]
    if not ends:
        return ""
    first = ends[0]
    city_at = rest.find("市", 1)
    if rest[first] in "町村" and 1 <= city_at < 5:
        first = city_at
    if rest[first] == "市" and rest[first + 1 : first + 2] == "市":
        first += 1
    city = rest[: first + 1]
    if city in _DESIGNATED:
        ward = rest.find("区", first + 1)
        if ward > first + 1:
            city = rest[: ward + 1]
    return prefecture + city


def fuhyo_items(record: ResidentRecord) -> dict[str, Any]:
    """The items the 戸籍の附票 keeps of a person (住基法17条), with the 本籍 they belong to."""
    register = record.family_register
    return {
        "resident_code": record.resident_code.value if record.resident_code else "",
        "name": record.name.full,
        "birth_date": _date(record.birth_date),
        "sex": record.sex.value,
        "address": record.address.display(),
        "address_set_on": _date(record.address_set_on),
        "domicile": register.domicile if register else "",
        "family_head": register.head if register else "",
    }


def fuhyo_notices(
    previous: ResidentRecord | None, current: ResidentRecord
) -> list[tuple[str, str, dict[str, Any]]]:
    """The 戸籍附票記載事項通知 of one change: (kind, destination, body items)."""
    items = fuhyo_items(current)
    if items["domicile"].strip() in NO_DOMICILE or current.reason in _NO_FUHYO_NOTICE:
        return []
    if previous is not None and fuhyo_items(previous) == items:
        return []
    destination = domicile_municipality(items["domicile"])
    body = {**items, "status": current.status.value, "domicile_municipality": destination}
    return [(FUHYO_NOTICE, destination, body)]


def immigration_items(record: ResidentRecord) -> dict[str, Any]:
    """The 30条の45 items of a foreign resident the 市町村通知 carries; {} for a Japanese."""
    foreign = record.foreign
    if foreign is None:
        return {}
    alias = foreign.current_alias
    card = foreign.residence_card_number
    return {
        "resident_code": record.resident_code.value if record.resident_code else "",
        "name": record.name.full,
        "name_roman": record.name.roman,
        "alias": alias.name.full if alias else "",
        "birth_date": _date(record.birth_date),
        "sex": record.sex.value,
        "address": record.address.display(),
        "status": record.status.value,
        "nationality": foreign.nationality,
        "category": foreign.category.value,
        "residence_status": foreign.residence_status,
        "period_of_stay": foreign.period_of_stay,
        "stay_expires_on": foreign.stay_expires_on.isoformat() if foreign.stay_expires_on else "",
        "residence_card_number": card.value if card else "",
        "special_permanent_certificate_number": foreign.special_permanent_certificate_number,
        "became_foreign_resident_on": _date(foreign.became_foreign_resident_on),
    }


def immigration_notices(
    previous: ResidentRecord | None, current: ResidentRecord
) -> list[tuple[str, str, dict[str, Any]]]:
    """The 市町村通知 of one change of a foreign resident: (kind, destination, body items)."""
    items = immigration_items(current)
    if not items or (previous is not None and immigration_items(previous) == items):
        return []
    residence = current.reason in _RESIDENCE_NOTICE and (
        previous is None or previous.address != current.address
    )
    law = BOTH_LAWS if residence else RESIDENT_LAW
    body = {**items, "law": law, "transmission": residence}
    return [(IMMIGRATION_NOTICE, IMMIGRATION_AUTHORITY, body)]
