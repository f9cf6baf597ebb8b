"""Certificates drawn as A4 PDF pages (ReportLab) in IPAmj明朝, laid out as the standard's forms
(帳票).

Each sheet is one A4 portrait page inside an outer ruled frame:

- the header block: the title (and a mark such as 「公用」 boxed beside it), then a ruled row with
  the 発行番号 as §5.5 (1040) displays it — its last part is the page and the number of pages
  (``1/2``) — and the 確認コード;
- the household items (住所, 世帯主; for an 印鑑登録証明書 the impression) once, in a ruled block;
- each person in a ruled block of their own (世帯連記式: up to four on a sheet; 個人票: one):
  label cells on the left, values on the right; short items (dates, 性別, 続柄, numbers) two to a
  row, the others (氏名, addresses, 本籍, history) a full row;
- a ruled 備考 area taking the room left, the sheet's remarks (``Sheet.remarks``) on its lines;
- on the last page only, a ruled block with the certification text (認証文), the date, the
  certifier's title and name with the official seal over it, and the QR code.

A value too long for its row is wrapped, and a line too long even so is set smaller (standard
§5.8 (1070) 文字溢れ): nothing is cut off. Should the blocks not fit the page, every row is set
smaller together (down to ``MIN_BODY_SIZE``). ``overflowing`` tells which values still do not fit
(more than ``MAX_ROW_LINES`` lines at the smallest size) or hold a character the font cannot draw
(未登録外字), for the alert and the 文字超過リスト.
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
from jichitai.domain.certificates.contents import (
    REMARKS_LABEL,
    Field,
    Overflow,
    OverflowReason,
    PersonBlock,
    Sheet,
)
from jichitai.domain.certificates.issue_numbers import IssueNumber, grouped
from jichitai.domain.common.dates import format_wareki

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
"""Left and right of the outer frame."""
FRAME_TOP = PAGE_HEIGHT - 14 * mm
FRAME_BOTTOM = 14 * mm
FRAME_LEFT = MARGIN
FRAME_RIGHT = PAGE_WIDTH - MARGIN
INSET = 3 * mm
"""Between the outer frame and the blocks inside it."""
CONTENT_LEFT = FRAME_LEFT + INSET
CONTENT_WIDTH = FRAME_RIGHT - FRAME_LEFT - 2 * INSET
LABEL_WIDTH = 32 * mm
"""A label cell, on the left of its value."""
PAD = 1.6 * mm
"""Inside a cell, left and right of its text."""
PAD_V = 1.0 * mm
"""Inside a cell, above and below its text."""
VALUE_WIDTH = CONTENT_WIDTH - LABEL_WIDTH - 2 * PAD
"""Room for a value in a full row."""
HALF_WIDTH = CONTENT_WIDTH / 2
HALF_VALUE_WIDTH = HALF_WIDTH - LABEL_WIDTH - 2 * PAD
BODY_SIZE = 10.0
MIN_BODY_SIZE = 7.0
"""The smallest size the rows are set in together when the blocks would not fit the page."""
LABEL_SIZE = 9.0
MIN_SIZE = 6.0
LINE_GAP = 1.3
MAX_ROW_LINES = 3
"""A row's value takes at most three lines before it is set smaller."""
BLOCK_GAP = 2.5 * mm
HEADER_HEIGHT = 26 * mm
"""The title and the 発行番号's row."""
NUMBER_ROW = 7 * mm
REMARKS_MIN_HEIGHT = 14 * mm
REMARKS_LINE = 7 * mm
CERTIFICATION_HEIGHT = 52 * mm
QR_SIZE = 26 * mm
SEAL_SIZE = 21 * mm
IMPRESSION_FRAME = 32 * mm
"""The frame around a registered impression: the largest registrable seal (25 mm) and room."""
RULE = 0.5
FRAME_RULE = 1.2
LABEL_SHADE = 0.93

