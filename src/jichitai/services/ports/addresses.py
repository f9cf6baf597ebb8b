"""The municipality's 町字 master (ADR 0013): its repository in the unit of work, and the file
it is read from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from jichitai.domain.common.town_areas import TownArea


class TownAreaRepository(Protocol):
    """One municipality's 町字 master, in the unit of work's transaction."""

    def count(self) -> int:
        """How many 町字 the master holds (0: no master loaded)."""

    def loaded(self) -> bool:
        """Whether the master holds any 町字 (one indexed look, however large the master)."""

    def entries(self) -> Sequence[TownArea]:
        """The whole master (every 町字 of any date), by 町字id."""

    def replace(self, areas: Sequence[TownArea]) -> None:
        """Delete the master and write ``areas`` in its place (committed with the unit of work)."""

    def named(self, key: str) -> Sequence[TownArea]:
        """Every entry whose folded name (``town_area_key``) is ``key``."""

    def starting(self, prefix: str, limit: int) -> Sequence[TownArea]:
        """Entries whose folded name starts with ``prefix``, in name order, at most ``limit``."""


class TownAreaSource(Protocol):
    """A 町字 master file: its rows as column name → cell, with their line numbers."""

    def rows(self) -> Iterator[tuple[int, Mapping[str, str]]]:
        """Each data row (line number, cells by column name); raises ``DomainError`` with the
        line when the file cannot be read as the layout (encoding, headers, columns)."""
