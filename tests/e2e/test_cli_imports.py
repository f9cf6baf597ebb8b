"""What the `jichitai` command loads: its help and the commands that draw no PDF stay light.

The command line starts in a fraction of the time it took when it wired every adapter on import
(PDF signing alone, pyHanko with aiohttp, took about 0.3 s). A start-up time is not asserted
(this machine is shared and its timings vary); what the time depends on is: which modules a run
has loaded when it ends, read in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

CODE = "131016"  # 東京都千代田区

HEAVY = ("pyhanko", "aiohttp", "fastapi", "reportlab")
"""The PDF and signing stack and the web framework: what no command that draws no PDF needs."""

PROBE = """\
import atexit, json, os, sys

def written():
    with open(os.environ["JICHITAI_TEST_MODULES"], "w") as out:
        json.dump(sorted(sys.modules), out)

atexit.register(written)
{run}
"""
"""Runs ``{run}`` in a fresh interpreter, writing at exit the names of the modules loaded
(``sys.modules``) to the file named by ``JICHITAI_TEST_MODULES``."""
COMMAND = PROBE.format(
    run='sys.argv[0] = "jichitai"\nfrom jichitai.entrypoints.cli import main\nmain()'
)
"""`jichitai ARGS…` as the installed script runs it."""
SERVER = PROBE.format(run="import jichitai.entrypoints.asgi")
"""What `jichitai serve` has uvicorn load."""


def loaded(cli: Cli, tmp_path: Path, *args: str, probe: str = COMMAND) -> set[str]:
    """The modules loaded by ``probe`` (by default `jichitai ARGS…`), which must succeed."""
    out = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", probe, *args],
        env=cli.env | {"JICHITAI_TEST_MODULES": str(out)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names: list[str] = json.loads(out.read_text(encoding="utf-8"))
    return set(names)


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.fixture(scope="module")
def registered(cli: Cli) -> Cli:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("certificate", "issue", "--help"),
        ("layout", "import", "--help"),
        ("resident", "search", "--help"),
    ],
    ids=" ".join,
)
def test_help_loads_neither_the_wiring_nor_the_pdf_stack(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    modules = loaded(cli, tmp_path, *args)
    assert "typer" in modules  # the probe does see what was loaded
    assert heavy_in(modules) == []
    # No command ran: nothing is wired, no database is opened.
    assert "jichitai.bootstrap" not in modules
    assert "sqlalchemy" not in modules
    assert not any(m.startswith("jichitai.adapters") for m in modules)


def test_stats_reads_the_database_without_loading_the_pdf_stack(
    registered: Cli, tmp_path: Path
) -> None:
    modules = loaded(registered, tmp_path, "stats", "--municipality", CODE)
    assert {"jichitai.bootstrap", "sqlalchemy"} <= modules
    assert heavy_in(modules) == []
    pdf_adapters = {m for m in modules if m.startswith("jichitai.adapters.pdf.")}
    assert pdf_adapters <= {"jichitai.adapters.pdf.font_path"}  # where the font is, no more
    assert "jichitai.services.certificates" not in modules


def test_adding_a_municipality_makes_its_keys_without_loading_pdf_rendering_or_signing(
    registered: Cli, tmp_path: Path
) -> None:
    modules = loaded(registered, tmp_path, "municipality", "add", "011002", "北海道札幌市")
    assert "jichitai.adapters.pdf.certificate_maker" in modules  # the keys and the 公印 stand-in
    assert heavy_in(modules) == []


def test_the_server_loads_what_commands_leave_to_first_use_before_it_listens(
    registered: Cli, tmp_path: Path
) -> None:
    """`jichitai serve` runs ``jichitai.entrypoints.asgi``: it builds every service and loads
    the PDF and signing stack before its first request (and before it freezes the collector)."""
    modules = loaded(registered, tmp_path, probe=SERVER)
    assert set(HEAVY) <= modules
    assert {"jichitai.services.certificates", "jichitai.services.webhooks"} <= modules
