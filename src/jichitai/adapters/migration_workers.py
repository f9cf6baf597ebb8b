"""The data migration's worker pool: processes that check 住民 rows for ``layout import``.

Workers are forked from a small server process that has loaded this module (not from the
importing process: a fork of a large process would count its memory as the worker's own peak,
and a plain fork of a process with threads is unsafe). Each builds its row check once, checks the
chunks handed to it, and answers with the checked rows and its peak resident memory so far; it
ends on its own when the importing process is gone. How the rows are spread and taken back in
order is the service's (``services/migration_workers.py``).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from jichitai.services.migration_rows import Checked, SnapshotCheck
from jichitai.services.ports import RowToCheck

__all__ = ["ProcessRowCheckPool"]

_worker_check: SnapshotCheck | None = None
"""The check of a worker process (set once when the process starts)."""


def _start_worker(make_check: Callable[[], SnapshotCheck], importer: int) -> None:
    global _worker_check  # one per worker process, built once, not per chunk
    _worker_check = make_check()
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


def _check_chunk(chunk: Sequence[RowToCheck]) -> tuple[list[Checked], int]:
    """The chunk's rows checked, and this worker's peak resident memory so far (KiB)."""
    check = _worker_check
    if check is None:
        raise RuntimeError("worker process not started")
    checked = [check.check(line, row, keys) for line, row, keys in chunk]
    return checked, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


class ProcessRowCheckPool:
    """The ``RowCheckPool`` port on worker processes (``concurrent.futures``)."""

    @contextmanager
    def start(
        self, workers: int, make_check: Callable[[], SnapshotCheck]
    ) -> Iterator[Callable[[Sequence[RowToCheck]], Future[tuple[list[Checked], int]]]]:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_context(),
            initializer=_start_worker,
            initargs=(make_check, os.getpid()),
        ) as executor:

            def submit(chunk: Sequence[RowToCheck]) -> Future[tuple[list[Checked], int]]:
                return executor.submit(_check_chunk, chunk)

            yield submit
