"""Seal images measured from real image files (Pillow): the inked area in millimetres."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from jichitai.adapters.seal_images import measure_seal
from jichitai.domain.errors import DomainError
from jichitai.domain.seals.registration import impression_faults
from tests.factories import a_seal


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


def test_what_is_kept_is_the_impression_with_a_small_margin_at_its_real_size() -> None:
    measured = measure_seal(a_seal(15.0, dpi=300, margin_px=200))
    with Image.open(io.BytesIO(measured.png)) as kept:
        width_mm = kept.width / kept.info["dpi"][0] * 25.4
        height_mm = kept.height / kept.info["dpi"][1] * 25.4
    assert width_mm == pytest.approx(17.0, abs=0.3)  # 15 mm and 1 mm each side
    assert height_mm == pytest.approx(17.0, abs=0.3)
    assert measured.sha256 == hashlib.sha256(measured.png).hexdigest()
