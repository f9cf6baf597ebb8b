"""End-to-end: the 送付先 and the 送付先情報 for the card management system (standard §7.1.1.4
(1120)) through `jichitai card destination`, `jichitai card renewal-targets` and `jichitai cs
list --kind 送付先情報` against `jichitai standin serve`, sent by `jichitai worker`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx2 as httpx
import pytest

from tests.e2e.conftest import Cli
from tests.e2e.test_cs_check import sent  # noqa: F401 (the fixture)
from tests.e2e.test_cs_standin import CODE, work

KIND = "送付先情報"
JST = timezone(timedelta(hours=9))
pytestmark = pytest.mark.spec("7.1.1.4")


def taken(base: str) -> list[dict[str, Any]]:
    """The stand-in CS's 送付先情報, with their bodies, in the order taken."""
    found: list[dict[str, Any]] = httpx.get(
        f"{base}/v1/card-destinations", params={"municipality": CODE}
    ).json()
    return found


def residents(base: str) -> list[tuple[str, dict[str, Any]]]:
    """The CS's copy of the municipality's residents (the seed also records deaths), by code."""
    copy = httpx.get(f"{base}/v1/identities", params={"municipality": CODE}).json()
    return sorted((c, held) for c, held in copy.items() if held["status"] == "resident")


def history(cli: Cli, *search: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cli.ok("cs", "list", "-m", CODE, "--kind", KIND, *search)[
        "messages"
    ]
    return found


def test_a_residence_set_and_cleared_is_sent_and_found_by_kind_person_and_day(
    sent: tuple[Cli, str],  # noqa: F811
) -> None:
    cli, base = sent
    # The seeded residents moved in without a 送付先: their 本人確認情報 carry the 住所, and no
    # 送付先情報 went with those changes.
    assert taken(base) == []
    code, held = residents(base)[0]
    atena = held["atena"]

    shown = cli.ok("card", "destination", "show", "-m", CODE, atena)
    assert (shown["resident_code"], shown["send_to"], shown["history"]) == (code, "", [])
    made = cli.ok(
        "card", "destination", "set", "-m", CODE, atena,
        "--prefecture", "東京都", "--city", "千代田区", "--town-area", "神田神保町",
        "--lot", "一丁目1番地", "--supplement", "神保町ハイツ101号", "--postcode", "101-0051",
    )  # fmt: skip
    assert made["send_to"] == "東京都千代田区神田神保町一丁目1番地　神保町ハイツ101号"
    assert made["send_to_postcode"] == "1010051"
    assert [h["cleared"] for h in made["history"]] == [False]
    cleared = cli.ok("card", "destination", "clear", "-m", CODE, atena)
    assert cleared["send_to"] == "" and [h["cleared"] for h in cleared["history"]] == [False, True]
    assert all(h["set_by"] and h["set_at"] for h in cleared["history"])

    # Both went to the outbox and, sent by the worker, the CS has them in order.
    pending = [m for m in history(cli, "--person", atena) if m["status"] == "pending"]
    assert len(pending) == 2 and {m["resident_code"] for m in pending} == {code}
    work(cli)
    mine = [m["body"] for m in taken(base) if m["body"]["resident_code"] == code]
    assert [(b["trigger"], b["send_to_kind"]) for b in mine][-2:] == [
        ("set", "residence"),
        ("cleared", "address"),
    ]
    assert mine[-2]["send_to"] == made["send_to"] and mine[-1]["send_to"] == held["address"]
    assert mine[-2]["send_to_postcode"] == "1010051"

    # The send history: by kind, by person (宛名番号 or 住民票コード), by the day sent (JST).
    by_code = history(cli, "--person", code)
    assert [m["status"] for m in by_code] == ["sent", "sent"]
    assert by_code == history(cli, "--person", atena)
    days = sorted(datetime.fromisoformat(m["sent_at"]).astimezone(JST).date() for m in by_code)
    span = ("--from", days[0].isoformat(), "--to", days[-1].isoformat())
    assert history(cli, "--person", code, *span) == by_code
    after = (days[-1] + timedelta(days=1)).isoformat()
    assert history(cli, "--person", code, "--from", after) == []
    every = cli.ok("cs", "list", "-m", CODE)["messages"]
    assert {m["kind"] for m in history(cli)} == {KIND} and len(history(cli)) < len(every)
    table = cli.run("cs", "list", "-m", CODE, "--kind", KIND, "--person", atena)
    assert table.returncode == 0 and code in table.stdout


def test_bad_input_is_refused_with_its_code_message_and_field(
    sent: tuple[Cli, str],  # noqa: F811
) -> None:
    cli, base = sent
    atena = residents(base)[0][1]["atena"]
    errors = cli.refused(
        "card", "destination", "set", "-m", CODE, atena, "--city", "千代田区",
        "--prefecture", "東京府",
    )  # fmt: skip
    assert (errors[0]["code"], errors[0]["field"]) == ("address.prefecture", "address.prefecture")
    assert "都道府県" in errors[0]["message"]
    errors = cli.refused("card", "destination", "clear", "-m", CODE, atena)
    assert (errors[0]["code"], errors[0]["field"]) == ("card_destination.not_set", "atena_number")
    errors = cli.refused("card", "destination", "show", "-m", CODE, "123")
    assert errors[0]["field"] == "atena_number"
    errors = cli.refused("cs", "list", "-m", CODE, "--kind", "送付先", "--from", "2026-13-01")
    assert {(e["code"], e["field"]) for e in errors} == {
        ("cs.kind_unknown", "kind"),
        ("date.invalid", "sent_from"),
    }


def test_renewal_targets_are_matched_sent_and_the_unmatched_listed(
    sent: tuple[Cli, str],  # noqa: F811
) -> None:
    cli, base = sent
    (code, held), (other, _) = residents(base)[:2]
    unknown = "99999999999"
    for target in (code, unknown):
        played = {"municipality_code": CODE, "resident_code": target, "expires_on": "2027-03-31"}
        assert httpx.post(f"{base}/v1/renewal-targets", json=played).status_code == 200
    cli.ok(
        "card", "destination", "set", "-m", CODE, held["atena"], "--city", "千代田区",
        "--town-area", "丸の内", "--lot", "一丁目1番地",
    )  # fmt: skip
    result = cli.ok("card", "renewal-targets", "-m", CODE)
    assert result["listed"] == 2
    assert [(s["resident_code"], s["atena_number"]) for s in result["sent"]] == [
        (code, held["atena"])
    ]
    assert [(u["resident_code"], u["reason"]) for u in result["unmatched"]] == [
        (unknown, "住民記録にない住民票コードです")
    ]
    table = cli.run("card", "renewal-targets", "-m", CODE)
    assert "突合できないもの 1 件" in table.stdout and unknown in table.stdout
    work(cli)
    renewals = [m["body"] for m in taken(base) if m["body"]["trigger"] == "renewal"]
    assert {b["resident_code"] for b in renewals} == {code}  # each run sends again
    assert renewals[0]["send_to"].endswith("千代田区丸の内一丁目1番地")
    assert renewals[0]["send_to_kind"] == "residence"
    assert other not in {b["resident_code"] for b in renewals}
