"""End-to-end: the administrator sets, through `jichitai subscriber withheld-duties`, the duties
for which an election-roll system still receives withheld persons; a wrong setting is refused
with its reason, and the setting shows in `subscriber list`."""

from __future__ import annotations

from tests.e2e.conftest import Cli

CODE = "131016"


def test_the_duty_for_withheld_persons_is_set_and_cleared_at_the_console(cli: Cli) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    cli.ok(
        "subscriber", "add", "-m", CODE, "--name", "選挙システム", "--system", "elections",
        "--items", "氏_日本人,生年月日,支援措置対象フラグ",
    )  # fmt: skip
    sid = cli.ok("subscriber", "list", "-m", CODE)[0]["subscriber_id"]
    refused = cli.refused("subscriber", "withheld-duties", "-m", CODE, sid, "--duties", "racing")
    assert [e["code"] for e in refused] == ["subscriber.unknown_system"]
    set_ = cli.ok("subscriber", "withheld-duties", "-m", CODE, sid, "--duties", "elections")
    assert set_["withheld_duties"] == ["elections"]
    assert cli.ok("subscriber", "list", "-m", CODE)[0]["withheld_duties"] == ["elections"]
    cleared = cli.ok("subscriber", "withheld-duties", "-m", CODE, sid, "--duties", "")
    assert cleared["withheld_duties"] == []