HALF_ITEMS = frozenset(
    {
        "生年月日",
        "性別",
        "男女の別",
        "続柄",
        "住民となった年月日",
        "住所を定めた年月日",
        "届出日",
        "住民票コード",
        "個人番号",
        "転出予定年月日",
        "転出の予定年月日",
        "転出届出年月日",
        "在留資格",
        "在留期間等",
        "在留期間等の満了の日",
        "在留カード等番号",
    }
)
"""Items short enough to share a row with another (when their value takes one line)."""


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who certifies: the municipality, its mayor (or the mayor's deputy), the official seal (公印)
    image, and a line printed under the certifier (a fixed phrase, or 「公印省略」)."""

    municipality_name: str
    mayor_title: str
    mayor_name: str
    official_seal_png: bytes | None = None
    note: str = ""


def _fitted(
    drawn: str, font: str, width: float = VALUE_WIDTH, size: float = BODY_SIZE
) -> tuple[float, list[str]]:
    """The size a value is set in and its lines: smaller until it takes at most three lines,
    down to the smallest size (then it takes more: it overflows)."""
    lines = wrap_text(drawn, font, size, width)
    while len(lines) > MAX_ROW_LINES and size > MIN_SIZE:
        size -= 0.5
        lines = wrap_text(drawn, font, size, width)
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


@dataclass(frozen=True, slots=True)
class _Row:
    """One ruled row of a block: one field across, two side by side, or the impression."""

    cells: tuple[Field | None, ...]
    """One field (a full row) or two (halves; None for an empty half)."""
    impression: bytes | None = None


def _rows(fields: Sequence[Field], font: MjFont, size: float) -> list[_Row]:
    """Fields in rows: short ones two to a row, in their order."""
    rows: list[_Row] = []
    pending: Field | None = None
    for field in fields:
        short = field.label in HALF_ITEMS and (
            pdfmetrics.stringWidth(font.drawable(field.value), font.name, size) <= HALF_VALUE_WIDTH
        )
        if short:
            if pending is None:
                pending = field
            else:
                rows.append(_Row((pending, field)))
                pending = None
            continue
        if pending is not None:
            rows.append(_Row((pending, None)))
            pending = None
        rows.append(_Row((field,)))
    if pending is not None:
        rows.append(_Row((pending, None)))
    return rows


def _person_rows(person: PersonBlock, font: MjFont, size: float) -> list[_Row]:
    fields = [*person.fields, *(Field("履歴", h) for h in person.history)]
    return _rows(fields, font, size)


class _Page:
    def __init__(self, canvas: Canvas, font: MjFont, size: float) -> None:
        self.canvas = canvas
        self.font = font
        self.size = size
        """The rows' body size on this page."""

    def width(self, text: str, size: float) -> float:
        return pdfmetrics.stringWidth(self.font.drawable(text), self.font.name, size)

    def text(
        self, x: float, y: float, text: str, size: float, *, width: float | None = None
    ) -> None:
        drawn = self.font.drawable(text)
        if width is not None:
            while size > MIN_SIZE and pdfmetrics.stringWidth(drawn, self.font.name, size) > width:
                size -= 0.5
        self.canvas.setFont(self.font.name, size)
        self.canvas.drawString(x, y, drawn)

    def _value_lines(self, value: str, width: float) -> tuple[float, list[str]]:
        return _fitted(self.font.drawable(value), self.font.name, width, self.size)

    def row_height(self, row: _Row) -> float:
        if row.impression is not None:
            return IMPRESSION_FRAME + 2 * PAD_V
        one = self.size * LINE_GAP
        height = one
        for cell in row.cells:
            if cell is None:
                continue
            width = VALUE_WIDTH if len(row.cells) == 1 else HALF_VALUE_WIDTH
            size, lines = self._value_lines(cell.value, width)
            height = max(height, len(lines) * size * LINE_GAP)
        return height + 2 * PAD_V

    def block_height(self, rows: Sequence[_Row]) -> float:
        return sum(self.row_height(r) for r in rows)

    def block(self, top: float, rows: Sequence[_Row]) -> float:
        """A ruled block of rows from ``top``; where it ends."""
        canvas = self.canvas
        y = top
        for row in rows:
            height = self.row_height(row)
            cell_width = CONTENT_WIDTH / len(row.cells)
            for n, cell in enumerate(row.cells):
                left = CONTENT_LEFT + n * cell_width
                if cell is not None:  # an empty half stays blank
                    canvas.setFillGray(LABEL_SHADE)
                    canvas.rect(left, y - height, LABEL_WIDTH, height, stroke=0, fill=1)
                    canvas.setFillGray(0)
                    self._label(left, y, height, cell.label)
                    if row.impression is not None:
                        self._impression(left + LABEL_WIDTH + PAD, y - PAD_V, row.impression)
                    else:
                        self._value(left + LABEL_WIDTH + PAD, y, height, cell.value, cell_width)
                canvas.setLineWidth(RULE)
                if cell is not None:
                    canvas.line(left + LABEL_WIDTH, y, left + LABEL_WIDTH, y - height)
                if n:
                    canvas.line(left, y, left, y - height)
            y -= height
            if row is not rows[-1]:
                canvas.setLineWidth(RULE)
                canvas.line(CONTENT_LEFT, y, CONTENT_LEFT + CONTENT_WIDTH, y)
        canvas.setLineWidth(RULE * 1.6)
        canvas.rect(CONTENT_LEFT, y, CONTENT_WIDTH, top - y)
        return y

    def baseline(self, band_top: float, band: float, size: float) -> float:
        """The baseline that centres a line of ``size`` in a band of height ``band``."""
        return band_top - (band - size) / 2 - size * 0.88

    def _label(self, left: float, top: float, height: float, label: str) -> None:
        size = LABEL_SIZE
        room = LABEL_WIDTH - 2 * PAD
        while size > MIN_SIZE and self.width(label, size) > room:
            size -= 0.5
        band = self.size * LINE_GAP
        if height - 2 * PAD_V <= band * 1.5:  # one line: centred in the row
            baseline = self.baseline(top, height, size)
        else:  # beside the value's first line
            baseline = self.baseline(top - PAD_V, band, size)
        self.text(left + PAD, baseline, label, size)

    def _value(self, x: float, top: float, height: float, value: str, cell: float) -> None:
        width = VALUE_WIDTH if cell == CONTENT_WIDTH else HALF_VALUE_WIDTH
        size, lines = self._value_lines(value, width)
        band = size * LINE_GAP
        first = top - (height - len(lines) * band) / 2
        self.canvas.setFont(self.font.name, size)
        for n, line in enumerate(lines):
            self.canvas.drawString(x, self.baseline(first - n * band, band, size), line)

    def _impression(self, left: float, top: float, png: bytes) -> None:
        """The registered impression in a frame, at its real size (pixels over the image's
        dpi)."""
        with Image.open(io.BytesIO(png)) as image:
            dpi_x, dpi_y = image.info.get("dpi", (300, 300))
            width = image.width / float(dpi_x) * 25.4 * mm
            height = image.height / float(dpi_y) * 25.4 * mm
        self.canvas.setLineWidth(0.6)
        self.canvas.rect(left, top - IMPRESSION_FRAME, IMPRESSION_FRAME, IMPRESSION_FRAME)
        self.canvas.drawImage(
            ImageReader(io.BytesIO(png)),
            left + (IMPRESSION_FRAME - width) / 2,
            top - IMPRESSION_FRAME + (IMPRESSION_FRAME - height) / 2,
            width,
            height,
            mask="auto",
        )


def render_certificate(
    sheets: Sequence[Sheet],
    issuer: Issuer,
    number: IssueNumber,
    issued_on: date,
    qr_text: str,
    impressions: Mapping[str, bytes] | None = None,
    *,
    copies: int = 1,
    font_path: str = "",
) -> bytes:
    """The certificate as PDF bytes (unsigned): one page a sheet, the sheets ``copies`` times
    over (通数). ``impressions``: the seal images (PNG with dpi) of the sheets' impressions, by
    registration number; ``font_path``: IPAmj明朝's file (default: where Debian installs it).

    The copies of one request are one issue (one 確認コード, one QR code): each is the whole
    certificate with its own 発行番号 (§5.5: a different one a copy; ``IssueNumber.display``),
    its pages marked beside it 「2通のうち1通目」 (neither is part of the certified text, so
    every copy verifies as the same issue)."""
    if copies < 1:
        raise ValueError(f"copies {copies}")
    font = mj_font(font_path)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(sheets[0].title)
    canvas.setAuthor(issuer.municipality_name)
    canvas.setSubject(number.code)
    pages = len(sheets)
    for copy in range(1, copies + 1):
        for page_number, sheet in enumerate(sheets, 1):
            png = None
            if sheet.impression is not None:
                png = (impressions or {}).get(sheet.impression.registration_number)
                if png is None:
                    raise ValueError(f"no image for seal {sheet.impression.registration_number}")
            display = number.display(page_number, pages, copy)
            if copies > 1:
                display += f"　（{copy_mark(copy, copies)}）"
            _draw_sheet(canvas, font, sheet, png, display, number.code)
            if sheet.certification:
                _certify(
                    _Page(canvas, font, BODY_SIZE), sheet.certification, issuer, issued_on, qr_text
                )
            canvas.showPage()
    canvas.save()
    return out.getvalue()


def copy_mark(copy: int, copies: int) -> str:
    """Which of a request's copies a page belongs to, as printed beside its 発行番号."""
    return f"{copies}通のうち{copy}通目"


def _draw_sheet(
    canvas: Canvas, font: MjFont, sheet: Sheet, impression: bytes | None, display: str, code: str
) -> None:
    body_top = FRAME_TOP - HEADER_HEIGHT - BLOCK_GAP
    body_bottom = FRAME_BOTTOM + CERTIFICATION_HEIGHT if sheet.certification else FRAME_BOTTOM
    body_bottom += BLOCK_GAP
    size = BODY_SIZE
    while True:
        page = _Page(canvas, font, size)
        blocks = _blocks(sheet, impression, font, size)
        remarks = _remark_lines(sheet.remarks, font, size)
        room = max(REMARKS_MIN_HEIGHT, (len(remarks) + 0.5) * REMARKS_LINE)
        needed = sum(page.block_height(b) + BLOCK_GAP for b in blocks) + room
        if needed <= body_top - body_bottom or size <= MIN_BODY_SIZE:
            break
        size -= 0.5
    canvas.setLineWidth(FRAME_RULE)
    canvas.rect(FRAME_LEFT, FRAME_BOTTOM, FRAME_RIGHT - FRAME_LEFT, FRAME_TOP - FRAME_BOTTOM)
    _header(page, sheet, display, code)
    y = body_top
    for block in blocks:
        y = page.block(y, block) - BLOCK_GAP
    _remarks(page, y, body_bottom if y - body_bottom >= 5 * mm else y - 5 * mm, remarks)
    if sheet.certification:
        canvas.setLineWidth(RULE * 1.6)
        top = FRAME_BOTTOM + CERTIFICATION_HEIGHT
        canvas.line(FRAME_LEFT, top, FRAME_RIGHT, top)


def _blocks(sheet: Sheet, impression: bytes | None, font: MjFont, size: float) -> list[list[_Row]]:
    """The household block (the header items, and the impression) and one block a person."""
    household = _rows(sheet.header, font, size)
    if impression is not None:
        household.insert(0, _Row((Field("印影", ""),), impression))
    blocks = [household] if household else []
    blocks += [_person_rows(p, font, size) for p in sheet.persons]
    return [b for b in blocks if b]


def _header(page: _Page, sheet: Sheet, display: str, code: str) -> None:
    """The title (and a mark boxed beside it), then a ruled row: 発行番号 (its last part the page
    and the number of pages) and 確認コード."""
    canvas = page.canvas
    title_size = 18
    baseline = FRAME_TOP - 12 * mm
    width = page.width(sheet.title, title_size)
    page.text((PAGE_WIDTH - width) / 2, baseline, sheet.title, title_size)
    if sheet.mark:
        _mark(page, baseline, sheet.mark)
    row_top = FRAME_TOP - HEADER_HEIGHT + NUMBER_ROW
    canvas.setLineWidth(RULE)
    canvas.line(FRAME_LEFT, row_top, FRAME_RIGHT, row_top)
    canvas.setLineWidth(RULE * 1.6)
    canvas.line(FRAME_LEFT, FRAME_TOP - HEADER_HEIGHT, FRAME_RIGHT, FRAME_TOP - HEADER_HEIGHT)
    text_y = page.baseline(row_top, NUMBER_ROW, 8)
    page.text(CONTENT_LEFT, text_y, f"発行番号　{display}", 8)
    canvas.setFont(page.font.name, 8)
    canvas.drawRightString(FRAME_RIGHT - INSET, text_y, f"確認コード {grouped(code)}")


def _mark(page: _Page, baseline: float, mark: str) -> None:
    """A marking such as 「公用」, boxed at the top right, level with the title."""
    size = 14
    width = page.width(mark, size)
    right = FRAME_RIGHT - INSET
    page.canvas.setLineWidth(1)
    page.canvas.rect(right - width - 4 * mm, baseline - 2 * mm, width + 4 * mm, size + 3 * mm)
    page.text(right - width - 2 * mm, baseline, mark, size)


def _remark_lines(remarks: Sequence[str], font: MjFont, size: float) -> list[str]:
    """The sheet's 備考, wrapped to the area's width."""
    return [
        line for r in remarks for line in wrap_text(font.drawable(r), font.name, size, VALUE_WIDTH)
    ]


def _remarks(page: _Page, top: float, bottom: float, lines: Sequence[str] = ()) -> None:
    """The 備考 area: a ruled box with its label cell, the sheet's remarks written on its lines,
    and the lines left empty."""
    canvas = page.canvas
    canvas.setFillGray(LABEL_SHADE)
    canvas.rect(CONTENT_LEFT, bottom, LABEL_WIDTH, top - bottom, stroke=0, fill=1)
    canvas.setFillGray(0)
    canvas.setLineWidth(RULE * 1.6)
    canvas.rect(CONTENT_LEFT, bottom, CONTENT_WIDTH, top - bottom)
    canvas.setLineWidth(RULE)
    canvas.line(CONTENT_LEFT + LABEL_WIDTH, top, CONTENT_LEFT + LABEL_WIDTH, bottom)
    page.text(
        CONTENT_LEFT + PAD, page.baseline(top, REMARKS_LINE, LABEL_SIZE), REMARKS_LABEL, LABEL_SIZE
    )
    canvas.setFont(page.font.name, page.size)
    for n, line in enumerate(lines):
        band_top = top - n * REMARKS_LINE
        if band_top - REMARKS_LINE < bottom - 0.1:
            break
        baseline = page.baseline(band_top, REMARKS_LINE, page.size)
        canvas.drawString(CONTENT_LEFT + LABEL_WIDTH + PAD, baseline, line)
    canvas.setLineWidth(0.25)
    canvas.setStrokeGray(0.6)
    y = top - REMARKS_LINE
    while y - bottom > REMARKS_LINE / 2:
        canvas.line(CONTENT_LEFT + LABEL_WIDTH + PAD, y, CONTENT_LEFT + CONTENT_WIDTH - PAD, y)
        y -= REMARKS_LINE
    canvas.setStrokeGray(0)


def _certify(page: _Page, text: str, issuer: Issuer, issued_on: date, qr_text: str) -> None:
    """The certification block at the foot of the frame: the text, the date, the certifier's
    title and name with the official seal over its last character, and the QR code."""
    top = FRAME_BOTTOM + CERTIFICATION_HEIGHT
    left = CONTENT_LEFT + 2 * mm
    page.text(left, top - 9 * mm, text, 10.5, width=CONTENT_WIDTH - 4 * mm)
    page.text(left + 10 * mm, top - 18 * mm, format_wareki(issued_on), 10.5)
    signature_y = top - 29 * mm
    signature = f"{issuer.mayor_title}　{issuer.mayor_name}"
    right = FRAME_RIGHT - INSET - QR_SIZE - 15 * mm  # the seal clear of the QR code
    size = 13.0  # smaller for a long title (a deputy's names two offices)
    while size > 8 and page.width(signature, size) > right - left - 10 * mm:
        size -= 0.5
    width = page.width(signature, size)
    page.text(right - width, signature_y, signature, size)
    if issuer.official_seal_png:
        seal = ImageReader(io.BytesIO(issuer.official_seal_png))
        page.canvas.drawImage(
            seal,
            right - SEAL_SIZE / 2 + 2 * mm,  # over the name's last character, as stamped
            signature_y - SEAL_SIZE / 2 + 2 * mm,
            SEAL_SIZE,
            SEAL_SIZE,
            mask="auto",
        )
    if issuer.note:
        note_width = page.width(issuer.note, 9)
        page.text(right - note_width, signature_y - 7 * mm, issuer.note, 9)
    draw_qr(page.canvas, qr_text, FRAME_RIGHT - INSET - QR_SIZE, FRAME_BOTTOM + INSET, QR_SIZE)
