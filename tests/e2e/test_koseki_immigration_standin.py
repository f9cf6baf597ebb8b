"""End-to-end through `jichitai standin serve`, `jichitai worker` and `jichitai immigration`: the
戸籍附票記載事項通知 (§7.2.4 (1200)) and 市町村通知 (§4.5.7 (970)) of the seeded changes reach the
stand-in's 附票 and 出入国在留管理庁 sides; a 出入国在留管理庁長官通知 (§4.5.6 (960)) offered by
the stand-in is received, listed and made into a draft by the clerk's commands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.e2e.conftest import Cli, free_port, own_database
from tests.e2e.test_cs_standin import standin, work

CODE = "131016"


@pytest.fixture
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, int]]:
    with own_database(tmp_path_factory) as cli:
        port = free_port()
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", CODE, "東京都千代田区")
        # Seeded before the link is on (住民票コード made here); its messages wait in the outbox.
        cli.ok("demo", "seed", "-m", CODE, "--residents", "40", "--seed", "3")
        cli.env["JICHITAI_CS_URL"] = f"http://127.0.0.1:{port}"
        yield cli, port


def messages(cli: Cli, kind: str) -> list[dict[str, Any]]:
    return [m for m in cli.ok("cs", "list", "-m", CODE)["messages"] if m["kind"] == kind]


@pytest.mark.spec("7.2.4")
@pytest.mark.spec("4.5.7")
@pytest.mark.spec("4.5.6")
def test_notices_go_out_through_the_worker_and_the_authoritys_come_in_through_the_cli(
    seeded: tuple[Cli, int], tmp_path: Path
) -> None:
    cli, port = seeded
    fuhyo, immigration = messages(cli, "戸籍附票記載事項通知"), messages(cli, "市町村通知")
    assert fuhyo and immigration
    assert {m["destination"] for m in immigration} == {"出入国在留管理庁"}
    with standin(cli, tmp_path / "cs", port) as base:
        work(cli)
        assert messages(cli, "市町村通知")[0]["status"] == "sent"
        sent = [m for m in messages(cli, "戸籍附票記載事項通知") if m["status"] == "sent"]
        assert sent
        kept = httpx.get(f"{base}/v1/fuhyo", params={"domicile": sent[0]["destination"]}).json()
        assert sent[0]["receipt"] in {n["receipt"] for n in kept}
        taken = httpx.get(f"{base}/v1/immigration", params={"municipality": CODE}).json()
        assert [n["receipt"] for n in taken] == [
            m["receipt"] for m in messages(cli, "市町村通知") if m["status"] == "sent"
        ]
        latest = {n["resident_code"]: n for n in taken}  # each person's last notice
        card = next(
            n["residence_card_number"]
            for n in latest.values()
            if n["residence_card_number"]
            and n["status"] == "resident"
            and n["reason"] not in ("domestic_move_out", "move_out_abroad")
        )
        notice = {
            "notice_id": "E2E-1",
            "kind": "在留資格変更許可",
            "residence_card_number": card,
            "items": {"residence_status": "永住者", "period_of_stay": "無期限"},
        }
        offered = {"municipality_code": CODE, "notice": notice}
        assert httpx.post(f"{base}/v1/immigration/offered", json=offered).status_code == 200
        assert cli.ok("immigration", "receive", "-m", CODE) == {
            "receiving": True,
            "listed": 1,
            "unknown": 0,
        }
        listed = cli.ok("immigration", "list", "-m", CODE)["notices"]
        assert [(n["notice_id"], n["status"]) for n in listed] == [("E2E-1", "listed")]
        drafted = cli.ok("immigration", "take", "-m", CODE, "E2E-1")
        assert drafted["draft_id"]
        listed = cli.ok("immigration", "list", "-m", CODE, "--status", "drafted")["notices"]
        assert [n["draft_id"] for n in listed] == [drafted["draft_id"]]
