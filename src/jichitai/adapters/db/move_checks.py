"""The reads a municipality move checks its copy with (``services/municipality_moves.py``):
a snapshot of one shard's rows of the municipality, served there or not."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine

from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
from jichitai.adapters.security.my_number_keys import MyNumberKeys


class _Open:
    """The snapshot's unit of work, handed to a service as if it opened it (it stays open)."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def __enter__(self) -> SqlUnitOfWork:
        return self._uow

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class PinnedSnapshot:
    """One municipality's rows on one shard as they were when it began (a REPEATABLE READ
    transaction on PostgreSQL, a read transaction on SQLite), until ``close``."""

    def __init__(
        self,
        engine: Engine,
        municipality_code: str,
        keys: MyNumberKeys,
        export: Callable[[Callable[[str], Any], str, str], None],
    ) -> None:
        """``export(uow_for, municipality_code, out_dir)`` writes the standard-layout export."""
        self._code = municipality_code
        self._export = export
        self._uow = SqlUnitOfWork(engine, municipality_code, snapshot=True, keys=keys, pinned=True)
        self._uow.__enter__()  # its first read fixes the snapshot

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def export(self) -> dict[str, bytes]:
        with tempfile.TemporaryDirectory(prefix="jichitai-move-") as work:
            out = Path(work) / "export"
            self._export(lambda _code: _Open(self._uow), self._code, str(out))
            return {path.name: path.read_bytes() for path in sorted(out.iterdir())}

    def close(self) -> None:
        self._uow.__exit__(None, None, None)
