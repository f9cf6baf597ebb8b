"""The register through the `jichitai` command, from an empty database to searching a seeded town."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jichitai.bootstrap import App, bootstrap
from jichitai.config import Settings
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.services.audit import AccessSearch, Operation
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
            "resident", "search", "--municipality", CODE, "--by", "kana", kana, "--limit", "200"
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


@pytest.fixture
def same_database(seeded: Cli, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """The application in the test process over the commands' database (to set up and read
    what the commands do); its connections closed after the test."""
    for name in ("JICHITAI_DATABASE_URL", "JICHITAI_KEY_DIR"):
        monkeypatch.setenv(name, seeded.env[name])
    app = bootstrap(Settings.from_environment())
    yield app
    app.engine.dispose()


def test_show_and_search_read_through_the_register_access_service_as_the_operator(
    seeded: Cli, same_database: App
) -> None:
    """The command line decides nothing about masking, suppressions or the access log: the
    operator reads with a clerk's duty, or a reviewer's with ``--show-individual-number``, and
    the register-access service applies the rules and logs each read as for the counter."""
    app = same_database
    hits = seeded.ok("resident", "search", "-m", CODE, "--by", "kana", "ア", "--live-only")
    atena = next(
        hit["atena_number"]
        for hit in hits
        if app.queries.current(CODE, hit["atena_number"]).individual_number is not None
    )
    masked = seeded.ok("resident", "show", "-m", CODE, atena)["individual_number"]
    shown = seeded.ok("resident", "show", "-m", CODE, atena, "--show-individual-number")
    assert masked.startswith("********") and shown["individual_number"].isdigit()
    assert masked[-4:] == shown["individual_number"][-4:]
    too_many = seeded.run("resident", "search", "-m", CODE, "ア", "--limit", "201", "--json")
    assert too_many.returncode == 2  # at most 200 hits, as through the API

    auditor = Actor("auditor", CODE, frozenset({Role.AUDITOR}))
    entries = app.access_log.search(auditor, AccessSearch(atena_number=atena))
    reads = [
        (e.operation, e.roles, e.my_number_shown, e.purpose)
        for e in reversed(entries)
        if e.user_login.startswith("operator:")
    ]
    assert reads[-3:] == [
        (Operation.SEARCH, ("clerk",), False, "運用コマンド"),
        (Operation.VIEW, ("clerk",), False, "運用コマンド"),
        (Operation.VIEW, ("reviewer",), True, "運用コマンド"),
    ]

    officer = Actor("officer", CODE, frozenset({Role.SUPPRESSION_OFFICER}))
    setting = app.suppressions.set(
        officer,
        kind="suppression",
        atena_number=atena,
        processes=["view"],
        level="alert",
        starts_on=app.clock.today(),
        reason="照会の確認",
    )
    refused = seeded.refused("resident", "show", "-m", CODE, atena)
    assert [e["code"] for e in refused] == ["suppression.alert"]
    confirmed = seeded.ok(
        "resident", "show", "-m", CODE, atena, "--acknowledge", "suppression.alert"
    )
    assert confirmed["atena_number"] == atena
    app.suppressions.lift(officer, setting.suppression_id)


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
