"""``jichitai keys``: rotating a municipality's 個人番号 data key and replacing the master key,
while the register keeps reading what the old keys sealed (ADR 0015)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.domain.residents.search import SearchBy
from tests.e2e.conftest import Cli

CODE = "131016"  # 東京都千代田区


def shown_number(cli: Cli, atena: str) -> str:
    shown = cli.ok("resident", "show", "-m", CODE, atena, "--show-individual-number")
    number: str = shown["individual_number"]
    return number


def found_by_number(cli: Cli, number: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The persons the register finds by the 個人番号 (in this process, over the commands'
    database and key directory: the command line searches with a clerk's duty only)."""
    for name in ("JICHITAI_DATABASE_URL", "JICHITAI_KEY_DIR"):
        monkeypatch.setenv(name, cli.env[name])
    app = bootstrap(Settings.from_environment())
    try:
        return [r.atena_number.value for r in app.queries.search(CODE, number, by=SearchBy.ID)]
    finally:
        app.engine.dispose()


def test_rotate_and_rewrap_keep_every_number_readable_and_searchable(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    cli.ok("demo", "seed", "--municipality", CODE, "--residents", "30", "--seed", "3")
    hits = cli.ok("resident", "search", "-m", CODE, "--by", "kana", "ア", "--limit", "200")
    hits += cli.ok("resident", "search", "-m", CODE, "--by", "kana", "タ", "--limit", "200")
    numbered = {
        hit["atena_number"]: number
        for hit in hits
        if (number := shown_number(cli, hit["atena_number"])).isdigit()
    }
    assert numbered
    atena, number = next(iter(numbered.items()))

    first = cli.ok("keys", "rotate", "-m", CODE)
    assert first["municipality_code"] == CODE and len(first["keys"]) == 2
    cli.ok("demo", "seed", "--municipality", CODE, "--residents", "10", "--seed", "4")
    second = cli.ok("keys", "rotate", "-m", CODE)
    assert len(second["keys"]) == 3 and first["key_id"] in second["keys"]
    # What the first key sealed still opens, and the keyed hash still finds the person.
    assert shown_number(cli, atena) == number
    assert found_by_number(cli, number, monkeypatch) == [atena]

    key_dir = Path(cli.env["JICHITAI_KEY_DIR"]) / "my_number"
    masters = sorted(p.name for p in key_dir.glob("kek-*.key"))
    rewrapped = cli.ok("keys", "rewrap")
    assert rewrapped["keys_rewrapped"] == 4  # three data keys and the search key
    assert (
        sorted(p.name for p in key_dir.glob("kek-*.key"))
        == [f"kek-{rewrapped['master_key_id']}.key"]
        != masters
    )
    assert shown_number(cli, atena) == number
    assert found_by_number(cli, number, monkeypatch) == [atena]
    for path in key_dir.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path

    # A database already sealed: encrypt-existing finds nothing to do.
    done = cli.ok("keys", "encrypt-existing")
    assert done == [
        {
            "municipality_code": CODE,
            "snapshots_sealed": 0,
            "drafts_sealed": 0,
            "hashes_written": 0,
            "journal_entries_clear": 0,
        }
    ]
    unknown = cli.refused("keys", "rotate", "-m", "462012")
    assert unknown[0]["code"] == "municipality.not_found"
