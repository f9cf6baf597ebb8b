"""End-to-end: a refusal prints what README.md says it prints, with and without ``--json``, and
`jichitai demo seed` reports the register's counts as `jichitai stats` gives them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Cli

CODE = "132039"  # 東京都武蔵野市


def test_a_refusal_without_json_prints_one_line_per_error_and_with_json_the_errors(
    cli: Cli,
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    plain = cli.run("municipality", "add", "131017", "どこか市")
    assert plain.returncode == 2 and plain.stdout == ""
    line = plain.stderr.strip()
    assert line.startswith("エラー municipality_code.check_digit: ")
    assert line.endswith(" (municipality_code)")
    errors = cli.refused("municipality", "add", "131017", "どこか市")
    assert [(e["code"], e["field"], e["level"]) for e in errors] == [
        ("municipality_code.check_digit", "municipality_code", "error")
    ]


def test_a_refusal_before_the_commands_work_follows_its_json_option(
    cli: Cli, tmp_path: Path
) -> None:
    fresh = Cli({**cli.env, "JICHITAI_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    plain = fresh.run("stats", "--municipality", CODE)
    assert plain.returncode == 2
    assert plain.stderr.startswith("エラー database.not_upgraded: ")
    assert "(JICHITAI_DATABASE_URL)" in plain.stderr
    errors = fresh.refused("stats", "--municipality", CODE)
    assert errors[0]["code"] == "database.not_upgraded"


def test_the_seed_prints_the_counts_stats_gives(cli: Cli) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都武蔵野市")
    seeded = cli.ok("demo", "seed", "-m", CODE, "--residents", "40", "--seed", "7")
    stats = cli.ok("stats", "-m", CODE)
    assert (
        seeded["persons"],
        seeded["residents"],
        seeded["foreign_residents"],
        seeded["households"],
        seeded["removed"],
        seeded["planned_move_outs"],
    ) == (
        stats["persons"],
        stats["residents"],
        stats["foreign_residents"],
        stats["households"],
        stats["removed_records"],
        stats["planned_move_outs"],
    )
    assert sum(seeded["events"].values()) == stats["events"]
    text = cli.run("stats", "-m", CODE)
    assert f"residents: {stats['residents']}" in text.stdout.splitlines()
    assert json.loads(json.dumps(seeded))["seals"] >= 0
