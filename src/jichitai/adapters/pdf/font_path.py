"""Where IPAmj明朝 is: a module of its own, without ReportLab or fontTools, so that what only
needs the file (wiring, Pillow drawing seals) does not load the PDF stack (``fonts.py``)."""

from __future__ import annotations

DEFAULT_MJ_FONT_PATH = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf"
"""Where Debian's ``fonts-ipamj-mincho`` puts the font; ``Settings.mj_font_path``
(``JICHITAI_MJ_FONT``) names another, and bootstrap hands it to the adapters that draw."""


def mj_font_path(configured: str = "") -> str:
    """The font file: ``configured`` (the setting), or where Debian installs it."""
    return configured or DEFAULT_MJ_FONT_PATH
