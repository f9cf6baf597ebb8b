"""Where IPAmj明朝 is: a module of its own, without ReportLab or fontTools, so that what only
needs the file (wiring, Pillow drawing seals) does not load the PDF stack (``fonts.py``)."""

from __future__ import annotations

import os

DEFAULT_MJ_FONT_PATH = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf"
"""Where Debian's ``fonts-ipamj-mincho`` puts the font (``JICHITAI_MJ_FONT`` overrides)."""


def mj_font_path() -> str:
    return os.environ.get("JICHITAI_MJ_FONT", "").strip() or DEFAULT_MJ_FONT_PATH
