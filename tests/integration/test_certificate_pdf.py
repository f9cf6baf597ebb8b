"""A 住民票の写し end to end below the services: the register's records laid out, drawn as A4
PDF with the official seal and the QR code, signed (PAdES), then read back as anyone would:
pdftotext, zbarimg, the signature check."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.units import mm
from sqlalchemy import Engine

from jichitai.adapters.pdf.certificate_maker import seal_png, stand_in_seal
from jichitai.adapters.pdf.certificate_pdf import (
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Issuer,
    overflowing,
    render_certificate,
)
from jichitai.adapters.pdf.fonts import mj_font_path
from jichitai.adapters.pdf.signing import PdfSigner, check_signature
from jichitai.adapters.security.certificate_keys import KeyStore
from jichitai.adapters.security.qr_signatures import payload_is_signed_by, sign_payload
from jichitai.bootstrap import App, bootstrap
from jichitai.domain.certificates.contents import (
    Field,
    OverflowReason,
    PersonBlock,
    ResidentCertificateRequest,
    Sheet,
    blanked,
    certificate_lines,
    resident_sheets,
)
from jichitai.domain.certificates.issue_numbers import IssueNumber, grouped, new_code
from jichitai.domain.certificates.kinds import CertificateKind, ItemChoice
from jichitai.domain.certificates.verification import QrPayload, content_digest
from jichitai.domain.residents.commands import MoveIn
from jichitai.domain.residents.model import ResidentRecord, Sex
from tests.factories import (
    a_foreign_person,
    a_header,
    a_municipality,
    a_person,
    a_previous_address,
    an_address,
)
from tests.fakes import TODAY, FixedClock, SeededRandom

pytestmark = pytest.mark.spec("5.1")

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def official_seal() -> bytes:
    """A square red 公印 (a test stand-in) as PNG."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 231, 231), outline=(200, 30, 30, 255), width=14)
    font = ImageFont.truetype(mj_font_path(), 80)
    for n, (x, y) in enumerate(((40, 30), (130, 30), (40, 125), (130, 125))):
        draw.text((x, y), "試験市印"[n], font=font, fill=(200, 30, 30, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def members(clean_db: Engine) -> list[ResidentRecord]:
    app: App = bootstrap(engine=clean_db, clock=FixedClock(), random=SeededRandom(4))
    code = a_municipality(app, "45", "試験市")
    moved = app.register.record_change(
        code,
        MoveIn(
            header=a_header(),
            members=(
                a_person(),
                a_person(
                    given="花子", kana=("タカハシ", "ハナコ"), relationship="妻", sex=Sex.FEMALE
                ),
                a_person(
                    given="𠮷", kana=("タカハシ", "キチ"), relationship="子", born="平成20年4月1日"
                ),
                a_foreign_person(relationship="同居人"),
                a_person(
                    name="邉", given="太郎", kana=("ワタナベ", "タロウ"), relationship="同居人"
                ),
            ),
            address=an_address(supplement="霞が関ハイツ101号" * 4),
            previous_address=a_previous_address(),
        ),
    )
    return list(app.queries.household(code, moved.households[0]))


def squeezed(text: str) -> str:
    return "".join(text.split())


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.spec("5.4", "5.8")
def test_a_certificate_reads_back_as_printed_scans_and_checks_as_signed(
    members: list[ResidentRecord], tmp_path: Path
) -> None:
    keys = KeyStore(tmp_path / "keys")
    pair = keys.ensure_municipality("452009", "試験市", NOW)
    request = ResidentCertificateRequest(
        CertificateKind.RESIDENCE_CERTIFICATE, items=ItemChoice(head_and_relationship=True)
    )
    sheets = resident_sheets(request, members, TODAY)
    code = new_code("16180339887498948482")
    number = IssueNumber(date(2026, 11, 26), "452009", "試験市", "本庁1", "", 3, code)
    payload = sign_payload(pair, "452009", code, content_digest(certificate_lines(sheets)))
    issuer = Issuer("試験市", "試験市長", "山田　太郎", official_seal())
    unsigned = render_certificate(sheets, issuer, number, TODAY, payload.text())
    signed = PdfSigner(pair, keys.authority).sign(
        unsigned, reason="住民票の写しの交付", location="試験市"
    )
    pdf = tmp_path / "juminhyo.pdf"
    pdf.write_bytes(signed)

    text = squeezed(run("pdftotext", "-raw", str(pdf), "-"))  # spacing is the layout's
    for expected in (
        "住民票の写し",
        "氏名髙橋𠮷",
        "氏名邉太郎",
        "世帯主髙橋一郎",
        "この写しは、住民票の原本と相違ないことを証明する。",
        "試験市長山田太郎",
        "発行番号20261126試験市本庁10031/2",
        "発行番号20261126試験市本庁10032/2",
        f"確認コード{grouped(code)}",  # in groups of four, to type from paper
        "霞が関ハイツ101号" * 4,  # a long 方書 wrapped, not cut off
    ):
        assert squeezed(expected) in text, expected

    run("pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page"))
    scanned = run("zbarimg", "--quiet", "--raw", str(tmp_path / "page-2.png")).split()
    read = QrPayload.parse(" ".join(scanned))
    assert read == payload and payload_is_signed_by(read, pair.certificate())
    assert read.digest == content_digest(certificate_lines(sheets))

    check = check_signature(signed, [keys.authority])
    assert check.valid and "試験市長" in check.signer
    pages = run("pdfinfo", str(pdf))
    assert "Pages: 2" in " ".join(pages.split()) and "(A4)" in pages


@pytest.mark.spec("5.6")
def test_a_seal_is_kept_in_black_ink_with_the_paper_dropped_out() -> None:
    """§5.6: the electronic 公印 is black. A red impression scanned on white keeps its shape."""
    scan = Image.new("RGB", (100, 100), (255, 255, 255))
    ImageDraw.Draw(scan).rectangle((10, 10, 89, 89), outline=(200, 30, 30), width=8)
    out = io.BytesIO()
    scan.save(out, format="JPEG", quality=95)
    with Image.open(io.BytesIO(seal_png(out.getvalue()))) as kept:
        assert kept.format == "PNG" and kept.mode == "RGBA" and kept.size == (100, 100)
        ink = kept.getpixel((13, 50))
        paper = kept.getpixel((50, 50))
    assert isinstance(ink, tuple) and isinstance(paper, tuple)
    assert ink[:3] == (0, 0, 0) and ink[3] > 200  # the red ring, now black
    assert paper[3] < 10  # the white paper, now transparent
    with Image.open(io.BytesIO(stand_in_seal("東京都千代田区"))) as stand_in:
        colours = {c for _, c in stand_in.getcolors(maxcolors=100_000) or [] if c[3] > 0}
    assert colours and all(c[:3] == (0, 0, 0) for c in colours)


@pytest.mark.spec("5.8")
def test_values_that_cannot_be_printed_whole_are_told_and_may_be_left_blank() -> None:
    long_address = "東京都千代田区霞が関一丁目" + "長い方書" * 120
    sheet = Sheet(
        "住民票の写し",
        (Field("住所", long_address),),
        (
            PersonBlock("0000000019", (Field("氏名", "\U00030000田　太郎"), Field("性別", "男"))),
            PersonBlock("0000000027", (Field("氏名", "髙橋　𠮷"),), ("令和8年1月1日　転入",)),
        ),
        "この写しは、住民票の原本と相違ないことを証明する。",
    )
    found = overflowing([sheet])
    assert [(o.sheet, o.label, o.reason) for o in found] == [
        (1, "住所", OverflowReason.TOO_LONG),
        (1, "氏名", OverflowReason.GAIJI),
    ]
    assert overflowing([replace(sheet, header=(Field("住所", "東京都千代田区"),))]) == found[1:]
    (blank,) = blanked([sheet], found)
    assert blank.header == (Field("住所", ""),)
    assert blank.persons[0].fields == (Field("氏名", ""), Field("性別", "男"))
    assert blank.persons[1] == sheet.persons[1]  # 髙 and 𠮷 are in the font
    assert overflowing([blank]) == []


def page_contents(pdf: bytes) -> list[str]:
    """Each page's content stream, decoded (the drawing operators)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    pages = []
    for page in reader.root["/Pages"]["/Kids"]:
        contents = page.get_object()["/Contents"]
        streams = contents if isinstance(contents, list) else [contents]
        pages.append(b"".join(s.get_object().data for s in streams).decode("latin-1"))
    return pages


def word_boxes(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words as pdftotext -bbox reads them: text, xMin, yMin, xMax, yMax (points,
    from the top left)."""
    html = run("pdftotext", "-bbox", str(pdf), "-")
    pages = []
    for page in html.split("<page ")[1:]:
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            page,
        )
        pages.append([(w[4], float(w[0]), float(w[1]), float(w[2]), float(w[3])) for w in words])
    return pages


