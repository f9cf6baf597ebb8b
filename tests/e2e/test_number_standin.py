"""End-to-end: 番号連携 (standard §7.1.2) and the CS's free 住民票コード (§4.3.1) through
`jichitai standin serve` (the number-generation service's stand-in), `jichitai worker` (it
fetches a block of free codes and sends the 個人番号生成要求, taking the answer in) and
`jichitai number …`."""

from __future__ import annotations

from pathlib import Path

import httpx2 as httpx
import pytest

from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.domain.common.identifiers import individual_number_check_digit
from tests.e2e.conftest import free_port, own_database
from tests.e2e.test_cs_standin import CODE, standin, work
from tests.factories import a_person
from tests.integration.test_number_link import a_birth
from tests.integration.test_tenancy import move_in


@pytest.mark.spec("4.3.1")
@pytest.mark.spec("7.1.2.1")
@pytest.mark.spec("7.1.2.2")
@pytest.mark.spec("7.1.2.4")
def test_codes_come_from_the_cs_and_births_get_numbers_through_the_worker(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with own_database(tmp_path_factory) as cli:
        port = free_port()
        cli.env["JICHITAI_CS_URL"] = f"http://127.0.0.1:{port}"
        cli.env["JICHITAI_FREE_CODES_BLOCK"] = "40"
        cli.env["JICHITAI_FREE_CODES_LOW"] = "10"
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", CODE, "東京都千代田区")
        assert cli.ok("number", "stock", "-m", CODE, "--json") == {
            "size": 0,
            "low_mark": 10,
            "low": True,
        }
        # Without codes from the CS a new person is refused (never a code made here).
        assert cli.run("demo", "seed", "-m", CODE, "--residents", "3").returncode != 0
        assert cli.run("number", "status").returncode == 1  # nobody answers yet
        with standin(cli, tmp_path / "cs", port) as base:
            assert cli.ok("number", "status", "--json") == {"enabled": True, "healthy": True}
            work(cli)  # the worker's free-code step fetches a block
            assert cli.ok("number", "stock", "-m", CODE, "--json")["size"] == 40
            cli.ok("demo", "seed", "-m", CODE, "--residents", "12", "--seed", "3")
            # The seed's births bring numbers of its own (demo data): a family and a birth are
            # recorded here, over the commands' database, with the link on as the commands have it.
            for name in ("JICHITAI_DATABASE_URL", "JICHITAI_KEY_DIR", "JICHITAI_CS_URL"):
                monkeypatch.setenv(name, cli.env[name])
            app = bootstrap(Settings.from_environment())
            try:
                family = app.register.record_change(CODE, move_in(a_person(name="番号")))
                atena = a_birth(app, CODE, family.households[0], "桃子")
            finally:
                app.engine.dispose()
            work(cli)  # sends the messages; the 個人番号生成要求's answer is taken in
            handed = httpx.get(f"{base}/v1/free-codes", params={"municipality": CODE}).json()
            copy = httpx.get(f"{base}/v1/identities", params={"municipality": CODE}).json()
            left = cli.ok("number", "stock", "-m", CODE, "--json")["size"]
            # The seed fetched more blocks first (enough for its persons): never a code of our own.
            assert len(handed) > 40 and set(copy) <= set(handed)
            assert len(copy) == len(handed) - left  # each drawn once (the copy is keyed by code)
            assert cli.ok("cs", "list", "-m", CODE, "--status", "pending")["messages"] == []
            requests = httpx.get(f"{base}/v1/messages", params={"municipality": CODE}).json()
            assert [m["kind"] for m in requests].count("個人番号生成要求") == 1
            history = cli.ok(
                "resident", "show", "-m", CODE, atena, "--history", "--show-individual-number"
            )
            assert [h["reason"] for h in history] == ["birth", "individual_number_ex_officio_entry"]
            number = history[-1]["individual_number"]
            assert number[-1] == individual_number_check_digit(number[:11])
            changed = cli.ok("number", "change", "-m", CODE, atena, "--json")
            shown = cli.ok(
                "resident", "show", "-m", CODE, atena, "--show-individual-number", "--json"
            )
            assert shown["individual_number"] == changed["individual_number"] != number
            fugo = cli.ok("number", "obtain", "-m", CODE, "fugo", atena, "--json")
            serial = cli.ok("number", "obtain", "-m", CODE, "serial", atena, "--json")
            assert fugo["status"] == serial["status"] == "ok"
            records = cli.ok("number", "list", "-m", CODE, "--atena", atena, "--json")
            assert {r["kind"] for r in records} == {"number_change", "fugo", "serial"}
            assert fugo["value"] not in {r["value"] for r in records}  # masked for a clerk
