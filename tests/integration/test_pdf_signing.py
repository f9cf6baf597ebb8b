"""Municipality keys in a key directory, and PAdES signatures anyone can check: a signed
certificate checks as valid; any change, a signature by an untrusted key, or no signature at
all is reported as not valid with the reason."""

from __future__ import annotations

import asyncio
import io
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.pdfgen import canvas

from jichitai.adapters.pdf.fonts import mj_font
from jichitai.adapters.pdf.signing import PdfSigner, check_signature
from jichitai.adapters.security.certificate_keys import KeyStore

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
CODE, NAME = "131016", "千代田区"


def a_pdf(text: str = "住民票の写し 髙橋 𠮷田") -> bytes:
    font = mj_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595, 842))
    pdf.setFont(font.name, 14)
    pdf.drawString(50, 780, font.drawable(text))
    pdf.save()
    return out.getvalue()


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    store = KeyStore(tmp_path / "keys")
    store.ensure_municipality(CODE, NAME, NOW)
    return store


def signed(keys: KeyStore, pdf: bytes | None = None) -> bytes:
    signer = PdfSigner(keys.municipality(CODE), keys.authority)
    return signer.sign(pdf or a_pdf(), reason="住民票の写しの交付", location=NAME)


def test_keys_are_made_once_private_and_name_the_municipality(keys: KeyStore) -> None:
    pair = keys.municipality(CODE)
    assert stat.S_IMODE(pair.key_path.stat().st_mode) == 0o600
    first = pair.certificate_path.read_bytes()
    keys.ensure_municipality(CODE, NAME, NOW)
    assert pair.certificate_path.read_bytes() == first  # kept, not replaced
    subject = pair.certificate().subject.rfc4514_string()
    assert "O=千代田区" in subject and "CN=千代田区長" in subject and "131016" in subject
    assert pair.certificate().issuer == keys.authority.certificate().subject


def test_a_signed_certificate_checks_as_valid_and_names_its_signer(keys: KeyStore) -> None:
    check = check_signature(signed(keys), [keys.authority])
    assert check.valid and check.intact and check.trusted and check.whole_file
    assert "千代田区長" in check.signer and check.problem == ""


def test_a_changed_byte_an_appended_change_or_another_authority_is_not_valid(
    keys: KeyStore, tmp_path: Path
) -> None:
    document = signed(keys)
    marker = document.index(b"/Contents")  # inside the signed range: the page's reference
    tampered = document[:marker] + b"/Contentz" + document[marker + 9 :]
    changed = check_signature(tampered, [keys.authority])
    assert not changed.valid and changed.problem

    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    writer.root["/Lang"] = generic.TextStringObject("ja")  # any update appended after signing
    writer.update_root()
    appended_out = io.BytesIO()
    writer.write(appended_out)
    appended = check_signature(appended_out.getvalue(), [keys.authority])
    assert not appended.valid and not appended.whole_file
    assert appended.problem == "署名の後にファイルへ追記されています"

    stranger = KeyStore(tmp_path / "other")
    stranger.ensure_municipality(CODE, NAME, NOW)
    untrusted = check_signature(document, [stranger.authority])
    assert not untrusted.valid and untrusted.intact and not untrusted.trusted
    assert untrusted.problem == "署名者の証明書が信頼できる認証局から発行されていません"


def test_an_unsigned_file_or_not_a_pdf_is_not_valid_without_an_error(keys: KeyStore) -> None:
    assert check_signature(a_pdf(), [keys.authority]).problem == "電子署名がありません"
    garbage = check_signature(b"not a pdf at all", [keys.authority])
    assert not garbage.valid and garbage.problem.startswith("PDFとして読めません")


def test_signing_and_checking_work_on_a_thread_whose_event_loop_is_running(
    keys: KeyStore,
) -> None:
    """pyHanko's synchronous calls start an event loop of their own; a caller already on a
    running loop (an async route, a browser test's thread) must still get a signed file."""

    async def on_the_loop() -> tuple[bytes, bool]:
        pdf = signed(keys)
        return pdf, check_signature(pdf, [keys.authority]).valid

    # On a thread of its own, as a server's loop runs: this thread may already have a loop
    # running (a browser test's, earlier in the session), where asyncio.run is refused.
    with ThreadPoolExecutor(max_workers=1) as thread:
        pdf, valid = thread.submit(asyncio.run, on_the_loop()).result()
    assert valid
    assert check_signature(pdf, [keys.authority]).valid
