"""The 住民異動届 drawn as an A4 PDF (ReportLab) in IPAmj明朝, for the resident's signature.

The page carries the title and the process, the addressee (the municipality's head), the
dates, the facts of the change as a two-column table, the persons (フリガナ over 氏名, 生年月日,
性別, 続柄, with 本籍・筆頭者 in a row beneath where the change carries them) and, at the foot
of the last page, the 届出人's name, address and telephone as written and a box for their
signature with their relation to the persons. Every text goes through
:meth:`MjFont.drawable`, so rare characters (𠮷, 髙, variant sequences) print and read back as
recorded. A long value wraps within its cell; many persons run on to further
pages, the signature box always on the last one.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from jichitai.adapters.pdf.fonts import MjFont, mj_font, wrap_text
from jichitai.domain.residents.labels import label_of
from jichitai.domain.residents.model import FamilyRegister
from jichitai.services.application_forms import ApplicationForm, FormPerson

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FOOT = 18 * mm
"""Nothing but the footer below this line."""
BODY = 10.5
SMALL = 7.5
LINE = 1.4
PAD = 1.8 * mm
LABEL_WIDTH = 36 * mm
SIGNATURE_HEIGHT = 30 * mm
# The persons' columns: 区分, 氏名 (フリガナ above), 生年月日, 性別, 続柄.
PERSON_COLUMNS = (
    ("区分", 18 * mm),
    ("氏名（フリガナ）", 70 * mm),
    ("生年月日", 40 * mm),
    ("性別", 14 * mm),
    ("続柄", CONTENT_WIDTH - 142 * mm),
)
PERSON_ROW = 13 * mm
REGISTER_ROW = BODY * LINE + 2 * PAD
"""The row of a person's 本籍 and 筆頭者, under the person's own, where the change carries them."""
DOMICILE = label_of(FamilyRegister, "domicile")
FAMILY_HEAD = label_of(FamilyRegister, "head")


class _Sheet:
    """The canvas with a cursor running down the page, and a new page when one is full."""

    def __init__(self, canvas: Canvas, font: MjFont, form: ApplicationForm) -> None:
        self.canvas = canvas
        self.font = font
        self.form = form
        self.page = 1
        self.y = PAGE_HEIGHT - MARGIN

    def text(self, x: float, y: float, text: str, size: float = BODY, *, fit: float = 0) -> None:
        drawn = self.font.drawable(text)
        while fit and size > 6 and pdfmetrics.stringWidth(drawn, self.font.name, size) > fit:
            size -= 0.5
        self.canvas.setFont(self.font.name, size)
        self.canvas.drawString(x, y, drawn)

    def centred(self, y: float, text: str, size: float) -> None:
        drawn = self.font.drawable(text)
        width = pdfmetrics.stringWidth(drawn, self.font.name, size)
        self.canvas.setFont(self.font.name, size)
        self.canvas.drawString((PAGE_WIDTH - width) / 2, y, drawn)

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` fits above the footer."""
        if self.y - height < FOOT:
            self.finish_page()
            self.y = PAGE_HEIGHT - MARGIN
            self.text(MARGIN, self.y - BODY, f"住民異動届（{self.form.process}）　続き", BODY)
            self.y -= BODY * 2.5

    def finish_page(self) -> None:
        self.canvas.setFont(self.font.name, SMALL)
        self.canvas.drawString(
            MARGIN,
            10 * mm,
            self.font.drawable(f"受付番号 {self.form.reference}　印刷日 {self.form.printed_on}"),
        )
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"{self.page}枚目")
        self.canvas.showPage()
        self.page += 1

    def _lines(self, value: str) -> list[str]:
        width = CONTENT_WIDTH - LABEL_WIDTH - 2 * PAD
        return wrap_text(self.font.drawable(value), self.font.name, BODY, width) or [""]

    def item_height(self, value: str) -> float:
        return len(self._lines(value)) * BODY * LINE + 2 * PAD

    def item(self, label: str, value: str) -> None:
        """A label cell and its value, wrapped, in a ruled row."""
        lines = self._lines(value)
        height = self.item_height(value)
        self.room(height)
        top = self.y
        self.canvas.setLineWidth(0.5)
        self.canvas.rect(MARGIN, top - height, CONTENT_WIDTH, height)
        self.canvas.line(MARGIN + LABEL_WIDTH, top, MARGIN + LABEL_WIDTH, top - height)
        baseline = top - PAD - BODY
        self.text(MARGIN + PAD, baseline, label, BODY, fit=LABEL_WIDTH - 2 * PAD)
        self.canvas.setFont(self.font.name, BODY)
        for n, line in enumerate(lines):
            self.canvas.drawString(MARGIN + LABEL_WIDTH + PAD, baseline - n * BODY * LINE, line)
        self.y = top - height

    def person_header(self) -> None:
        height = BODY * LINE + 2 * PAD
        self.room(height + PERSON_ROW)
        x = MARGIN
        self.canvas.setLineWidth(0.5)
        for label, width in PERSON_COLUMNS:
            self.canvas.rect(x, self.y - height, width, height)
            self.text(x + PAD, self.y - PAD - BODY, label, BODY, fit=width - 2 * PAD)
            x += width
        self.y -= height

    def person(self, person: FormPerson) -> None:
        registered = bool(person.domicile or person.family_head)
        height = PERSON_ROW + (REGISTER_ROW if registered else 0)
        if self.y - height < FOOT:
            self.room(height)
            self.person_header()
        top = self.y
        cells = (person.role, "", person.birth_date, person.sex, person.relationship)
        x = MARGIN
        for (_, width), value in zip(PERSON_COLUMNS, cells, strict=True):
            self.canvas.rect(x, top - PERSON_ROW, width, PERSON_ROW)
            if value:
                self.text(
                    x + PAD, top - PERSON_ROW / 2 - BODY / 3, value, BODY, fit=width - 2 * PAD
                )
            x += width
        name_x = MARGIN + PERSON_COLUMNS[0][1] + PAD
        name_width = PERSON_COLUMNS[1][1] - 2 * PAD
        if person.name_kana:
            self.text(name_x, top - PAD - SMALL, person.name_kana, SMALL, fit=name_width)
        self.text(name_x, top - PERSON_ROW + PAD + 1.2 * mm, person.name, 13, fit=name_width)
        self.y = top - PERSON_ROW
        if registered:
            self.register(person)

    def register(self, person: FormPerson) -> None:
        """本籍 and 筆頭者 in a ruled row under the person's: 本籍 across 氏名 and 生年月日,
        筆頭者 across 性別 and 続柄, each fitted to its cell."""
        top = self.y
        widths = [width for _, width in PERSON_COLUMNS]
        cells = (
            (DOMICILE, widths[0]),
            (person.domicile, widths[1] + widths[2]),
            (FAMILY_HEAD, widths[3]),
            (person.family_head, widths[4]),
        )
        x = MARGIN
        self.canvas.setLineWidth(0.5)
        for value, width in cells:
            self.canvas.rect(x, top - REGISTER_ROW, width, REGISTER_ROW)
            if value:
                self.text(x + PAD, top - PAD - BODY, value, BODY, fit=width - 2 * PAD)
            x += width
        self.y = top - REGISTER_ROW

    def signature(self) -> None:
        """The declaration, the 届出人's name, address and telephone as written, and the
        signature box with the 届出人's relation to the persons, kept together."""
        self.y -= 5 * mm
        notifier = self.form.notifier
        self.room(
            SIGNATURE_HEIGHT
            + 10 * mm
            + sum(self.item_height(value) for _, value in notifier)
            + (2 * mm if notifier else 0)
        )
        self.text(MARGIN, self.y - BODY, "上記のとおり届け出ます。", BODY)
        self.y -= BODY * 2
        for label, value in notifier:
            self.item(label, value)
        if notifier:
            self.y -= 2 * mm
        top = self.y
        self.canvas.setLineWidth(1)
        self.canvas.rect(MARGIN, top - SIGNATURE_HEIGHT, CONTENT_WIDTH, SIGNATURE_HEIGHT)
        self.text(MARGIN + PAD, top - PAD - BODY, "届出人署名", BODY)
        relation = self.form.notifier_relation
        self.text(
            MARGIN + PAD,
            top - SIGNATURE_HEIGHT + PAD,
            f"届出人と異動者との関係　{relation}"
            if relation
            else "届出人と異動者との関係（本人・世帯主・代理人）",
            BODY if relation else SMALL,
            fit=CONTENT_WIDTH - 2 * PAD,
        )
        self.y = top - SIGNATURE_HEIGHT


