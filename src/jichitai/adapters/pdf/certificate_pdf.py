"""Certificates drawn as A4 PDF pages (ReportLab) in IPAmj明朝.

Each sheet is one page: the title (and a mark such as 「公用」 boxed beside it), the header (address, head of household), the persons'
items as label and value rows, and at the foot the 発行番号 of that page. The last page also
carries the certification text, the date, the mayor's title and name with the official seal
over it, and the QR code for checking the copy. A value too long for its row is wrapped, and a
line too long even so is set smaller (standard §5.8 (1070) 文字溢れ): nothing is cut off.
``overflowing`` tells which values still do not fit (more than ``MAX_ROW_LINES`` lines at the
smallest size) or hold a character the font cannot draw (未登録外字), for the alert and the
文字超過リスト.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from jichitai.adapters.pdf.fonts import MjFont, mj_font, wrap_text
from jichitai.adapters.pdf.qr import draw_qr
from jichitai.domain.certificates.contents import Field, Overflow, OverflowReason, Sheet
from jichitai.domain.certificates.issue_numbers import IssueNumber, grouped
from jichitai.domain.common.dates import format_wareki

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
LABEL_WIDTH = 48 * mm
BODY_SIZE = 10.5
MIN_SIZE = 6.0
LINE_GAP = 1.45
MAX_ROW_LINES = 3
"""A row's value takes at most three lines before it is set smaller."""
QR_SIZE = 26 * mm
SEAL_SIZE = 21 * mm
IMPRESSION_FRAME = 32 * mm
"""The frame around a registered impression: the largest registrable seal (25 mm) and room."""


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who certifies: the municipality, its mayor (or the mayor's deputy), the official seal (公印)
    image, and a line printed under the certifier (a fixed phrase, or 「公印省略」)."""

    municipality_name: str
    mayor_title: str
    mayor_name: str
    official_seal_png: bytes | None = None
    note: str = ""


class _Page:
    def __init__(self, canvas: Canvas, font: MjFont) -> None:
        self.canvas = canvas
        self.font = font
        self.y = PAGE_HEIGHT - MARGIN

    def text(
        self, x: float, text: str, size: float = BODY_SIZE, *, width: float | None = None
    ) -> None:
        drawn = self.font.drawable(text)
        if width is not None:
            while size > MIN_SIZE and pdfmetrics.stringWidth(drawn, self.font.name, size) > width:
                size -= 0.5
        self.canvas.setFont(self.font.name, size)
        self.canvas.drawString(x, self.y, drawn)

    def row(self, label: str, value: str) -> None:
        """A label and its value, the value wrapped within the page, smaller if it must."""
        drawn = self.font.drawable(value)
        size, lines = _fitted(drawn, self.font.name)
        self.text(MARGIN, label, BODY_SIZE, width=LABEL_WIDTH - 2 * mm)
        self.canvas.setFont(self.font.name, size)
        for n, line in enumerate(lines):
            if n:
                self.y -= size * LINE_GAP
            self.canvas.drawString(MARGIN + LABEL_WIDTH, self.y, line)
        self.y -= BODY_SIZE * LINE_GAP

    def rule(self) -> None:
        self.canvas.setLineWidth(0.4)
        self.canvas.line(MARGIN, self.y + BODY_SIZE, PAGE_WIDTH - MARGIN, self.y + BODY_SIZE)
        self.y -= 2 * mm


VALUE_WIDTH = PAGE_WIDTH - 2 * MARGIN - LABEL_WIDTH


def _fitted(drawn: str, font: str) -> tuple[float, list[str]]:
    """The size a value is set in and its lines: smaller until it takes at most three lines,
    down to the smallest size (then it takes more: it overflows)."""
    size = BODY_SIZE
    lines = wrap_text(drawn, font, size, VALUE_WIDTH)
    while len(lines) > MAX_ROW_LINES and size > MIN_SIZE:
        size -= 0.5
        lines = wrap_text(drawn, font, size, VALUE_WIDTH)
    return size, lines


def overflowing(sheets: Sequence[Sheet], *, font_path: str = "") -> list[Overflow]:
    """Every value of the sheets that does not fit its row even at the smallest size
    (文字溢れ), or holds a character the font has no glyph for (外字), with its sheet's number.
    ``font_path``: IPAmj明朝's file (default: where Debian installs it)."""
    font = mj_font(font_path)
    found: list[Overflow] = []
    for number, sheet in enumerate(sheets, 1):
        rows = [*sheet.header, *(f for p in sheet.persons for f in p.fields)]
        rows += [Field("履歴", h) for p in sheet.persons for h in p.history]
        for row in rows:
            if not font.covers(row.value):
                found.append(Overflow(number, row.label, row.value, OverflowReason.GAIJI))
            elif len(_fitted(font.drawable(row.value), font.name)[1]) > MAX_ROW_LINES:
                found.append(Overflow(number, row.label, row.value, OverflowReason.TOO_LONG))
    return found


def render_certificate(
    sheets: Sequence[Sheet],
    issuer: Issuer,
    number: IssueNumber,
    issued_on: date,
    qr_text: str,
    impressions: Mapping[str, bytes] | None = None,
    *,
    font_path: str = "",
) -> bytes:
    """The certificate as PDF bytes (unsigned): one page a sheet. ``impressions``: the seal
    images (PNG with dpi) of the sheets' impressions, by registration number; ``font_path``:
    IPAmj明朝's file (default: where Debian installs it)."""
    font = mj_font(font_path)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(sheets[0].title)
    canvas.setAuthor(issuer.municipality_name)
    canvas.setSubject(number.code)
    pages = len(sheets)
    for page_number, sheet in enumerate(sheets, 1):
        page = _Page(canvas, font)
        page.y -= 8 * mm
        title_width = pdfmetrics.stringWidth(font.drawable(sheet.title), font.name, 18)
        page.text((PAGE_WIDTH - title_width) / 2, sheet.title, 18)
        if sheet.mark:
            _mark(page, sheet.mark)
        page.y -= 14 * mm
        if sheet.impression is not None:
            png = (impressions or {}).get(sheet.impression.registration_number)
            if png is None:
                raise ValueError(f"no image for seal {sheet.impression.registration_number}")
            _impression(page, png)
        for field in sheet.header:
            page.row(field.label, field.value)
        for person in sheet.persons:
            page.rule()
            for field in person.fields:
                page.row(field.label, field.value)
            for entry in person.history:
                page.row("履歴", entry)
        if sheet.certification:
            _certify(page, sheet.certification, issuer, issued_on, qr_text)
        canvas.setFont(font.name, 8)
        canvas.drawString(
            MARGIN, 10 * mm, font.drawable(f"発行番号　{number.display(page_number, pages)}")
        )
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"確認コード {grouped(number.code)}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _mark(page: _Page, mark: str) -> None:
    """A marking such as 「公用」, boxed at the top right, level with the title."""
    size = 14
    width = pdfmetrics.stringWidth(page.font.drawable(mark), page.font.name, size)
    right = PAGE_WIDTH - MARGIN
    page.canvas.setLineWidth(1)
    page.canvas.rect(right - width - 4 * mm, page.y - 2 * mm, width + 4 * mm, size + 3 * mm)
    page.text(right - width - 2 * mm, mark, size)


def _impression(page: _Page, png: bytes) -> None:
    """The registered impression in a frame, at its real size (pixels over the image's dpi)."""
    with Image.open(io.BytesIO(png)) as image:
        dpi_x, dpi_y = image.info.get("dpi", (300, 300))
        width = image.width / float(dpi_x) * 25.4 * mm
        height = image.height / float(dpi_y) * 25.4 * mm
    top = page.y + BODY_SIZE
    page.text(MARGIN, "印影")
    left = MARGIN + LABEL_WIDTH
    page.canvas.setLineWidth(0.6)
    page.canvas.rect(left, top - IMPRESSION_FRAME, IMPRESSION_FRAME, IMPRESSION_FRAME)
    page.canvas.drawImage(
        ImageReader(io.BytesIO(png)),
        left + (IMPRESSION_FRAME - width) / 2,
        top - IMPRESSION_FRAME + (IMPRESSION_FRAME - height) / 2,
        width,
        height,
        mask="auto",
    )
    page.y = top - IMPRESSION_FRAME - 8 * mm


def _certify(page: _Page, text: str, issuer: Issuer, issued_on: date, qr_text: str) -> None:
    font = page.font
    bottom = 16 * mm
    page.y = max(min(page.y - 6 * mm, bottom + QR_SIZE + 40 * mm), bottom + QR_SIZE + 8 * mm)
    page.text(MARGIN, text)
    page.y -= 9 * mm
    page.text(MARGIN + 10 * mm, format_wareki(issued_on))
    page.y -= 11 * mm
    signature = f"{issuer.mayor_title}　{issuer.mayor_name}"
    right = PAGE_WIDTH - MARGIN - QR_SIZE - 12 * mm
    size = 13.0  # smaller for a long title (a deputy's names two offices)
    while size > 8 and pdfmetrics.stringWidth(font.drawable(signature), font.name, size) > (
        right - MARGIN - 10 * mm
    ):
        size -= 0.5
    width = pdfmetrics.stringWidth(font.drawable(signature), font.name, size)
    page.text(right - width, signature, size)
    if issuer.official_seal_png:
        seal = ImageReader(io.BytesIO(issuer.official_seal_png))
        page.canvas.drawImage(
            seal,
            right - SEAL_SIZE / 2 + 2 * mm,  # over the name's last character, as stamped
            page.y - SEAL_SIZE / 2 + 2 * mm,
            SEAL_SIZE,
            SEAL_SIZE,
            mask="auto",
        )
    if issuer.note:
        page.y -= 7 * mm
        note_width = pdfmetrics.stringWidth(font.drawable(issuer.note), font.name, 9)
        page.text(right - note_width, issuer.note, 9)
    draw_qr(page.canvas, qr_text, PAGE_WIDTH - MARGIN - QR_SIZE, bottom, QR_SIZE)
