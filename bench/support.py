"""What the benchmarks share: their failure, and finding the project's own commands."""

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
