"""Drawing a personal seal scan (印影) for demo data: a red ring on white at 300 dpi with a
margin, the family name in a column in IPAmj明朝, as a scanner would deliver it."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from jichitai.adapters.pdf.font_path import mj_font_path

DPI = 300
SEAL_RED = (190, 25, 30)


def draw_seal_scan(
    family_name: str, side_mm: float, dpi: int = DPI, *, font_path: str = ""
) -> bytes:
    """A round seal of ``side_mm`` with ``family_name`` in a column, on a white scan
    (``font_path``: IPAmj明朝's file, default where Debian installs it)."""
    side = round(side_mm / 25.4 * dpi)
    margin = dpi // 5
    image = Image.new("RGB", (side + 2 * margin, side + 2 * margin), "white")
    draw = ImageDraw.Draw(image)
    ring = max(3, side // 18)
    draw.ellipse(
        (margin, margin, margin + side - 1, margin + side - 1), outline=SEAL_RED, width=ring
    )
    chars = [c for c in family_name if not c.isspace()][:3] or ["印"]
    cell = int((side - 4 * ring) / max(len(chars), 1.6))
    font = ImageFont.truetype(mj_font_path(font_path), cell)
    top = margin + (side - cell * len(chars)) // 2
    for n, char in enumerate(chars):
        width = draw.textlength(char, font=font)
        draw.text(
            (margin + (side - width) / 2, top + n * cell - cell * 0.1),
            char,
            font=font,
            fill=SEAL_RED,
        )
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()
