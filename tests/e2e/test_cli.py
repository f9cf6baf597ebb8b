"""The register through the `jichitai` command, from an empty database to searching a seeded town."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

CODE = "131016"  # 東京都千代田区


@pytest.fixture(scope="module")
def seeded(cli: Cli) -> Cli:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    cli.ok("demo", "seed", "--municipality", CODE, "--residents", "150", "--seed", "3")
    return cli


def test_a_municipality_code_with_a_wrong_check_digit_is_refused_with_its_field(cli: Cli) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    errors = cli.refused("municipality", "add", "131017", "どこか市")
    assert errors[0]["code"] == "municipality_code.check_digit"
    assert errors[0]["field"] == "municipality_code"
    assert errors[0]["message"]


@pytest.mark.spec("6.1")
def test_stats_count_residents_households_removed_records_and_events_by_reason(seeded: Cli) -> None:
    stats = seeded.ok("stats", "--municipality", CODE)
    assert stats["municipality_name"] == "東京都千代田区"
    assert 120 <= stats["residents"] <= 180
    assert stats["households"] > 0
    assert stats["removed_records"] > 0
    assert stats["foreign_residents"] > 0
    assert stats["events_by_reason"]["domestic_move_in"] > 0
    assert stats["events"] == sum(stats["events_by_reason"].values())


@pytest.mark.spec("2.1.3")
def test_a_kana_search_finds_residents_and_shows_them_in_japanese(seeded: Cli) -> None:
    hits = [
        hit
        for kana in "アカサタナハマヤラワ"
        for hit in seeded.ok(
            "resident", "search", "--municipality", CODE, "--by", "kana", kana, "--limit", "1000"
        )
    ]
    assert len(hits) >= 30
    assert all(hit["name_kana"][0] in "アカガサザタダナハバパマヤラワ" for hit in hits)
    assert {"atena_number", "name", "name_kana", "birth_date", "address", "status_label"} <= set(
        hits[0]
    )


@pytest.mark.spec("2.2.1")
def test_show_gives_the_current_record_its_history_and_the_record_as_of_a_date(seeded: Cli) -> None:
    hits = seeded.ok(
        "resident", "search", "--municipality", CODE, "--by", "kana", "タ", "--limit", "1"
    )
    atena = hits[0]["atena_number"]
    current = seeded.ok("resident", "show", "--municipality", CODE, atena)
    assert current["atena_number"] == atena
    assert current["individual_number"] is None or current["individual_number"].startswith(
        "********"
    )
    history = seeded.ok("resident", "show", "--municipality", CODE, atena, "--history")
    assert [h["history_number"] for h in history] == list(range(1, len(history) + 1))
    assert history[-1]["history_number"] == current["history_number"]
    too_early = seeded.refused(
        "resident", "show", "--municipality", CODE, atena, "--as-of", "1800-01-01"
    )
    assert too_early[0]["code"] == "person.not_registered_on"


def test_a_malformed_atena_number_is_refused_with_its_code(seeded: Cli) -> None:
    errors = seeded.refused("resident", "show", "--municipality", CODE, "0000000018")
    assert errors[0]["code"] == "atena_number.check_digit"


def test_the_journal_hash_chain_verifies(seeded: Cli) -> None:
    result = seeded.ok("journal", "verify", "--municipality", CODE)
    assert result["chain"] == "ok"
    assert result["entries"] > 0


def test_a_database_that_was_never_upgraded_is_refused_with_a_clear_error(
    cli: Cli, tmp_path: Path
) -> None:
    fresh = Cli({**cli.env, "JICHITAI_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    errors = fresh.refused("stats", "--municipality", CODE)
    assert errors[0]["code"] == "database.not_upgraded"
    assert "jichitai db upgrade" in errors[0]["message"]
