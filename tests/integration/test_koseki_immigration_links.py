"""The 戸籍附票記載事項通知 to the 本籍地 (住基法19条; standard §7.2.4 (1200), §7.1.1.1 (1090)) and
the 市町村通知 to 出入国在留管理庁 (住基法30条の50; §4.5.7 (970)) on the database: written with
the change into the CS outbox, sent in order by the sender (the worker's step) to the stand-in,
whose 戸籍附票 side keeps them per 本籍地 and whose 出入国在留管理庁 side per municipality; a
notice they cannot take is kept in error, with their answer, for the clerk."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
from jichitai.adapters.db.immigration_inbox_store import SqlImmigrationInbox
from jichitai.adapters.http.cs_transport import HttpCsTransport
from jichitai.adapters.http.immigration_source import HttpImmigrationSource
from jichitai.bootstrap import App, standin_cs_server
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.residents.commands import Correct, InTownMove, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.immigration import ImmigrationIntake
from jichitai.services.national import CsSender
from tests.factories import (
    a_family_register,
    a_foreign_person,
    a_header,
    a_municipality,
    a_person,
    an_address,
    foreign_details,
)
from tests.integration.test_tenancy import move_in

CHIYODA = "東京都千代田区"


def clerk(code: str) -> Actor:
    return Actor(f"clerk-{code}", code, frozenset({Role.CLERK}))


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[str]:
    server = standin_cs_server("127.0.0.1", 0, str(tmp_path / "cs"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sender(app: App, url: str | None) -> CsSender:
    transport = HttpCsTransport(url, timeout=5) if url else None
    return CsSender(
        SqlCsOutbox(app.engine),
        transport,
        app.clock,
        RetryPolicy(0.01, 0.01, 3),
        read_log=app.read_log,
    )


def of_kind(app: App, code: str, kind: str, status: str | None = None) -> list[Any]:
    return [m for m in sender(app, None).listed(clerk(code), status) if m.kind == kind]


@pytest.mark.spec("7.2.4")
def test_a_change_of_address_notifies_the_domicile_and_its_fuhyo_side_keeps_it(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    done = app.register.record_change(
        a,
        move_in(
            a_person(),
            a_person(
                name="佐藤",
                relationship="同居人",
                family_register=a_family_register("大阪府大阪市北区中之島一丁目1番", "佐藤　太郎"),
            ),
            a_person(name="田中", relationship="同居人", family_register=a_family_register("不明")),
        ),
    )
    notices = of_kind(app, a, "戸籍附票記載事項通知")
    # The 本籍地 of each person with a 本籍 (管内 and 管外 alike); none for 本籍「不明」.
    assert [m.destination for m in notices] == [CHIYODA, "大阪府大阪市北区"]
    body = json.loads(notices[0].body)
    assert body["domicile"] == "東京都千代田区霞が関一丁目2番"
    assert body["family_head"] == "髙橋　一郎" and body["address"].endswith("一丁目2番3号")
    atena = AtenaNumber(done.atena_numbers[0])
    app.register.record_change(
        a,
        InTownMove(
            header=a_header(),
            atena_numbers=tuple(AtenaNumber(n) for n in done.atena_numbers),
            address=an_address(lot="五丁目1番"),
        ),
    )
    # A correction of items the 附票 does not keep sends none.
    app.register.record_change(
        a,
        Correct(
            header=a_header(),
            atena_number=atena,
            reason=ChangeReason.MINOR_CORRECTION,
            changes=RecordChanges(remarks="確認済"),
        ),
    )
    assert len(of_kind(app, a, "戸籍附票記載事項通知")) == 4
    report = sender(app, standin).send_due()
    assert report.refused == 0 and report.retrying == 0
    kept = httpx.get(f"{standin}/v1/fuhyo", params={"domicile": CHIYODA}).json()
    assert [(n["reason"], n["address"].rsplit("丁目", 1)[0][-1]) for n in kept] == [
        ("domestic_move_in", "一"),
        ("in_town_move", "五"),
    ]
    assert {n["from"] for n in kept} == {a}
    sent = of_kind(app, a, "戸籍附票記載事項通知", "sent")
    assert [m.receipt for m in sent if m.destination == CHIYODA] == [n["receipt"] for n in kept]
    osaka = httpx.get(f"{standin}/v1/fuhyo", params={"domicile": "大阪府大阪市北区"}).json()
    assert [(n["name"], n["reason"]) for n in osaka] == [
        ("佐藤　一郎", "domestic_move_in"),
        ("佐藤　一郎", "in_town_move"),
    ]


@pytest.mark.spec("7.2.4")
def test_a_notice_whose_domicile_cannot_be_read_is_refused_and_kept_for_the_clerk(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    app.register.record_change(
        a, move_in(a_person(family_register=a_family_register("霞が関一丁目2番", "髙橋　一郎")))
    )
    sender(app, standin).send_due()
    refused = of_kind(app, a, "戸籍附票記載事項通知", "error")
    assert [m.last_error.split(":")[0] for m in refused] == ["fuhyo.domicile_unknown"]
    assert of_kind(app, a, "本人確認情報", "sent")  # the next messages went on
    # The stand-in refuses a notice without a 本籍 outright.
    body = {**json.loads(refused[0].body), "domicile": ""}
    answer = httpx.post(
        f"{standin}/v1/messages",
        json={
            "municipality_code": a,
            "seq": 99,
            "ordinal": 0,
            "kind": "戸籍附票記載事項通知",
            "destination": CHIYODA,
            "body": body,
        },
    )
    assert answer.status_code == 400 and answer.json()["code"] == "fuhyo.domicile_missing"


@pytest.mark.spec("4.5.7")
def test_a_foreign_residents_changes_go_to_immigration_classed_by_law(
    app: App, standin: str
) -> None:
    a = a_municipality(app)
    done = app.register.record_change(
        a, move_in(a_foreign_person(), a_person(relationship="同居人"))
    )
    atena = AtenaNumber(done.atena_numbers[0])
    app.register.record_change(
        a,
        InTownMove(
            header=a_header(),
            atena_numbers=tuple(AtenaNumber(n) for n in done.atena_numbers),
            address=an_address(lot="五丁目1番"),
        ),
    )
    renewed = foreign_details(period_of_stay="5年", stay_expires_on=date(2031, 3, 31))
    app.register.record_change(
        a,
        Correct(
            header=a_header(),
            atena_number=atena,
            reason=ChangeReason.EX_OFFICIO_CORRECTION,
            changes=RecordChanges(foreign=replace(renewed, residence_status="永住者")),
        ),
    )
    notices = of_kind(app, a, "市町村通知")
    # Only the foreign resident: the Japanese 同居人 sends none.
    assert {m.destination for m in notices} == {"出入国在留管理庁"}
    laws = [(json.loads(m.body)["reason"], json.loads(m.body)["law"]) for m in notices]
    assert laws == [
        ("domestic_move_in", "住基法・入管法"),
        ("in_town_move", "住基法・入管法"),
        ("ex_officio_correction", "住基法"),
    ]
    assert [json.loads(m.body)["transmission"] for m in notices] == [True, True, False]
    report = sender(app, standin).send_due()
    assert report.refused == 0
    kept = httpx.get(f"{standin}/v1/immigration", params={"municipality": a}).json()
    assert [n["receipt"] for n in kept] == [m.receipt for m in of_kind(app, a, "市町村通知")]
    last = kept[-1]
    assert (last["residence_status"], last["period_of_stay"], last["stay_expires_on"]) == (
        "永住者",
        "5年",
        "2031-03-31",
    )
    assert last["nationality"] == "中国" and last["residence_card_number"] == "AB12345678CD"
    # 照会: the clerk lists what was sent, with the authority's receipts (its 処理結果).
    assert all(m.receipt for m in of_kind(app, a, "市町村通知", "sent"))


def intake(app: App, url: str) -> ImmigrationIntake:
    return ImmigrationIntake(
        SqlImmigrationInbox(app.shards),
        HttpImmigrationSource(url, timeout=5),
        app.register_access,
        app.clock,
        read_log=app.read_log,
    )


def offer(url: str, code: str, notice: dict[str, Any]) -> None:
    answer = httpx.post(
        f"{url}/v1/immigration/offered", json={"municipality_code": code, "notice": notice}
    )
    assert answer.status_code == 200


@pytest.mark.spec("4.5.6")
def test_notices_of_the_authority_are_listed_matched_or_with_a_reason_and_taken_as_a_draft(
    app: App, standin: str
) -> None:
    a, b = a_municipality(app), a_municipality(app)
    done = app.register.record_change(a, move_in(a_foreign_person()))
    card = "AB12345678CD"
    renewal = {
        "notice_id": "N-0001",
        "kind": "在留期間更新許可",
        "residence_card_number": card,
        "items": {"period_of_stay": "5年", "stay_expires_on": "2031-03-31"},
    }
    offer(standin, a, renewal)
    offer(standin, a, {**renewal, "notice_id": "N-0002", "residence_card_number": "XY87654321AB"})
    offer(standin, a, {**renewal, "notice_id": "N-0003", "kind": "不明な通知"})
    clerk_a = clerk(a)
    report = intake(app, standin).receive(clerk_a)
    assert (report.listed, report.unknown) == (1, 2)
    again = intake(app, standin).receive(clerk_a)  # nothing is taken in twice
    assert (again.listed, again.unknown) == (0, 0)
    notices = intake(app, standin).listed(clerk_a)
    assert [(n.notice_id, n.status) for n in notices] == [
        ("N-0001", "listed"),
        ("N-0002", "unknown"),
        ("N-0003", "unknown"),
    ]
    assert notices[0].atena_number == done.atena_numbers[0]
    assert "XY87654321AB に該当する住民がいません" in notices[1].reason
    assert "通知種別 不明な通知 は取り込めません" in notices[2].reason
    assert intake(app, standin).listed(clerk(b)) == []  # each municipality its own
    with pytest.raises(DomainError) as unknown_status:
        intake(app, standin).listed(clerk_a, "lost")
    assert unknown_status.value.code == "immigration.status_unknown"

    draft_id = intake(app, standin).take(clerk_a, "N-0001")
    assert [n.draft_id for n in intake(app, standin).listed(clerk_a, "drafted")] == [draft_id]
    with pytest.raises(DomainError) as twice:
        intake(app, standin).take(clerk_a, "N-0001")
    assert twice.value.code == "immigration.not_listed"
    with pytest.raises(DomainError) as not_a_person:
        intake(app, standin).take(clerk_a, "N-0002")
    assert not_a_person.value.code == "immigration.not_listed"
    # Nothing changes until another clerk approves the draft (the 確認票 step).
    atena = done.atena_numbers[0]
    assert app.register_access.record(clerk_a, atena).record.foreign.period_of_stay == "3年"  # type: ignore[union-attr]
    reviewer = Actor("reviewer", a, frozenset({Role.REVIEWER}))
    app.register_access.approve_draft(reviewer, draft_id)
    foreign = app.register_access.record(clerk_a, atena).record.foreign
    assert foreign is not None
    assert (foreign.period_of_stay, foreign.stay_expires_on) == ("5年", date(2031, 3, 31))
    # The change is itself a 市町村通知 (住基法) to the authority.
    last = of_kind(app, a, "市町村通知")[-1]
    assert (json.loads(last.body)["law"], json.loads(last.body)["period_of_stay"]) == (
        "住基法",
        "5年",
    )
