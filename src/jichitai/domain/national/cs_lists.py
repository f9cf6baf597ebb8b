"""The printed lists of CS auto-send (standard §7.1.1.1 (1090): CSへ連携できなかった場合のエラー
表示、一覧表への印字; 送信した電文と取り込んだ電文の照会及び一覧表への印字; §4.1.3.1.2 (690):
転入通知情報取込エラー一覧表): a title, the municipality, the day, a header and rows, drawn as PDF
(``adapters/pdf/list_pdf.py``) or written as CSV."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

SEND_ERRORS = "CS送信エラー一覧表"
INTAKE_ERRORS = "転入通知情報等取込エラー一覧表"
SENT = "CS送信一覧表"
RECEIVED = "転入通知情報等取込一覧表"
FREE_CODES = "住民票コード空きコード取込一覧表"
_WARD = re.compile(
    r"(?:東京都|北海道|(?:京都|大阪)府|[^\s都道府県]{2,3}県)?[^\s市]{1,6}市(?P<ward>[^\s\d０-９区市]{1,5}区)"
)
LIST_DAYS_MAX = 366
"""How far back (days) a printed list of messages sent or taken in may reach in one print."""


@dataclass(frozen=True, slots=True)
class ListDocument:
    title: str
    municipality_name: str
    printed_on: date
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def reference(self) -> str:
        return f"{self.title} {self.printed_on.isoformat()} {len(self.rows)}件"


def ward_of(address: str) -> str:
    """The 行政区 of an address in a 指定都市: 「北区」 of 「大阪府大阪市北区梅田一丁目…」; "" for an
    address with no 市 followed by a 区 (東京都's 特別区 are municipalities, not wards). The lists
    of a 指定都市 are split by it (§7.1.1.1)."""
    found = _WARD.match(address)
    return found.group("ward") if found else ""