@pytest.mark.spec("5.1", "5.5")
def test_a_household_copy_is_drawn_as_the_standards_form(
    members: list[ResidentRecord], tmp_path: Path
) -> None:
    """世帯連記式 as the standard's 帳票: an outer frame, the header with 発行番号 (page/total)
    on every page, the household's items once, each member in a ruled block of their own (four
    to a sheet, in order, within the frame), a 備考 area, the certification on the last page."""
    request = ResidentCertificateRequest(
        CertificateKind.RESIDENCE_CERTIFICATE, items=ItemChoice(head_and_relationship=True)
    )
    sheets = resident_sheets(request, members, TODAY)
    code = new_code("16180339887498948482")
    number = IssueNumber(date(2026, 11, 26), "452009", "試験市", "本庁1", "", 3, code)
    issuer = Issuer("試験市", "試験市長", "山田　太郎", official_seal())
    pdf_bytes = render_certificate(sheets, issuer, number, TODAY, "JICHITAI2 test")
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(pdf_bytes)

    contents = page_contents(pdf_bytes)
    assert len(contents) == 2
    for content in contents:
        ops = content.split()
        # ruled: the frame and every block are rectangles, the cells' rules lines
        assert ops.count("re") >= 10 and ops.count("l") >= 20

    top, bottom = PAGE_HEIGHT - 14 * mm, 14 * mm  # the frame, in pdftotext's points from the top
    for page_number, words in enumerate(word_boxes(pdf), 1):
        text = "".join(w[0] for w in words)
        assert f"{page_number}/2" in text and "発行番号" in text  # page x/y on every page
        assert "備考" in text
        assert squeezed("東京都千代田区") in text  # the household's items, on every sheet
        assert text.count("住所を定めた年月日") == (4 if page_number == 1 else 1)
        for word, x0, y0, x1, y1 in words:
            assert x0 >= MARGIN and x1 <= PAGE_WIDTH - MARGIN, word
            assert PAGE_HEIGHT - top <= y0 and y1 <= PAGE_HEIGHT - bottom, word
        names = [y0 for word, _, y0, _, _ in words if word == "氏名"]
        assert len(names) == (4 if page_number == 1 else 1)
        assert names == sorted(names)  # the members in their order, top to bottom
        remarks = next(y0 for word, _, y0, _, _ in words if word == "備考")
        assert all(y < remarks for y in names)
        if page_number == 2:
            certified = next(y0 for word, _, y0, _, _ in words if word.startswith("この写しは"))
            assert remarks < certified

    # each member's 氏名 opens a ruled block of their own: a rule between two members' names
    first = contents[0]
    blocks = re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (-?[\d.]+) re S", first)
    assert len(blocks) >= 7  # the frame, the household, four members, 備考
    name_tops = sorted(
        (PAGE_HEIGHT - y0 for word, _, y0, _, _ in word_boxes(pdf)[0] if word == "氏名"),
        reverse=True,
    )
    for upper, lower in itertools.pairwise(name_tops):
        assert any(
            lower < float(y) + float(h) < upper or lower < float(y) < upper for _, y, _, h in blocks
        )
