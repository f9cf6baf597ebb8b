"""End-to-end: every read of the national links' lists on the command line is in the access log
(standard §10.2 (1370)), under the operator's name as the CLI's other reads: `jichitai cs list`,
`cs inbox`, `cs check`, `card status|list`, `number list` and `immigration list` each leave one
``view`` entry naming the persons shown (an 長官通知 for a card nobody here holds: counted)."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest

from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.services.audit import AccessEntry, AccessSearch, Operation
from tests.e2e.conftest import free_port, own_database
from tests.e2e.test_cs_standin import standin, work
from tests.e2e.test_koseki_immigration_standin import CODE


@pytest.mark.spec("10.2")
def test_each_national_list_read_on_the_command_line_is_logged(
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
            taken = httpx.get(f"{base}/v1/immigration", params={"municipality": CODE}).json()
            latest = {n["resident_code"]: n for n in taken}
            card = next(
                n["residence_card_number"]
                for n in latest.values()
                if n["residence_card_number"]
                and n["status"] == "resident"
                and n["reason"] not in ("domestic_move_out", "move_out_abroad")
            )
            for notice_id, number in (("E2E-1", card), ("E2E-2", "ZZ99999999ZZ")):
                notice = {
                    "notice_id": notice_id,
                    "kind": "在留資格変更許可",
                    "residence_card_number": number,
                    "items": {"residence_status": "永住者", "period_of_stay": "無期限"},
                }
                offered = {"municipality_code": CODE, "notice": notice}
                answer = httpx.post(f"{base}/v1/immigration/offered", json=offered)
                assert answer.status_code == 200
            assert cli.ok("immigration", "receive", "-m", CODE)["listed"] == 1
            notices = cli.ok("immigration", "list", "-m", CODE)["notices"]
            foreigner = next(n["atena_number"] for n in notices if n["status"] == "listed")
            messages = cli.ok("cs", "list", "-m", CODE, "--status", "sent")["messages"]
            assert messages
            assert cli.ok("cs", "check", "-m", CODE)["differences"] == []
            cli.ok("cs", "inbox", "-m", CODE)
            cli.ok("card", "status", "-m", CODE, foreigner)
            cli.ok("card", "list", "-m", CODE)
            cli.ok("number", "list", "-m", CODE)

        for name in ("JICHITAI_DATABASE_URL", "JICHITAI_KEY_DIR"):
            monkeypatch.setenv(name, cli.env[name])
        monkeypatch.setenv("JICHITAI_CS_URL", "")
        app = bootstrap(Settings.from_environment())
        try:
            auditor = Actor("auditor", CODE, frozenset({Role.AUDITOR}))
            views = app.access_log.search(auditor, AccessSearch(operation=Operation.VIEW))
        finally:
            app.engine.dispose()

    by_target: dict[str, AccessEntry] = {}
    for entry in reversed(views):  # oldest first: each list's one entry
        by_target.setdefault(entry.target.split(" ")[0], entry)
    assert {
        "immigration",
        "cs_messages",
        "cs_check",
        "cs_inbox",
        f"cards:{foreigner}",
        "cards",
        "number_link",
    } <= set(by_target)
    assert all(e.user_login.startswith("operator:") for e in by_target.values())
    immigration = by_target["immigration"]
    assert (immigration.atena_numbers, immigration.person_count) == ((foreigner,), 2)
    sent = by_target["cs_messages"]
    assert sent.target == "cs_messages status=sent" and sent.person_count >= 40
    assert by_target["cs_check"].target.startswith("cs_check persons=")
    assert by_target["cs_check"].atena_numbers == ()  # nothing differs: nobody shown
    assert by_target[f"cards:{foreigner}"].atena_numbers == (foreigner,)
