"""End-to-end: the consistency check with the CS (standard §7.1.1.2 (1100)) and the card status
(§7.1.1.3 (1110)) through `jichitai cs check` and `jichitai card status` against `jichitai
standin serve`, after `jichitai worker` sent a seeded municipality's changes."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.e2e.conftest import Cli, free_port, own_database
from tests.e2e.test_cs_standin import CODE, standin, work


@pytest.fixture
def sent(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[tuple[Cli, str]]:
    """A seeded municipality whose changes the worker sent to a running stand-in."""
    with own_database(tmp_path_factory) as cli:
        port = free_port()
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", CODE, "東京都千代田区")
        # Seeded before the link is on (住民票コード made here); its messages wait in the outbox.
        cli.ok("demo", "seed", "-m", CODE, "--residents", "12", "--seed", "3")
        cli.env["JICHITAI_CS_URL"] = f"http://127.0.0.1:{port}"
        with standin(cli, tmp_path / "cs", port) as base:
            work(cli)
            yield cli, base


def differences(cli: Cli) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cli.ok("cs", "check", "-m", CODE, "--json")["differences"]
    return found


@pytest.mark.spec("7.1.1.2")
def test_cs_check_lists_exactly_what_differs(sent: tuple[Cli, str], tmp_path: Path) -> None:
    cli, base = sent
    result = cli.ok("cs", "check", "-m", CODE, "--json")
    assert result["differences"] == [] and result["persons"] >= 12
    assert result["at_cs"] == result["persons"]

    copy = httpx.get(f"{base}/v1/identities", params={"municipality": CODE}).json()
    code, held = sorted(copy.items())[-1]
    message = {"municipality_code": CODE, "seq": 1_000_000, "ordinal": 0, "kind": "本人確認情報"}
    altered = {**held, "name": "誰か　別人", "sex": "male" if held["sex"] == "female" else "female"}
    assert httpx.post(f"{base}/v1/messages", json={**message, "body": altered}).status_code == 200
    found = differences(cli)
    assert [(d["kind"], d["resident_code"], d["item"]) for d in found] == [
        ("differs", code, "name"),
        ("differs", code, "sex"),
    ]
    assert (found[0]["register_value"], found[0]["cs_value"]) == (held["name"], "誰か　別人")

    # The table and the CSV list the same.
    table = cli.run("cs", "check", "-m", CODE)
    assert table.returncode == 0 and "相違 2 件" in table.stdout and "氏名" in table.stdout
    out = tmp_path / "check.csv"
    cli.ok("cs", "check", "-m", CODE, "--csv", str(out), "--json")
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["resident_code"], r["item_label"]) for r in rows] == [(code, "氏名"), (code, "性別")]
    assert out.stat().st_mode & 0o077 == 0  # personal data: owner-only


@pytest.mark.spec("7.1.1.2")
def test_cs_check_without_a_cs_or_with_the_cs_away_is_refused(sent: tuple[Cli, str]) -> None:
    cli, _ = sent
    cli.env["JICHITAI_CS_URL"] = ""
    assert cli.refused("cs", "check", "-m", CODE, "--json")[0]["code"] == (
        "national.not_configured"
    )
    cli.env["JICHITAI_CS_URL"] = "http://127.0.0.1:9"  # nobody listens on port 9
    assert cli.refused("cs", "check", "-m", CODE, "--json")[0]["code"] == "national.unavailable"


@pytest.mark.spec("7.1.1.3")
def test_card_status_shows_what_the_card_management_system_reports(
    sent: tuple[Cli, str],
) -> None:
    cli, base = sent
    copy = httpx.get(f"{base}/v1/identities", params={"municipality": CODE}).json()
    code, held = sorted(copy.items())[0]
    before = cli.ok("card", "status", "-m", CODE, held["atena"], "--json")
    assert (before["resident_code"], before["holds_card"], before["cards"]) == (code, False, [])
    card = {
        "municipality_code": CODE,
        "resident_code": code,
        "card": "juki",
        "status": "suspended",
        "issued_on": "2014-05-01",
        "expires_on": "2099-05-01",
        "updated_on": "2026-12-01",
    }
    assert httpx.post(f"{base}/v1/cards", json=card).status_code == 200
    bad = httpx.post(f"{base}/v1/cards", json={**card, "status": "lost"})
    assert bad.status_code == 400 and bad.json()["code"] == "cards.status_unknown"
    assert cli.ok("card", "refresh", "-m", CODE, "--json") == {"cards": 1, "changed": 1}
    after = cli.ok("card", "status", "-m", CODE, held["atena"], "--json")
    assert after["holds_card"] is True  # a suspended card is still in her hands
    assert [(c["card_label"], c["status_label"]) for c in after["cards"]] == [
        ("住基カード", "一時停止")
    ]
    table = cli.run("card", "status", "-m", CODE, held["atena"])
    assert "カードの所有: あり" in table.stdout and "一時停止" in table.stdout
    listed = cli.ok("card", "list", "-m", CODE, "--json")["cards"]
    assert [(c["resident_code"], c["card"]) for c in listed] == [(code, "juki")]
    cli.env["JICHITAI_CS_URL"] = "http://127.0.0.1:9"  # the CS away: the record still shows
    assert cli.refused("card", "refresh", "-m", CODE, "--json")[0]["code"] == (
        "national.unavailable"
    )
    assert cli.ok("card", "status", "-m", CODE, held["atena"], "--json")["holds_card"] is True
