"""How the register is searched, as every door offers it: the kinds of search and the most hits
one search returns (the staff API, the counter, the command line and business systems alike)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

MAX_SEARCH_RESULTS: Final = 200
"""The most hits one search returns, whoever asks: a wider look is a batch extract, not a search."""


class SearchBy(StrEnum):
    """What the search text is; ``AUTO`` tells it from the text itself."""

    AUTO = "auto"
    KANA = "kana"
    NAME = "name"
    BIRTH = "birth"
    ADDRESS = "address"
    ID = "id"
