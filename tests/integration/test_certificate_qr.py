"""The QR code printed on a certificate: drawn into the PDF, read back from the rendered page
with zbarimg (Debian's zbar-tools) as a phone would, and its signature checked."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from jichitai.adapters.pdf.qr import draw_qr
from jichitai.adapters.security.certificate_keys import KeyStore
from jichitai.adapters.security.qr_signatures import payload_is_signed_by, sign_payload
from jichitai.domain.certificates.issue_numbers import IssueNumber, new_code
from jichitai.domain.certificates.verification import QrPayload, content_digest

pytestmark = pytest.mark.spec("5.5")

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def scanned(pdf: bytes, tmp_path: Path) -> list[str]:
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(source), str(tmp_path / "page")], check=True
    )
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page-1.png")],
        capture_output=True,
        text=True,
    ).stdout
    return [line for line in found.splitlines() if line]


def test_the_printed_qr_code_scans_back_and_its_signature_is_the_municipalitys(
    tmp_path: Path,
) -> None:
    keys = KeyStore(tmp_path / "keys")
    pair = keys.ensure_municipality("131016", "千代田区", NOW)
    code = new_code("27182818284590452353")
    number = IssueNumber(date(2026, 11, 26), "131016", "千代田区", "本庁1", "", 42, code)
    digest = content_digest(["住民票の写し", "髙橋　一郎", "東京都千代田区霞が関一丁目2番3号"])
    payload = sign_payload(pair, "131016", number.code, digest)
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(595, 842))
    draw_qr(page, payload.text(), 440, 40, 110)
    page.save()

    [text] = scanned(out.getvalue(), tmp_path)
    read = QrPayload.parse(text)
    assert read == payload
    assert payload_is_signed_by(read, pair.certificate())
    other = KeyStore(tmp_path / "other").ensure_municipality("131016", "千代田区", NOW)
    assert not payload_is_signed_by(read, other.certificate())
    forged = QrPayload(
        "131016", read.code, content_digest(["住民票の写し", "別人"]), read.signature
    )
    assert not payload_is_signed_by(forged, pair.certificate())
    elsewhere = QrPayload("131024", read.code, read.digest, read.signature)
    assert not payload_is_signed_by(elsewhere, pair.certificate())  # the municipality is signed
