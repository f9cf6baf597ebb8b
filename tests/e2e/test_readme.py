"""End-to-end: the command lines of README.md's "Using it" run top to bottom, each exiting 0, on a
fresh database prepared as `make run` prepares it (scripts/run-demo.sh), so the README cannot
drift from the command line. A line marked ``# long-running`` is left out (and only such a line).
What the lines say of the demo holds too: each search finds somebody (a birth-date search, a
person born that day), and `stats` gives the counts the seed printed."""

from __future__ import annotations

import ast
import json
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
WAREKI_DATE = re.compile(r"(明治|大正|昭和|平成|令和)\d+年\d+月\d+日")


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


def search_query(args: list[str]) -> str:
    """The search text of ``resident search`` arguments (the one not naming an option)."""
    rest = args[2:]
    values = {i + 1 for i, arg in enumerate(rest) if arg == "--municipality"}
    return next(a for i, a in enumerate(rest) if not a.startswith("--") and i not in values)


def check_searches_find_somebody(outputs: dict[str, str]) -> None:
    """Every ``resident search`` line finds at least one person; a birth-date search (in 和暦)
    finds persons born on that day."""
    searches = {
        line: out for line, out in outputs.items() if argv(line)[:2] == ["resident", "search"]
    }
    assert len(searches) >= 3, list(searches)
    by_date = 0
    for line, out in searches.items():
        found = json.loads(out)
        assert isinstance(found, list) and found, line
        query = search_query(argv(line))
        if WAREKI_DATE.fullmatch(query):
            by_date += 1
            assert {p["birth_date"] for p in found} == {query}, (line, found)
    assert by_date >= 1


def check_stats_agree_with_the_seed(outputs: dict[str, str]) -> None:
    """The `stats --json` line gives the counts the README's `demo seed` line printed."""
    (seed,) = [out for line, out in outputs.items() if argv(line)[:2] == ["demo", "seed"]]
    (stats,) = [json.loads(out) for line, out in outputs.items() if argv(line)[0] == "stats"]
    printed = dict(line.split(": ", 1) for line in seed.splitlines())
    assert {
        "persons": stats["persons"],
        "residents": stats["residents"],
        "foreign_residents": stats["foreign_residents"],
        "households": stats["households"],
        "removed": stats["removed_records"],
        "planned_move_outs": stats["planned_move_outs"],
    } == {
        key: int(printed[key])
        for key in (
            "persons",
            "residents",
            "foreign_residents",
            "households",
            "removed",
            "planned_move_outs",
        )
    }
    assert stats["events"] == sum(ast.literal_eval(printed["events"]).values())


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
    outputs: dict[str, str] = {}
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
            outputs[line] = result.stdout
            ran += 1
        assert ran == len(lines) - 1
        assert (tmp_path / "juminhyo.pdf").is_file() and (tmp_path / "inkan.pdf").is_file()
    check_searches_find_somebody(outputs)
    check_stats_agree_with_the_seed(outputs)
