"""Notices (通知書) drawn as A4 PDF pages (ReportLab) in IPAmj明朝, as certificates are.

Each sheet starts a page: the date on the right, the addressee (address, then the name with its
honorific) on the left, the sender (the municipality's head) on the right, the title centred, the
text, the items as a ruled two-column table and, where the sheet has one, a ruled table whose
columns share the width by their longest value. Every text goes through :meth:`MjFont.drawable`
so rare characters (𠮷, 髙, variant sequences) print and read back as recorded; a value too long
for its cell wraps, and a sheet too long runs on to further pages. The footer names the change
(its event id) and numbers the pages.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from jichitai.adapters.pdf.fonts import MjFont, mj_font, wrap_text
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.notices.contents import NoticeDocument, NoticeSheet

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FOOT = 18 * mm
BODY = 10.5
SMALL = 7.5
TABLE = 9.0
LINE = 1.4
PAD = 1.8 * mm
LABEL_WIDTH = 40 * mm


class _Page:
    """The canvas with a cursor running down the page, and a new page when one is full."""

    def __init__(self, canvas: Canvas, font: MjFont, document: NoticeDocument) -> None:
        self.canvas = canvas
        self.font = font
        self.document = document
        self.page = 1
        self.title = document.title
        self.y = PAGE_HEIGHT - MARGIN

    def text(self, x: float, y: float, text: str, size: float = BODY) -> None:
        self.canvas.setFont(self.font.name, size)
        self.canvas.drawString(x, y, self.font.drawable(text))

    def right(self, y: float, text: str, size: float = BODY) -> None:
        self.canvas.setFont(self.font.name, size)
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, y, self.font.drawable(text))

    def centred(self, y: float, text: str, size: float) -> None:
        drawn = self.font.drawable(text)
        width = pdfmetrics.stringWidth(drawn, self.font.name, size)
        self.canvas.setFont(self.font.name, size)
        self.canvas.drawString((PAGE_WIDTH - width) / 2, y, drawn)

    def lines(self, text: str, size: float, width: float) -> list[str]:
        return wrap_text(self.font.drawable(text), self.font.name, size, width) or [""]

    def room(self, height: float) -> None:
        if self.y - height < FOOT:
            self.finish_page()
            self.y = PAGE_HEIGHT - MARGIN
            self.text(MARGIN, self.y - BODY, f"{self.title}　続き", BODY)
            self.y -= BODY * 2.5

    def finish_page(self) -> None:
        self.canvas.setFont(self.font.name, SMALL)
        self.canvas.drawString(
            MARGIN,
            10 * mm,
            self.font.drawable(
                f"{self.document.municipality_name}　参照 {self.document.reference}"
                f"　印刷日 {format_wareki(self.document.printed_on)}"
            ),
        )
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"{self.page}枚目")
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN

    def paragraph(self, text: str) -> None:
        for line in self.lines(text, BODY, CONTENT_WIDTH):
            self.room(BODY * LINE)
            self.canvas.setFont(self.font.name, BODY)
            self.canvas.drawString(MARGIN, self.y - BODY, line)
            self.y -= BODY * LINE

    def item(self, label: str, value: str) -> None:
        lines = self.lines(value, BODY, CONTENT_WIDTH - LABEL_WIDTH - 2 * PAD)
        height = len(lines) * BODY * LINE + 2 * PAD
        self.room(height)
        top = self.y
        self.canvas.setLineWidth(0.5)
        self.canvas.rect(MARGIN, top - height, CONTENT_WIDTH, height)
        self.canvas.line(MARGIN + LABEL_WIDTH, top, MARGIN + LABEL_WIDTH, top - height)
        baseline = top - PAD - BODY
        self.text(MARGIN + PAD, baseline, label)
        self.canvas.setFont(self.font.name, BODY)
        for n, line in enumerate(lines):
            self.canvas.drawString(MARGIN + LABEL_WIDTH + PAD, baseline - n * BODY * LINE, line)
        self.y = top - height

    def table(self, rows: tuple[tuple[str, ...], ...]) -> None:
        """A ruled table; the columns share the width by their longest value (each at least a
        tenth of the width), and the header row is drawn again on each new page."""
        columns = len(rows[0])
        longest = [
            max(
                pdfmetrics.stringWidth(self.font.drawable(r[i]), self.font.name, TABLE)
                for r in rows
            )
            + 2 * PAD
            for i in range(columns)
        ]
        floor = CONTENT_WIDTH / 10
        wanted = [max(w, floor) for w in longest]
        widths = [w * CONTENT_WIDTH / sum(wanted) for w in wanted]
        header, *body = rows
        self.row(header, widths, bold=True)
        for values in body:
            if self.row_height(values, widths) > self.y - FOOT:
                self.room(self.row_height(values, widths) + self.row_height(header, widths))
                self.row(header, widths, bold=True)
            self.row(values, widths)

    def row_height(self, values: tuple[str, ...], widths: list[float]) -> float:
        most = max(
            len(self.lines(v, TABLE, w - 2 * PAD)) for v, w in zip(values, widths, strict=True)
        )
        return most * TABLE * LINE + 2 * PAD

    def row(self, values: tuple[str, ...], widths: list[float], *, bold: bool = False) -> None:
        height = self.row_height(values, widths)
        self.room(height)
        top, x = self.y, MARGIN
        self.canvas.setLineWidth(0.8 if bold else 0.5)
        for value, width in zip(values, widths, strict=True):
            self.canvas.rect(x, top - height, width, height)
            self.canvas.setFont(self.font.name, TABLE)
            for n, line in enumerate(self.lines(value, TABLE, width - 2 * PAD)):
                self.canvas.drawString(x + PAD, top - PAD - TABLE - n * TABLE * LINE, line)
            x += width
        self.y = top - height

    def sheet(self, sheet: NoticeSheet) -> None:
        self.title = sheet.title
        self.right(self.y - BODY, format_wareki(self.document.printed_on))
        self.y -= BODY * 2.5
        if sheet.addressee_address:
            for line in self.lines(sheet.addressee_address, BODY, CONTENT_WIDTH * 0.6):
                self.text(MARGIN, self.y - BODY, line)
                self.y -= BODY * LINE
        if sheet.addressee:
            self.text(MARGIN, self.y - 13, sheet.addressee, 13)
            self.y -= 13 * 2
        self.right(self.y - BODY, f"{self.document.municipality_name}長")
        self.y -= BODY * 3
        self.centred(self.y - 18, sheet.title, 18)
        self.y -= 18 * 2.2
        for paragraph in sheet.body:
            self.paragraph(paragraph)
        self.y -= 4 * mm
        if sheet.items:
            self.centred(self.y - BODY, "記", BODY)
            self.y -= BODY * 2
            for label, value in sheet.items:
                self.item(label, value)
            self.y -= 4 * mm
        if sheet.table:
            self.table(sheet.table)
        self.finish_page()


def render_notice(document: NoticeDocument, *, font_path: str = "") -> bytes:
    """The notice's sheets as PDF bytes, each sheet from a new A4 page; ``font_path``:
    IPAmj明朝's file (default: where Debian installs it)."""
    font = mj_font(font_path)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(document.title)
    canvas.setAuthor(document.municipality_name)
    canvas.setSubject(document.reference)
    page = _Page(canvas, font, document)
    for sheet in document.sheets:
        page.sheet(sheet)
    canvas.save()
    return out.getvalue()
