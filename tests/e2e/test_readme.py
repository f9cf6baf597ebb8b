"""End-to-end: the command lines of README.md's "Using it" run top to bottom, each exiting 0, on a
fresh database prepared as `make run` prepares it (scripts/run-demo.sh), so the README cannot
drift from the command line. A line marked ``# long-running`` is left out (and only such a line)."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import BIN, Cli, own_database

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
COMMAND = ".venv/bin/jichitai "
LONG_RUNNING = "# long-running"
DEMO = "131016"  # what `make run` seeds (Makefile DEMO_MUNICIPALITY)


def section(text: str, heading: str) -> str:
    """The text of the ``## heading`` section, up to the next heading of any level."""
    start = text.index(f"\n## {heading}\n")
    following = re.search(r"\n#{1,6} ", text[start + 1 :])
    return text[start : start + 1 + following.start()] if following else text[start:]


def command_lines(text: str) -> list[str]:
    """The ``.venv/bin/jichitai`` lines of the section's ```sh blocks, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith(COMMAND)]


def argv(line: str) -> list[str]:
    """The arguments of a README line after ``.venv/bin/jichitai`` (its comment left out)."""
    return shlex.split(line.removeprefix(COMMAND), comments=True)


def prepare_like_make_run(cli: Cli) -> None:
    """What scripts/run-demo.sh does before serving, with its default 300 residents."""
    for args in (
        ("db", "upgrade"),
        ("municipality", "add", DEMO, "東京都千代田区"),
        ("demo", "seed", "--municipality", DEMO, "--residents", "300", "--seed", "1"),
        ("demo", "certifier", "--municipality", DEMO),
    ):
        result = cli.run(*args)
        assert result.returncode == 0, (args, result.stderr)


def test_using_it_has_the_commands_this_test_runs() -> None:
    lines = command_lines(section(README.read_text(encoding="utf-8"), "Using it"))
    assert len(lines) >= 15
    assert [line for line in lines if LONG_RUNNING in line] == [
        line for line in lines if "bench migration" in line
    ]
    assert all(argv(line) for line in lines)


def test_every_command_of_using_it_succeeds_in_order(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    lines = command_lines(section(README.read_text(encoding="utf-8"), "Using it"))
    # The lines run from the repository's folder; files they read from it (a demo seal scan)
    # are reached through a link, what they write stays in the test's own folder.
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    with own_database(tmp_path_factory) as cli:
        prepare_like_make_run(cli)
        ran = 0
        for line in lines:
            if LONG_RUNNING in line:
                continue
            result = subprocess.run(
                [str(BIN), *argv(line)],
                env=cli.env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert result.returncode == 0, (line, result.stdout[-2000:], result.stderr[-2000:])
            ran += 1
        assert ran == len(lines) - 1
        assert (tmp_path / "juminhyo.pdf").is_file() and (tmp_path / "inkan.pdf").is_file()
