"""Data migration: the checks of 住民 rows spread over worker processes.

The importing process reads the rows and hands them out in chunks; the workers run
:class:`~jichitai.services.migration_rows.SnapshotCheck` on each row and send the results back,
which the importing process takes in the order read. Workers are forked from a small server
process, and end on their own when the importing process is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Any, Final

from jichitai.domain.migration.layout import Layout, LayoutFile
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.migration_rows import Checked, SnapshotCheck

__all__ = ["CHUNK_ROWS", "checked_in_workers", "start_worker", "worker_context"]


_worker_check: SnapshotCheck | None = None
"""The check of a worker process (set once when the process starts)."""


def start_worker(
    layout: Layout,
    layout_file: LayoutFile,
    check_ids: bool,
    project: Callable[[ResidentRecord], Mapping[str, Any]],
    municipality: tuple[str, str],
    importer: int,
) -> None:
    global _worker_check  # one per worker process, built once, not per chunk
    _worker_check = SnapshotCheck(layout, layout_file, check_ids, project, municipality)
    threading.Thread(target=_end_with, args=(importer,), daemon=True).start()


def _end_with(importer: int) -> None:
    """End this worker once the importing process is gone (killed, say): a worker waiting for
    rows would otherwise wait for ever, since it is not that process's child but the fork
    server's."""
    while True:
        time.sleep(1)
        try:
            os.kill(importer, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid was taken by another user's process: gone too
            os._exit(1)


def _check_chunk(
    chunk: Sequence[tuple[int, list[str], tuple[str, str] | None]],
) -> tuple[list[Checked], int]:
    """The chunk's rows checked, and this worker's peak resident memory so far (KiB)."""
    check = _worker_check
    if check is None:
        raise RuntimeError("worker process not started")
    checked = [check.check(line, row, keys) for line, row, keys in chunk]
    return checked, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


CHUNK_ROWS: Final = 256
"""Rows handed to a worker at a time (large enough that the hand-over is a small cost)."""


def checked_in_workers(
    executor: Executor,
    rows: Iterator[tuple[int, list[str], tuple[str, str] | None]],
    in_flight: int,
    on_peak: Callable[[int], None],
) -> Iterator[Checked]:
    """The rows checked by the executor's workers, in the order read, with at most
    ``in_flight`` chunks out at a time (memory stays flat however large the file). Each worker's
    peak memory so far (KiB) goes to ``on_peak`` with each chunk it returns."""
    pending: deque[Future[tuple[list[Checked], int]]] = deque()
    chunk: list[tuple[int, list[str], tuple[str, str] | None]] = []

    def done() -> list[Checked]:
        results, peak_kb = pending.popleft().result()
        on_peak(peak_kb)
        return results

    for item in rows:
        chunk.append(item)
        if len(chunk) >= CHUNK_ROWS:
            pending.append(executor.submit(_check_chunk, chunk))
            chunk = []
            if len(pending) >= in_flight:
                yield from done()
    if chunk:
        pending.append(executor.submit(_check_chunk, chunk))
    while pending:
        yield from done()


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers are forked from a small server process that has loaded this module (not from
    the importing process: a fork of a large process would count its memory as the worker's
    own peak, and a plain fork of a process with threads is unsafe)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context
