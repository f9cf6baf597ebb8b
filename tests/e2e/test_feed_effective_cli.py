"""End-to-end: `jichitai feed effective`, the dates step the worker runs and the feed runs before
answering (docs/integration.md, "Dates"), by hand: nothing due is nothing appended, and a day
after today or not a day is refused naming the option."""

from __future__ import annotations

from datetime import date, timedelta

from tests.e2e.conftest import Cli

CODE = "131016"


def test_the_dates_step_by_hand_appends_nothing_twice_and_refuses_a_day_not_yet_come(
    cli: Cli,
) -> None:
    assert cli.run("db", "upgrade").returncode == 0
    cli.ok("municipality", "add", CODE, "東京都千代田区")
    assert cli.ok("feed", "effective", "-m", CODE) == {"municipality": CODE, "took_effect": []}
    assert cli.ok("feed", "effective", "-m", CODE, "--on", "2026-01-01")["took_effect"] == []
    later = (date.today() + timedelta(days=3)).isoformat()  # noqa: TID251  # the CLI's own day
    (future,) = cli.refused("feed", "effective", "-m", CODE, "--on", later)
    assert future["code"] == "as_of.future" and future["field"] == "on"
    (bad,) = cli.refused("feed", "effective", "-m", CODE, "--on", "2026-13-01")
    assert bad["code"] == "as_of.invalid" and bad["field"] == "on"
