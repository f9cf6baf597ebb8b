"""Data migration: the checks of 住民 rows spread over the import's worker pool.

The importing process reads the rows and hands them out in chunks; the workers (the
``RowCheckPool`` port: processes, ``adapters/migration_workers.py``) run
:class:`~jichitai.services.migration_rows.SnapshotCheck` on each row and send the results back,
which the importing process takes in the order read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import Final

from jichitai.services.migration_rows import Checked
from jichitai.services.ports import RowToCheck

__all__ = ["CHUNK_ROWS", "checked_in_workers"]


CHUNK_ROWS: Final = 256
"""Rows handed to a worker at a time (large enough that the hand-over is a small cost)."""


def checked_in_workers(
    submit: Callable[[Sequence[RowToCheck]], Future[tuple[list[Checked], int]]],
    rows: Iterator[RowToCheck],
    in_flight: int,
    on_peak: Callable[[int], None],
) -> Iterator[Checked]:
    """The rows checked by the pool's workers (``submit`` hands one chunk over), in the order
    read, with at most ``in_flight`` chunks out at a time (memory stays flat however large the
    file). Each worker's peak memory so far (KiB) goes to ``on_peak`` with each chunk it
    returns."""
    pending: deque[Future[tuple[list[Checked], int]]] = deque()
    chunk: list[RowToCheck] = []

    def done() -> list[Checked]:
        results, peak_kb = pending.popleft().result()
        on_peak(peak_kb)
        return results

    for item in rows:
        chunk.append(item)
        if len(chunk) >= CHUNK_ROWS:
            pending.append(submit(chunk))
            chunk = []
            if len(pending) >= in_flight:
                yield from done()
    if chunk:
        pending.append(submit(chunk))
    while pending:
        yield from done()
