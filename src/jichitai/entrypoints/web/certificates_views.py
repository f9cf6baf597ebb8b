"""What the certificate screens show: a preview's sheets as the PDF would print them, and rows of
the issue history."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta, timezone

from PIL import Image

from jichitai.domain.certificates.contents import Field, Sheet
from jichitai.domain.certificates.kinds import CertificateKind, CertificateType, certificate_type
from jichitai.domain.certificates.requests import requester_label
from jichitai.domain.seals.registration import MM_PER_INCH
from jichitai.services.certificates import IssueRecord

NAME_LABELS = frozenset({"氏名", "世帯主", "筆頭者", "通称"})
"""Items whose value is a name: drawn in the name font (IPAmj明朝), as on the PDF."""
CSS_PX_PER_MM = 96 / MM_PER_INCH
JST = timezone(timedelta(hours=9), "JST")


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    value: str
    is_name: bool


@dataclass(frozen=True, slots=True)
class PersonView:
    lines: tuple[Line, ...]
    history: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImpressionView:
    """The seal image inline (``data:``), sized to print at its real size."""

    src: str
    width_px: int
    height_px: int
    width_mm: float
    height_mm: float


@dataclass(frozen=True, slots=True)
class SheetView:
    number: int
    title: str
    header: tuple[Line, ...]
    persons: tuple[PersonView, ...]
    certification: str
    impression: ImpressionView | None
    mark: str = ""
    remarks: tuple[str, ...] = ()
    """The 備考 area's lines."""


def _lines(items: Sequence[Field]) -> tuple[Line, ...]:
    return tuple(Line(f.label, f.value, f.label in NAME_LABELS) for f in items)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def impression_view(png: bytes) -> ImpressionView:
    """The stored impression at its real size: its pixels over its own dpi."""
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
        dpi = image.info.get("dpi", (300, 300))
    width_mm = width / float(dpi[0]) * MM_PER_INCH
    height_mm = height / float(dpi[1]) * MM_PER_INCH
    return ImpressionView(
        data_uri(png),
        round(width_mm * CSS_PX_PER_MM),
        round(height_mm * CSS_PX_PER_MM),
        width_mm,
        height_mm,
    )


def sheet_views(sheets: Sequence[Sheet], impressions: Mapping[str, bytes]) -> list[SheetView]:
    views = []
    for number, sheet in enumerate(sheets, start=1):
        png = impressions.get(sheet.impression.registration_number) if sheet.impression else None
        views.append(
            SheetView(
                number,
                sheet.title,
                _lines(sheet.header),
                tuple(PersonView(_lines(p.fields), p.history) for p in sheet.persons),
                sheet.certification,
                impression_view(png) if png else None,
                sheet.mark,
                sheet.remarks,
            )
        )
    return views


@dataclass(frozen=True, slots=True)
class IssueRow:
    """One copy of the issue history as a table row."""

    record: IssueRecord
    superseded_by: str | None
    persons: tuple[tuple[str, str], ...]
    """(宛名番号, ref) of each person the copy certifies."""

    @property
    def issued_time(self) -> str:
        """The time of day it was issued, in Japan."""
        return self.record.issued_at.astimezone(JST).strftime("%H:%M")

    @property
    def requester_label(self) -> str:
        """請求者, or 「—」 for a copy that recorded none (before it was asked, re-issues)."""
        return requester_label(self.record.requester) or "—"

    @property
    def disposable(self) -> bool:
        """Still valid: it may be re-issued (most kinds) or recorded as disposed of."""
        return self.superseded_by is None and self.record.disposal is None

    @property
    def _kind(self) -> CertificateType:
        return certificate_type(CertificateKind(self.record.kind))

    @property
    def reissuable(self) -> bool:
        return self.disposable and self._kind.reissuable

    @property
    def why_not(self) -> str:
        if self.record.disposal is not None:
            return f"処分済み（{self.record.disposal.reason}）"
        if self.superseded_by is not None:
            return f"再交付済み（新しい確認コード {self.superseded_by}）"
        if not self._kind.reissuable:
            return "再交付できません（改めて発行）"
        return ""


def issue_rows(records: Sequence[IssueRecord], ref_of: Callable[[str], str]) -> list[IssueRow]:
    """The history's rows, each told whether a later copy in the same list replaced it."""
    newer = {r.reissue_of: r.issue_code for r in records if r.reissue_of}
    return [
        IssueRow(r, newer.get(r.issue_code), tuple((a, ref_of(a)) for a in r.persons))
        for r in records
    ]
