"""Names in certificate PDFs: drawn with IPAmj明朝, variants (IVS) included, and read back
exactly by ``pdftotext`` (Debian's poppler-utils), as anyone copying or searching would."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from jichitai.adapters.pdf.fonts import (
    MJ_FONT_NAME,
    FontMissing,
    MjFont,
    is_selector,
    mj_font,
)

pytestmark = pytest.mark.spec("10.7")

RARE = "髙橋 𠮷田 﨑 𡈽 邉 齋藤"
VARIANT = "葛\U000e0102"  # 葛 with the Moji_Joho selector the font maps to a glyph of its own
DEFAULT_SEQUENCE_TEXT = "辻\U000e0102"


def draw(path: Path, *lines: str, size: float = 24) -> Path:
    font = mj_font()
    pdf = canvas.Canvas(str(path), pagesize=(600, 60 + 40 * len(lines)))
    pdf.setFont(font.name, size)
    for n, line in enumerate(lines):
        pdf.drawString(20, 30 + 40 * n, font.drawable(line))
    pdf.save()
    return path


def text_of(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def pixels(path: Path) -> bytes:
    """The page as grey pixels (PGM) at 72 dpi."""
    return subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", str(path)], capture_output=True, check=True
    ).stdout


def test_rare_characters_and_variant_sequences_come_back_from_pdftotext_exactly(
    tmp_path: Path,
) -> None:
    pdf = draw(tmp_path / "names.pdf", f"{VARIANT}飾 {RARE}", DEFAULT_SEQUENCE_TEXT)
    assert text_of(pdf) == [DEFAULT_SEQUENCE_TEXT, f"{VARIANT}飾 {RARE}"]  # bottom line first
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    embedded = [line.split() for line in fonts.splitlines() if MJ_FONT_NAME in line]
    assert embedded and all(row[-5:-2] == ["yes", "yes", "yes"] for row in embedded)  # emb sub uni


def test_a_variant_sequence_draws_its_own_glyph_not_the_base_and_not_a_box(
    tmp_path: Path,
) -> None:
    variant = pixels(draw(tmp_path / "variant.pdf", VARIANT))
    base = pixels(draw(tmp_path / "base.pdf", "葛"))
    box = pixels(draw(tmp_path / "box.pdf", "\U0010fffd"))  # no glyph: the font's box
    blank = pixels(draw(tmp_path / "blank.pdf", " "))
    assert len({variant, base, box, blank}) == 4


def test_drawable_text_replaces_known_sequences_and_drops_unknown_selectors() -> None:
    font = mj_font()
    drawn = font.drawable(f"{VARIANT}飾 吉\U000e0100 A\ufe00")
    assert drawn[0] == chr(font.variants[(ord("葛"), 0xE0102)])
    assert drawn[1:] == "飾 吉 A"  # selectors the font has no glyph for: the base glyph
    assert not any(is_selector(ord(ch)) for ch in drawn)
    assert font.covers(RARE) and font.covers(VARIANT)
    assert not font.covers("\U0010fffd")
    assert len(font.variants) > 10_000  # IPAmj明朝 defines 11,474 sequences


def test_a_missing_font_is_refused_with_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(FontMissing, match="fonts-ipamj-mincho"):
        mj_font(str(tmp_path / "absent.ttf"))  # JICHITAI_MJ_FONT naming no file
    assert isinstance(mj_font(), MjFont)  # the cached, installed font is untouched
