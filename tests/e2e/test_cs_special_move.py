"""End-to-end: a family of three moves from 千代田区 (131016) to 大阪市 (271004), two municipalities
of one deployment, with 特例転出 and 特例転入 through the stand-in CS and the worker, every step
through the real interfaces (`jichitai serve`'s API, `jichitai worker`, `jichitai cs …`,
`jichitai standin serve`):

1. A's 特例転出 (no paper certificate) writes a 転出証明書情報 per person to the CS outbox,
   addressed to B (its code found by the 転出先's name); the worker sends it; the stand-in relays
   it to B's mailbox; the worker takes it into B's `cs inbox` (§4.1.3.0.4 (670)).
2. B's clerk starts the 転入 from it (pre-filled, special; §4.1.1.3 (610)); a reviewer approves.
   Without a 転出証明書情報 the clerk is told so (`cs_inbox.certificate_not_received`).
3. B's 転入 writes a 転入通知情報 to A; the worker sends it, the stand-in relays it, and the
   worker takes it in at A automatically: the family's 転出 is completed with the notice
   (notice_on set; §4.1.3.1.2 (690)).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from jichitai.adapters.clock import SystemClock
from tests.e2e.conftest import Cli, free_port, own_database, served
from tests.e2e.test_cs_standin import standin

A, B = "131016", "271004"
PASSWORD = "e2e password for the staff"
TODAY = SystemClock("Asia/Tokyo").today()  # the served process's own clock


@dataclass
class Deployment:
    cli: Cli
    api: str
    cs: str


@pytest.fixture
def deployment(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Deployment]:
    with own_database(tmp_path_factory) as cli:
        port = free_port()
        cli.env["JICHITAI_CS_URL"] = f"http://127.0.0.1:{port}"
        cli.env["JICHITAI_WEBHOOK_BACKOFF_BASE"] = "0.01"
        cli.env["JICHITAI_WEBHOOK_BACKOFF_CAP"] = "0.01"
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", A, "東京都千代田区")
        cli.ok("municipality", "add", B, "大阪府大阪市")
        for code, tag in ((A, "a"), (B, "b")):
            for role in ("clerk", "reviewer"):
                cli.ok("user", "add", "-m", code, f"{role}-{tag}", "--role", role, stdin=PASSWORD)
        with standin(cli, tmp_path / "cs", port) as cs, served(cli) as api:
            for code in (A, B):  # linked to the CS: 住民票コード come from its free codes
                refilled = cli.run("number", "refill", "-m", code)
                assert refilled.returncode == 0, refilled.stderr
            yield Deployment(cli, api, cs)


def staff(api: str, login: str) -> dict[str, str]:
    answer = httpx.post(f"{api}/api/v1/auth/token", data={"username": login, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def recorded(d: Deployment, tag: str, command: dict[str, Any]) -> dict[str, Any]:
    """Submitted by the clerk, approved by the reviewer: the change recorded."""
    submitted = httpx.post(
        f"{d.api}/api/v1/drafts", json={"command": command}, headers=staff(d.api, f"clerk-{tag}")
    )
    assert submitted.status_code == 201, submitted.text
    return approved(d, tag, submitted.json())


def approved(d: Deployment, tag: str, draft: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(
        f"{d.api}/api/v1/drafts/{draft['draft']['draft_id']}/approve",
        json={"acknowledged_alerts": [a["code"] for a in draft["alerts"]]},
        headers=staff(d.api, f"reviewer-{tag}"),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def member(given: str, kana: str, born: str, sex: str, relationship: str) -> dict[str, Any]:
    return {
        "kind": "japanese",
        "name": {"family": "特例", "given": given, "family_kana": "トクレイ", "given_kana": kana},
        "birth_date": {"kind": "calendar", "date": born},
        "sex": sex,
        "relationship": relationship,
        "family_register": {"domicile": "東京都千代田区霞が関一丁目1番", "head": "特例　一郎"},
    }


def work(cli: Cli) -> str:
    result = cli.run("worker", "--once")
    assert result.returncode == 0, result.stderr
    return result.stdout


def inbox(cli: Cli, code: str, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = cli.ok("cs", "inbox", "-m", code, *args)
    return rows


@pytest.mark.spec("4.1.1.3", "4.1.3.0.4", "4.1.3.1.2", "7.1.1.1")
def test_a_family_moves_with_special_move_out_and_move_in_through_the_cs(
    deployment: Deployment,
) -> None:
    d, cli = deployment, deployment.cli
    arrived = recorded(
        d,
        "a",
        {
            "type": "MoveIn",
            "header": {
                "effective_on": (TODAY - timedelta(days=10)).isoformat(),
                "filed_on": TODAY.isoformat(),
            },
            "address": {
                "prefecture": "東京都",
                "city": "千代田区",
                "town_area": "霞が関",
                "lot_text": "一丁目2番3号",
            },
            "previous_address": {"prefecture": "神奈川県", "city": "横浜市中区"},
            "members": [
                member("一郎", "イチロウ", "1980-04-01", "male", "世帯主"),
                member("花子", "ハナコ", "1982-05-02", "female", "妻"),
                member("次郎", "ジロウ", "2015-06-03", "male", "子"),
            ],
        },
    )
    family = arrived["atena_numbers"]
    assert len(family) == 3
    shown = [cli.ok("resident", "show", "-m", A, atena) for atena in family]
    codes = [p["resident_code"] for p in shown]
    assert all(codes)

    # 1. A: 特例転出 to 大阪市北区: a 転出証明書情報 per person, for B.
    recorded(
        d,
        "a",
        {
            "type": "MoveOut",
            "header": {"effective_on": TODAY.isoformat(), "filed_on": TODAY.isoformat()},
            "atena_numbers": family,
            "planned_on": TODAY.isoformat(),
            "onward_address": {
                "prefecture": "大阪府",
                "city": "大阪市北区",
                "town_area": "梅田",
                "lot_text": "一丁目1番1号",
            },
            "special": True,
        },
    )
    queued = cli.ok("cs", "list", "-m", A, "--status", "pending")["messages"]
    certificates = [m for m in queued if m["kind"] == "転出証明書情報"]
    assert [m["destination"] for m in certificates] == [B, B, B]
    # No certificate has arrived at B yet: the clerk is told so.
    refused = cli.refused("cs", "move-in", "-m", B, "-r", codes[0])
    assert refused[0]["code"] == "cs_inbox.certificate_not_received"
    assert "転出証明書情報はCSから届いていません" in refused[0]["message"]

    out = work(cli)
    assert f"cs sent {len(queued)}, refused 0" in out and "cs received 3" in out
    received = inbox(cli, B)
    assert [(r["kind"], r["sender"], r["status"]) for r in received] == [
        ("転出証明書情報", A, "new")
    ] * 3
    assert sorted(r["resident_code"] for r in received) == sorted(codes)
    assert [r["resident_code"] for r in inbox(cli, B, "-q", "特例 花子")] == [codes[1]]
    work(cli)
    assert len(inbox(cli, B)) == 3  # fetched again: nothing taken twice

    # 2. B: 特例転入 from the received 転出証明書情報, by the clerk; approved by a reviewer.
    started = httpx.post(
        f"{d.api}/api/v1/cs/special-move-in",
        json={"resident_codes": codes},
        headers=staff(d.api, "clerk-b"),
    )
    assert started.status_code == 201, started.text
    draft = started.json()
    command = draft["draft"]["command"]
    assert command["special"] is True
    assert command["address"]["city"] == "大阪市北区"
    assert command["previous_address"]["town_area"] == "霞が関"
    assert [m["name"]["given"] for m in command["members"]] == ["一郎", "花子", "次郎"]
    assert [m["relationship"] for m in command["members"]] == ["世帯主", "妻", "子"]
    assert [m["resident_code"] for m in command["members"]] == codes
    assert {r["status"] for r in inbox(cli, B)} == {"used"}
    again = httpx.post(
        f"{d.api}/api/v1/cs/special-move-in",
        json={"resident_codes": codes[:1]},
        headers=staff(d.api, "clerk-b"),
    )
    assert again.status_code == 404 and again.json()["errors"][0]["code"] == (
        "cs_inbox.certificate_not_received"
    )
    # What came over the CS may be corrected before it is recorded (§4.1.1.3): the building.
    corrected = {
        **command,
        "address": {**command["address"], "address_supplement": "梅田ハイツ101"},
    }
    edited = httpx.put(
        f"{d.api}/api/v1/drafts/{draft['draft']['draft_id']}",
        json={"command": corrected},
        headers=staff(d.api, "clerk-b"),
    )
    assert edited.status_code == 200, edited.text
    moved_in = approved(d, "b", draft)
    assert len(moved_in["atena_numbers"]) == 3
    at_b = [cli.ok("resident", "show", "-m", B, atena) for atena in moved_in["atena_numbers"]]
    assert [p["resident_code"] for p in at_b] == codes
    assert {p["status"] for p in at_b} == {"resident"}
    assert all(p["address"].endswith("梅田ハイツ101") for p in at_b)

    # 3. B's 転入通知情報 reach A through the CS; A takes them in without a clerk.
    notices = [m for m in cli.ok("cs", "list", "-m", B)["messages"] if m["kind"] == "転入通知情報"]
    assert [m["destination"] for m in notices] == [A, A, A]
    out = work(cli)
    assert "cs received 3, taken in 3, unmatched 0" in out
    taken = inbox(cli, A)
    assert [(r["kind"], r["sender"], r["status"]) for r in taken] == [
        ("転入通知情報", B, "taken")
    ] * 3
    for atena in family:
        person = cli.ok("resident", "show", "-m", A, atena)
        assert person["move_out"]["notice_on"], person
        assert person["move_out"]["confirmed_address"].endswith("梅田ハイツ101")
    # The stand-in relayed each message once, to the municipality it was addressed to.
    relayed = httpx.get(f"{d.cs}/v1/inbox", params={"municipality": A}).json()
    assert [m["kind"] for m in relayed] == ["転入通知情報"] * 3
