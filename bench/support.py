"""What the benchmarks share: their failure, finding the project's own commands, and the
processes below one (for the memory of an import and its workers)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


class BenchFailed(Exception):
    """The benchmark could not run (set-up, server, load generator, import …); the message says
    why."""


def executable(name: str) -> str:
    """The tool installed next to this interpreter (the project's venv), else on the PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise BenchFailed(f"{name} not found (next to {sys.executable} or on the PATH)")
    return found


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc: Linux)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    below: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - below
        below |= frontier
    return below
