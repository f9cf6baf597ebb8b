"""Lists (一覧表) drawn as A4 landscape PDF pages in IPAmj明朝, as notices are: the title, the
municipality and the day, then a ruled table whose header is drawn again on each page; the
footer names the list and numbers the pages (``domain/national/cs_lists.py``)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from jichitai.adapters.pdf.fonts import MjFont, mj_font, wrap_text
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.national.cs_lists import ListDocument

WIDTH, HEIGHT = landscape(A4)
MARGIN = 14 * mm
CONTENT = WIDTH - 2 * MARGIN
FOOT = 16 * mm
SIZE = 8.5
LINE = 1.35
PAD = 1.5 * mm


class _Sheet:
    def __init__(self, canvas: Canvas, font: MjFont, document: ListDocument) -> None:
        self.canvas, self.font, self.document = canvas, font, document
        self.page = 1
        self.y = HEIGHT - MARGIN
        columns = len(document.header)
        longest = [
            max(
                pdfmetrics.stringWidth(font.drawable(r[i]), font.name, SIZE)
                for r in (document.header, *document.rows)
            )
            + 2 * PAD
            for i in range(columns)
        ]
        wanted = [min(max(w, CONTENT / 14), CONTENT / 3) for w in longest]
        self.widths = [w * CONTENT / sum(wanted) for w in wanted]

    def heading(self) -> None:
        d = self.document
        self.canvas.setFont(self.font.name, 15)
        title = self.font.drawable(d.title)
        self.canvas.drawString(
            (WIDTH - pdfmetrics.stringWidth(title, self.font.name, 15)) / 2, self.y - 15, title
        )
        self.canvas.setFont(self.font.name, 9)
        self.canvas.drawRightString(
            WIDTH - MARGIN,
            self.y - 15,
            self.font.drawable(f"{d.municipality_name}　{format_wareki(d.printed_on)}"),
        )
        self.y -= 15 * 2.2
        self.row(d.header, bold=True)

    def lines(self, text: str, width: float) -> list[str]:
        return wrap_text(self.font.drawable(text), self.font.name, SIZE, width - 2 * PAD) or [""]

    def height(self, values: tuple[str, ...]) -> float:
        most = max(len(self.lines(v, w)) for v, w in zip(values, self.widths, strict=True))
        return most * SIZE * LINE + 2 * PAD

    def row(self, values: tuple[str, ...], *, bold: bool = False) -> None:
        height = self.height(values)
        top, x = self.y, MARGIN
        self.canvas.setLineWidth(0.8 if bold else 0.4)
        for value, width in zip(values, self.widths, strict=True):
            self.canvas.rect(x, top - height, width, height)
            self.canvas.setFont(self.font.name, SIZE)
            for n, line in enumerate(self.lines(value, width)):
                self.canvas.drawString(x + PAD, top - PAD - SIZE - n * SIZE * LINE, line)
            x += width
        self.y = top - height

    def finish(self) -> None:
        self.canvas.setFont(self.font.name, 7)
        self.canvas.drawString(MARGIN, 8 * mm, self.font.drawable(self.document.reference))
        self.canvas.drawRightString(WIDTH - MARGIN, 8 * mm, f"{self.page}枚目")
        self.canvas.showPage()
        self.page += 1
        self.y = HEIGHT - MARGIN


def render_list(document: ListDocument, *, font_path: str = "") -> bytes:
    """The list as PDF bytes; an empty list prints its header and 「該当なし」."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=landscape(A4), pageCompression=1)
    canvas.setTitle(document.title)
    canvas.setAuthor(document.municipality_name)
    sheet = _Sheet(canvas, mj_font(font_path), document)
    sheet.heading()
    rows = document.rows or (("該当なし", *("" for _ in document.header[1:])),)
    for values in rows:
        if sheet.y - sheet.height(values) < FOOT:
            sheet.finish()
            sheet.heading()
        sheet.row(values)
    sheet.finish()
    canvas.save()
    return out.getvalue()
