"""Measuring a seal image (印影): the inked area from its pixels and declared resolution.

The size rule is the domain's (8–25 mm); this adapter only reads the file (Pillow): it refuses
what is not an image, an image without a declared resolution (its size in mm cannot be known),
and an image with no ink, and measures the bounding box of the dark pixels, so a scan's white
margin does not count.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, UnidentifiedImageError

from jichitai.domain.errors import invalid
from jichitai.domain.seals.registration import MM_PER_INCH, Impression
from jichitai.services.seals import MeasuredSeal

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
KEPT_MARGIN_MM = 1.0
INK_THRESHOLD = 128
"""Grey level below which a pixel counts as ink (0 black … 255 white)."""


def measure_seal(data: bytes) -> MeasuredSeal:
    if len(data) > MAX_IMAGE_BYTES:
        raise invalid(
            "seal.image_too_large",
            f"印影の画像が大きすぎます（{MAX_IMAGE_BYTES // 1024 // 1024}MBまで）",
            "image",
        )
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise invalid("seal.image_too_large", "印影の画像の画素数が多すぎます", "image")
            opened.load()
            image = opened.copy()
            dpi = opened.info.get("dpi")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise invalid(
            "seal.image_invalid", "印影の画像を読み取れません（PNG、JPEG又はTIFF）", "image"
        ) from None
    if not dpi or float(dpi[0]) <= 0 or float(dpi[1]) <= 0:
        raise invalid(
            "seal.image_resolution_missing",
            "印影の画像に解像度（dpi）が記録されていないため、大きさを測れません",
            "image",
        )
    grey = image.convert("L")
    ink = grey.point(lambda level: 255 if level < INK_THRESHOLD else 0)
    box = ink.getbbox()
    if box is None:
        raise invalid("seal.image_blank", "印影の画像に印影が写っていません", "image")
    left, top, right, bottom = box
    dpi_x, dpi_y = float(dpi[0]), float(dpi[1])
    # Kept and printed: the impression with a margin of KEPT_MARGIN_MM, not the whole scan, so
    # that its size in the PDF (pixels over dpi) is the impression's own.
    mx, my = (
        round(KEPT_MARGIN_MM / MM_PER_INCH * dpi_x),
        round(KEPT_MARGIN_MM / MM_PER_INCH * dpi_y),
    )
    kept = image.crop(
        (
            max(left - mx, 0),
            max(top - my, 0),
            min(right + mx, image.width),
            min(bottom + my, image.height),
        )
    )
    png = io.BytesIO()
    kept.save(png, format="PNG", dpi=(dpi_x, dpi_y))
    stored = png.getvalue()
    return MeasuredSeal(
        impression=Impression.from_pixels(right - left, bottom - top, dpi_x, dpi_y),
        sha256=hashlib.sha256(stored).hexdigest(),
        dpi=(dpi_x, dpi_y),
        png=stored,
    )
