"""Certificates made and read with the key directory: drawing, the QR code, the PAdES signature,
and reading a file back (signature check; QR code read from the rendered last page with
Debian's ``pdftoppm`` and ``zbarimg``).

Besides its key, each municipality's directory holds ``issuer.json`` (``mayor_title``,
``mayor_name``, ``deputy``: the 職務代理者 and the period, ``fixed_phrase``),
``official_seal.png`` (公印) and, if the deputy has a seal of their own, ``deputy_seal.png``. An
administrator sets them through the service (``set_issuer``, ``set_official_seal``,
``set_deputy_seal``: a seal must be a PNG or JPEG image of at most 2 MB and 2000×2000 pixels, and
is kept as PNG in black, as the standard's 電子公印 is (§5.6)), or the operator puts the files
there; when absent, a development stand-in is made (the title with the prefecture, 「東京都千代田区長」,
**no name**, so nothing can be issued until an administrator names the certifier; a black square
seal with the name). Files are replaced whole (written beside, then renamed), so a copy being
drawn never reads half a file, and written owner-only like the keys beside them
(``adapters/private_files.py``).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from jichitai.adapters.pdf.font_path import mj_font_path
from jichitai.adapters.private_files import replace_private, write_private
from jichitai.adapters.security.certificate_keys import KeyStore
from jichitai.adapters.security.qr_signatures import payload_is_signed_by, sign_payload
from jichitai.domain.certificates.contents import Overflow, Sheet
from jichitai.domain.certificates.issue_numbers import IssueNumber
from jichitai.domain.certificates.issuer import (
    MAX_SEAL_BYTES,
    MAX_SEAL_PIXELS,
    MIN_SEAL_PIXELS,
    Certifier,
    Deputy,
    IssuerSettings,
    IssuerText,
    default_mayor_title,
)
from jichitai.domain.certificates.verification import QrPayload
from jichitai.domain.common.municipality import MunicipalityCode
from jichitai.domain.errors import DomainError, invalid
from jichitai.services.certificate_records import FileCheck
from jichitai.services.ports import Clock

if TYPE_CHECKING:
    from jichitai.adapters.pdf.certificate_pdf import Issuer


def stand_in_seal(name: str, *, font_path: str = "") -> bytes:
    """A development 公印: a black square reading 「<municipality>長之印」 in columns from the right
    (the prefecture left off), never a real seal (``font_path``: IPAmj明朝's file)."""
    short = re.sub(r"^.+?[都道府県](?=.)", "", name)
    chars = (short + "長之印")[-9:]
    rows = 3
    columns = -(-len(chars) // rows)
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 289, 289), outline=(0, 0, 0, 255), width=14)
    cell = 260 // max(rows, columns)
    font = ImageFont.truetype(mj_font_path(font_path), int(cell * 0.9))
    for n, char in enumerate(chars):
        column, row = divmod(n, rows)
        x = 280 - (column + 1) * (260 // columns) + (260 // columns - cell) // 2
        draw.text((x, 22 + row * cell), char, font=font, fill=(0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class KeyDirectoryCertificateMaker:
    def __init__(self, keys: KeyStore, clock: Clock, *, font_path: str = "") -> None:
        """``font_path``: IPAmj明朝's file (``Settings.mj_font_path``; default where Debian
        installs it)."""
        self._keys = keys
        self._clock = clock
        self._font_path = font_path

    def _base(self, code: str) -> Path:
        return self._keys.municipality(code).key_path.parent

    def ensure_keys(self, municipality_code: str, name: str) -> None:
        self._keys.ensure_municipality(municipality_code, name, self._clock.now())
        base = self._base(municipality_code)
        issuer = base / "issuer.json"
        if not issuer.exists():
            title = default_mayor_title(name, MunicipalityCode(municipality_code).prefecture)
            stand_in = {"mayor_title": title, "mayor_name": ""}
            replace_private(issuer, json.dumps(stand_in, ensure_ascii=False).encode("utf-8"))
        seal = base / OFFICIAL_SEAL
        if not seal.exists():
            replace_private(seal, stand_in_seal(name, font_path=self._font_path))

    def issuer_text(self, municipality_code: str, name: str) -> IssuerText:
        path = self._base(municipality_code) / "issuer.json"
        default_title = default_mayor_title(name, MunicipalityCode(municipality_code).prefecture)
        return _text_of(json.loads(path.read_text(encoding="utf-8")), default_title)

    def _seal(self, code: str, file: str) -> bytes | None:
        path = self._base(code) / file
        return path.read_bytes() if path.exists() else None

    def issuer(self, municipality_code: str, name: str) -> IssuerSettings:
        text = self.issuer_text(municipality_code, name)
        seal = self._seal(municipality_code, OFFICIAL_SEAL)
        deputy_seal = self._seal(municipality_code, DEPUTY_SEAL)
        width = height = 0
        if seal:
            with Image.open(io.BytesIO(seal)) as image:
                width, height = image.size
        return IssuerSettings(
            text.mayor_title,
            text.mayor_name,
            width,
            height,
            hashlib.sha256(seal).hexdigest() if seal else "",
            text.deputy,
            text.fixed_phrase,
            hashlib.sha256(deputy_seal).hexdigest() if deputy_seal else "",
            text.blank_overflow,
        )

    def set_issuer(self, municipality_code: str, name: str, text: IssuerText) -> IssuerSettings:
        replace_private(self._base(municipality_code) / "issuer.json", _text_json(text))
        return self.issuer(municipality_code, name)

    def set_official_seal(self, municipality_code: str, name: str, image: bytes) -> IssuerSettings:
        replace_private(self._base(municipality_code) / OFFICIAL_SEAL, seal_png(image))
        return self.issuer(municipality_code, name)

    def set_deputy_seal(self, municipality_code: str, name: str, image: bytes) -> IssuerSettings:
        replace_private(self._base(municipality_code) / DEPUTY_SEAL, seal_png(image))
        return self.issuer(municipality_code, name)

    def _issuer(self, code: str, name: str, certifier: Certifier) -> Issuer:
        """What the last page prints: the certifier, their seal (the deputy's own, else the
        公印) unless it is left off, and the line under them."""
        from jichitai.adapters.pdf.certificate_pdf import Issuer

        seal = None
        if certifier.with_seal:
            own = self._seal(code, DEPUTY_SEAL) if certifier.is_deputy else None
            seal = own or self._seal(code, OFFICIAL_SEAL)
        return Issuer(name, certifier.title, certifier.name, seal, certifier.note)

    def make(
        self,
        municipality_code: str,
        name: str,
        sheets: Sequence[Sheet],
        number: IssueNumber,
        issued_on: date,
        digest: bytes,
        impressions: Mapping[str, bytes],
        certifier: Certifier,
        copies: int = 1,
    ) -> bytes:
        # ReportLab and pyHanko (with aiohttp) load here, on the first certificate, not with
        # the wiring: a command or a worker that issues none never pays for them.
        from jichitai.adapters.pdf.certificate_pdf import render_certificate
        from jichitai.adapters.pdf.signing import PdfSigner

        pair = self._keys.municipality(municipality_code)
        payload = sign_payload(pair, municipality_code, number.code, digest)
        pdf = render_certificate(
            sheets,
            self._issuer(municipality_code, name, certifier),
            number,
            issued_on,
            payload.text(),
            impressions,
            copies=copies,
            font_path=self._font_path,
        )
        signer = PdfSigner(pair, self._keys.authority)
        return signer.sign(pdf, reason=sheets[0].title + "の交付", location=name)

    def overflows(self, sheets: Sequence[Sheet]) -> list[Overflow]:
        from jichitai.adapters.pdf.certificate_pdf import overflowing

        return overflowing(sheets, font_path=self._font_path)

    def check(self, pdf: bytes) -> FileCheck:
        from jichitai.adapters.pdf.signing import check_signature

        authority = self._keys.authority
        roots = [authority] if authority.certificate_path.exists() else []
        signature = check_signature(pdf, roots)
        problems = [signature.problem] if signature.problem else []
        payload = _read_qr(pdf)
        if payload is None:
            problems.append("QRコードを読み取れません")
            return FileCheck(signature.valid, signature.signer, None, False, tuple(problems))
        # The payload names the municipality whose key must have signed it (a legacy code
        # names it itself); a code that is not a municipality's finds no key.
        pair = self._keys.municipality(payload.municipality_code)
        signed = pair.certificate_path.exists() and payload_is_signed_by(
            payload, pair.certificate()
        )
        if not signed:
            problems.append("QRコードの署名がこの団体のものではありません")
        return FileCheck(signature.valid, signature.signer, payload, signed, tuple(problems))


OFFICIAL_SEAL = "official_seal.png"
DEPUTY_SEAL = "deputy_seal.png"


def _text_of(data: dict[str, object], default_title: str) -> IssuerText:
    deputy = data.get("deputy")
    found = None
    if isinstance(deputy, dict):
        starts, ends = deputy.get("starts_on"), deputy.get("ends_on")
        found = Deputy(
            str(deputy.get("title") or ""),
            str(deputy.get("name") or ""),
            date.fromisoformat(starts) if isinstance(starts, str) else None,
            date.fromisoformat(ends) if isinstance(ends, str) else None,
        )
    return IssuerText(
        str(data.get("mayor_title") or default_title),
        str(data.get("mayor_name") or ""),
        found,
        str(data.get("fixed_phrase") or ""),
        data.get("blank_overflow") is True,
    )


def _text_json(text: IssuerText) -> bytes:
    d = text.deputy
    deputy = (
        {
            "title": d.title,
            "name": d.name,
            "starts_on": d.starts_on.isoformat() if d.starts_on else None,
            "ends_on": d.ends_on.isoformat() if d.ends_on else None,
        }
        if d
        else None
    )
    data = {
        "mayor_title": text.mayor_title,
        "mayor_name": text.mayor_name,
        "deputy": deputy,
        "fixed_phrase": text.fixed_phrase,
        "blank_overflow": text.blank_overflow,
    }
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def seal_png(data: bytes) -> bytes:
    """The official seal image as PNG, refused unless it is a PNG or JPEG image within the
    limits (``certificate.seal_image_invalid``, ``certificate.seal_image_too_large``)."""
    if len(data) > MAX_SEAL_BYTES:
        raise invalid(
            "certificate.seal_image_too_large",
            f"公印の画像は{MAX_SEAL_BYTES // (1024 * 1024)}MB以内にしてください",
            "official_seal",
        )
    not_image = invalid(
        "certificate.seal_image_invalid",
        "公印の画像はPNGまたはJPEG形式の画像を指定してください",
        "official_seal",
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise not_image
            width, height = image.size
            if max(width, height) > MAX_SEAL_PIXELS:
                raise invalid(
                    "certificate.seal_image_too_large",
                    f"公印の画像は縦横{MAX_SEAL_PIXELS}ピクセル以内にしてください"
                    f"（{width}×{height}ピクセル）",
                    "official_seal",
                )
            if min(width, height) < MIN_SEAL_PIXELS:
                raise invalid(
                    "certificate.seal_image_invalid",
                    f"公印の画像が小さすぎます（縦横{MIN_SEAL_PIXELS}ピクセル以上）",
                    "official_seal",
                )
            image.load()
            converted = _in_black(image.convert("RGBA"))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise not_image from None
    out = io.BytesIO()
    converted.save(out, format="PNG")
    return out.getvalue()


def _in_black(image: Image.Image) -> Image.Image:
    """The seal in black ink (§5.6: an electronic seal is black): each pixel's ink is how far its
    darkest channel is from white, so a red or black impression on white or on transparency
    keeps its shape and the paper drops out."""
    r, g, b, alpha = image.split()
    ink = ImageOps.invert(ImageChops.darker(ImageChops.darker(r, g), b))
    black = Image.new("RGBA", image.size, (0, 0, 0, 255))
    black.putalpha(ImageChops.multiply(alpha, ink))
    return black


def _read_qr(pdf: bytes) -> QrPayload | None:
    """The QR code on the last page, as a phone would read the printed page."""
    with tempfile.TemporaryDirectory(prefix="jichitai-verify-") as tmp:
        source = Path(tmp) / "c.pdf"  # the folder is the owner's alone (mkdtemp: 0700)
        write_private(source, pdf)
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
