"""Certificates made and read with the key directory: drawing, the QR code, the PAdES signature,
and reading a file back (signature check; QR code read from the rendered last page with
Debian's ``pdftoppm`` and ``zbarimg``).

Besides its key, each municipality's directory holds ``issuer.json`` (``mayor_title``,
``mayor_name``) and ``official_seal.png`` (公印). The operator provisions them; when absent, a
development stand-in is made (title 「<name>長」, no name, a red square seal with the name).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from jichitai.adapters.pdf.certificate_pdf import Issuer, render_certificate
from jichitai.adapters.pdf.fonts import mj_font_path
from jichitai.adapters.pdf.signing import PdfSigner, check_signature
from jichitai.adapters.security.certificate_keys import KeyStore
from jichitai.adapters.security.qr_signatures import payload_is_signed_by, sign_payload
from jichitai.domain.certificates.contents import Sheet
from jichitai.domain.certificates.issue_numbers import IssueNumber, parse_code
from jichitai.domain.certificates.verification import QrPayload
from jichitai.domain.errors import DomainError
from jichitai.services.certificates import FileCheck
from jichitai.services.ports import Clock


def stand_in_seal(name: str) -> bytes:
    """A development 公印: a red square reading 「<municipality>長之印」 in columns from the right
    (the prefecture left off), never a real seal."""
    short = re.sub(r"^.+?[都道府県](?=.)", "", name)
    chars = (short + "長之印")[-9:]
    rows = 3
    columns = -(-len(chars) // rows)
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 289, 289), outline=(200, 30, 30, 255), width=14)
    cell = 260 // max(rows, columns)
    font = ImageFont.truetype(mj_font_path(), int(cell * 0.9))
    for n, char in enumerate(chars):
        column, row = divmod(n, rows)
        x = 280 - (column + 1) * (260 // columns) + (260 // columns - cell) // 2
        draw.text((x, 22 + row * cell), char, font=font, fill=(200, 30, 30, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class KeyDirectoryCertificateMaker:
    def __init__(self, keys: KeyStore, clock: Clock) -> None:
        self._keys = keys
        self._clock = clock

    def _base(self, code: str) -> Path:
        return self._keys.municipality(code).key_path.parent

    def ensure_keys(self, municipality_code: str, name: str) -> None:
        self._keys.ensure_municipality(municipality_code, name, self._clock.now())
        base = self._base(municipality_code)
        issuer = base / "issuer.json"
        if not issuer.exists():
            issuer.write_text(
                json.dumps({"mayor_title": f"{name}長", "mayor_name": ""}, ensure_ascii=False),
                encoding="utf-8",
            )
        seal = base / "official_seal.png"
        if not seal.exists():
            seal.write_bytes(stand_in_seal(name))

    def _issuer(self, code: str, name: str) -> Issuer:
        base = self._base(code)
        data = json.loads((base / "issuer.json").read_text(encoding="utf-8"))
        seal = base / "official_seal.png"
        return Issuer(
            name,
            str(data.get("mayor_title") or f"{name}長"),
            str(data.get("mayor_name") or ""),
            seal.read_bytes() if seal.exists() else None,
        )

    def make(
        self,
        municipality_code: str,
        name: str,
        sheets: Sequence[Sheet],
        number: IssueNumber,
        issued_on: date,
        digest: bytes,
    ) -> bytes:
        pair = self._keys.municipality(municipality_code)
        payload = sign_payload(pair, number.code, digest)
        pdf = render_certificate(
            sheets, self._issuer(municipality_code, name), number, issued_on, payload.text()
        )
        signer = PdfSigner(pair, self._keys.authority)
        return signer.sign(pdf, reason=sheets[0].title + "の交付", location=name)

    def check(self, pdf: bytes) -> FileCheck:
        authority = self._keys.authority
        roots = [authority] if authority.certificate_path.exists() else []
        signature = check_signature(pdf, roots)
        problems = [signature.problem] if signature.problem else []
        payload = _read_qr(pdf)
        if payload is None:
            problems.append("QRコードを読み取れません")
            return FileCheck(signature.valid, signature.signer, None, False, tuple(problems))
        _, code, _ = parse_code(payload.code)
        pair = self._keys.municipality(code)
        signed = pair.certificate_path.exists() and payload_is_signed_by(
            payload, pair.certificate()
        )
        if not signed:
            problems.append("QRコードの署名がこの団体のものではありません")
        return FileCheck(signature.valid, signature.signer, payload, signed, tuple(problems))


def _read_qr(pdf: bytes) -> QrPayload | None:
    """The QR code on the last page, as a phone would read the printed page."""
    with tempfile.TemporaryDirectory(prefix="jichitai-verify-") as tmp:
        source = Path(tmp) / "c.pdf"
        source.write_bytes(pdf)
        pages = subprocess.run(
            ["pdftoppm", "-r", "150", "-png", str(source), str(Path(tmp) / "p")],
            capture_output=True,
            check=False,
            timeout=60,
        )
        images = sorted(Path(tmp).glob("p-*.png"))
        if pages.returncode != 0 or not images:
            return None
        scanned = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(images[-1])],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    for line in scanned.stdout.splitlines():
        try:
            return QrPayload.parse(line)
        except DomainError:
            continue
    return None
