"""Seal images measured from real image files (Pillow): the inked area in millimetres."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from jichitai.adapters.seal_images import measure_seal
from jichitai.domain.errors import DomainError
from jichitai.domain.seals.registration import impression_faults


def a_seal(side_mm: float, dpi: int = 300, margin_px: int = 60, fmt: str = "PNG") -> bytes:
    """A red round seal of ``side_mm`` on a white scan with a margin."""
    side = round(side_mm / 25.4 * dpi)
    image = Image.new("RGB", (side + 2 * margin_px, side + 2 * margin_px), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (margin_px, margin_px, margin_px + side - 1, margin_px + side - 1),
        outline=(190, 20, 20),
        width=max(2, side // 15),
    )
    out = io.BytesIO()
    image.save(out, format=fmt, dpi=(dpi, dpi))
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_the_inked_area_is_measured_without_the_scans_margin(fmt: str) -> None:
    measured = measure_seal(a_seal(15.0, fmt=fmt))
    assert measured.impression.width_mm == pytest.approx(15.0, abs=0.3)
    assert measured.impression.height_mm == pytest.approx(15.0, abs=0.3)
    assert measured.dpi == pytest.approx((300.0, 300.0), abs=0.01)  # PNG keeps pixels per metre
    assert measured.png.startswith(b"\x89PNG")
    assert impression_faults(measured.impression) == []


def test_too_small_or_too_large_seals_are_refused_by_size() -> None:
    small = measure_seal(a_seal(6.0, dpi=600))
    large = measure_seal(a_seal(30.0, dpi=200))
    assert [v.code for v in impression_faults(small.impression)] == ["seal.size", "seal.size"]
    assert "6.0mm" in impression_faults(small.impression)[0].message
    assert [v.code for v in impression_faults(large.impression)] == ["seal.size", "seal.size"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7 not an image", "seal.image_invalid"),
        (b"", "seal.image_invalid"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "seal.image_invalid"),
    ],
)
def test_what_is_not_an_image_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        measure_seal(data)
    assert refused.value.code == code


def test_an_image_without_a_resolution_or_without_ink_is_refused() -> None:
    plain = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(plain, format="PNG")
    with pytest.raises(DomainError) as no_dpi:
        measure_seal(plain.getvalue())
    assert no_dpi.value.code == "seal.image_resolution_missing"
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, format="PNG", dpi=(300, 300))
    with pytest.raises(DomainError) as no_ink:
        measure_seal(blank.getvalue())
    assert no_ink.value.code == "seal.image_blank"
