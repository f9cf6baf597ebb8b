"""Ports of a municipality's move between shards (``services/municipality_moves.py``, ADR 0016)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol


class ShardCopy(Protocol):
    """One municipality's copy between two shards (``adapters/db/shard_moves.py``)."""

    def prepare(self) -> None: ...

    def copy_appended(self) -> int: ...

    def replace_current(self) -> int: ...

    def differences(self) -> list[str]: ...

    def frozen(self) -> AbstractContextManager[Callable[[], None]]: ...

    def serve_target(self, serving: bool) -> None: ...


class MoveCatalog(Protocol):
    """The catalog's side of a move (``ShardCatalog``)."""

    def begin_move(self, municipality_code: str, to: str, now: datetime) -> str: ...

    def end_move(
        self, municipality_code: str, *, switched_to: str | None, now: datetime
    ) -> None: ...


class Snapshot(Protocol):
    """A read of one municipality on one shard that sees one state from its start on."""

    def export(self) -> dict[str, bytes]:
        """The standard-layout export (file name → bytes) of that state."""
        ...

    def close(self) -> None: ...
