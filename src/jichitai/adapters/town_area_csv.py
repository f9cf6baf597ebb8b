"""A 町字 master file in the アドレス・ベース・レジストリ 町字マスター CSV layout (ADR 0013):
the ``TownAreaSource`` port.

UTF-8 with or without a BOM; the first line names the columns with the ABR's own names (町字id,
町字区分コード, 大字・町名, 丁目名, 小字名, 住居表示フラグ, 効力発生日, 廃止日; 郵便番号 and
全国地方公共団体コード where given); any other column is read and ignored. The cells are handed
on as text: the domain parses them (``parse_town_area_row``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path

from jichitai.domain.common.town_areas import REQUIRED_COLUMNS
from jichitai.domain.errors import DomainError, Violation


def _refuse(code: str, message: str, line: int) -> DomainError:
    return DomainError(Violation(code, f"{line}行目: {message}", None, line=line))


class CsvTownAreaSource:
    """The rows of one CSV file, read when iterated."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)

    def rows(self) -> Iterator[tuple[int, Mapping[str, str]]]:
        try:
            text = self._path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise DomainError(
                Violation("town_area.file", f"ファイル {self._path} がありません", "file")
            ) from None
        except UnicodeDecodeError as error:
            line = self._path.read_bytes()[: error.start].count(b"\n") + 1
            raise _refuse("town_area.encoding", "文字コードがUTF-8ではありません", line) from None
        reader = csv.reader(text.splitlines(keepends=True))
        try:
            header = next(reader)
        except StopIteration:
            raise _refuse("town_area.columns", "見出し行がありません", 1) from None
        names = [name.strip() for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            raise _refuse(
                "town_area.columns", "見出しに " + "、".join(missing) + " がありません", 1
            )
        doubled = sorted({name for name in names if name and names.count(name) > 1})
        if doubled:
            raise _refuse("town_area.columns", "見出しが重複しています: " + "、".join(doubled), 1)
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise _refuse(
                    "town_area.cells",
                    f"項目数が {len(row)} です（見出しは {len(names)} 項目）",
                    line,
                )
            yield line, dict(zip(names, row, strict=True))
