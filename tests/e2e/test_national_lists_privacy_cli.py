"""End-to-end on the command line: a foreign resident placed under a 支援措置 is withheld from
the national links' lists (``domain/access/suppression/listing.py``): `immigration list` names her
notice by 宛名番号 only, `cs inbox` and the printed 転入通知情報等取込エラー一覧表 show the 転入通知
about her without her name or 住民票コード, and `cs list` marks the messages about her. Before
the measure the same lists showed her."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx2 as httpx
import pytest

from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.access.suppression import WITHHELD_MARK
from tests.api.test_cs_inbox_api import notice
from tests.e2e.conftest import free_port, own_database
from tests.e2e.test_cs_standin import standin, work
from tests.e2e.test_koseki_immigration_standin import CODE


@pytest.mark.spec("3.4")
def test_a_supported_foreign_resident_is_withheld_from_every_national_list(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with own_database(tmp_path_factory) as cli:
        port = free_port()
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", CODE, "東京都千代田区")
        cli.ok("demo", "seed", "-m", CODE, "--residents", "40", "--seed", "3")
        cli.env["JICHITAI_CS_URL"] = f"http://127.0.0.1:{port}"
        with standin(cli, tmp_path / "cs", port) as base:
            work(cli)
            held = httpx.get(f"{base}/v1/immigration", params={"municipality": CODE}).json()
            her = next(
                n
                for n in {n["resident_code"]: n for n in held}.values()
                if n["residence_card_number"]
                and n["status"] == "resident"
                and n["reason"] not in ("domestic_move_out", "move_out_abroad")
            )
            card, code = her["residence_card_number"], her["resident_code"]
            offered = {
                "municipality_code": CODE,
                "notice": {
                    "notice_id": "DV-1",
                    "kind": "在留資格変更許可",
                    "residence_card_number": card,
                    "items": {"residence_status": "永住者", "period_of_stay": "無期限"},
                },
            }
            assert httpx.post(f"{base}/v1/immigration/offered", json=offered).status_code == 200
            assert cli.ok("immigration", "receive", "-m", CODE)["listed"] == 1
            before = cli.ok("immigration", "list", "-m", CODE)["notices"]
            assert before[0]["residence_card_number"] == card and not before[0]["withheld"]
            atena = before[0]["atena_number"]

            # The DV officer places her under a 支援措置 (through the service, as the API does).
            for name in ("JICHITAI_DATABASE_URL", "JICHITAI_KEY_DIR"):
                monkeypatch.setenv(name, cli.env[name])
            monkeypatch.setenv("JICHITAI_CS_URL", "")
            app = bootstrap(Settings.from_environment())
            try:
                app.suppressions.set(
                    Actor("dv-officer", CODE, frozenset({Role.DV_OFFICER})),
                    kind="dv_support",
                    atena_number=atena,
                    starts_on=app.clock.today(),
                    reason="支援措置申出書の受理",
                )
            finally:
                app.engine.dispose()

            after = cli.ok("immigration", "list", "-m", CODE)["notices"]
            assert [(n["atena_number"], n["withheld"]) for n in after] == [(atena, True)]
            assert after[0]["residence_card_number"] == WITHHELD_MARK

            # A 転入通知 about her from another municipality (she still lives here: unmatched).
            relayed = notice(CODE, 1, code)
            assert httpx.post(f"{base}/v1/messages", json=relayed).status_code == 200
            assert cli.ok("cs", "receive")["received"] == 1
            rows = cli.ok("cs", "inbox", "-m", CODE)
            assert [(r["name"], r["resident_code"], r["withheld"]) for r in rows] == [
                (WITHHELD_MARK, "", True)
            ]
            assert rows[0]["note"] == "move_in_notice.not_moved_out"
            assert cli.ok("cs", "inbox", "-m", CODE, "-q", code) == []
            out = tmp_path / "intake.csv"
            cli.ok("cs", "intake-error-list", "-m", CODE, "--format", "csv", "--out", str(out))
            table = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
            assert len(table) == 2 and table[1][5] == WITHHELD_MARK
            assert code not in out.read_text(encoding="utf-8-sig")

            messages = cli.ok("cs", "list", "-m", CODE, "--status", "sent")["messages"]
            assert any(m["withheld"] for m in messages)
            assert not all(m["withheld"] for m in messages)
