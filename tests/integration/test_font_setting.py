"""The font that draws names is a setting (``JICHITAI_MJ_FONT``), read once into ``Settings`` and
handed by bootstrap to the adapters that draw."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from jichitai.adapters.pdf.fonts import DEFAULT_MJ_FONT_PATH, MJ_FONT_NAME, mj_font
from jichitai.bootstrap import bootstrap
from jichitai.config import Settings

RARE = "髙橋 𠮷田 﨑 𡈽 邉 齋藤"


def test_the_font_file_is_a_setting_that_bootstrap_hands_to_everything_that_draws(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``JICHITAI_MJ_FONT`` is read once, into ``Settings``; the adapters get it from bootstrap
    (the counter serves that file, the application forms and seal scans draw with it)."""
    elsewhere = tmp_path / "fonts" / "ipamjm.ttf"
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(DEFAULT_MJ_FONT_PATH)
    monkeypatch.setenv("JICHITAI_MJ_FONT", str(elsewhere))
    settings = Settings.from_environment()
    assert settings.mj_font_path == str(elsewhere)
    app = bootstrap(settings, engine=create_engine("sqlite://"))  # never queried
    assert app.name_font_path == str(elsewhere)
    assert app.draw_seal_scan("高橋", 15.0).startswith(b"\x89PNG")
    monkeypatch.delenv("JICHITAI_MJ_FONT")
    assert bootstrap(Settings(), engine=create_engine("sqlite://")).name_font_path == (
        DEFAULT_MJ_FONT_PATH
    )
    font = mj_font(str(elsewhere))
    assert font.name != MJ_FONT_NAME and font.name.startswith(MJ_FONT_NAME)  # its own name
    assert font.covers(RARE)