def render_application_form(form: ApplicationForm, *, font_path: str = "") -> bytes:
    """The form as PDF bytes (one or more A4 pages); ``font_path``: IPAmj明朝's file (default:
    where Debian installs it)."""
    font = mj_font(font_path)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"住民異動届（{form.process}）")
    canvas.setAuthor(form.municipality_name)
    canvas.setSubject(form.reference)
    sheet = _Sheet(canvas, font, form)
    sheet.y -= 8 * mm
    sheet.centred(sheet.y, "住民異動届", 20)
    sheet.y -= 8 * mm
    sheet.centred(sheet.y, f"（{form.process}）", 13)
    sheet.y -= 9 * mm
    sheet.text(MARGIN, sheet.y, f"（あて先）{form.municipality_name}長", BODY)
    sheet.y -= 4 * mm
    sheet.item("届出日", form.filed_on or "令和　　年　　月　　日")
    sheet.item("異動日", form.effective_on)
    for label, value in form.items:
        sheet.item(label, value)
    sheet.y -= 5 * mm
    sheet.room(BODY * 2)
    sheet.text(MARGIN, sheet.y - BODY, f"届出の対象となる方（{len(form.persons)}人）", BODY)
    sheet.y -= BODY * 1.8
    sheet.person_header()
    for person in form.persons:
        sheet.person(person)
    sheet.signature()
    sheet.y -= 4 * mm
    sheet.room(SMALL * 2)
    sheet.text(
        MARGIN,
        sheet.y - SMALL,
        "窓口で入力した内容を印刷したものです。誤りがないか確かめてから署名してください。",
        SMALL,
    )
    sheet.finish_page()
    canvas.save()
    return out.getvalue()
