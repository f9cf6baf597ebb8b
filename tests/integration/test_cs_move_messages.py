"""The 転出証明書情報 of a 特例転出 (§4.1.3.0.4 (670)) in the CS outbox: one per person, with the
items of the 転出証明書 (個人番号 included), addressed to the new municipality by its code when
the deployment knows it (by the 住所コード, or by name, a designated city's ward included);
none for an ordinary 転出 (it gets the paper certificate)."""

from __future__ import annotations

import json

import pytest

from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
from jichitai.bootstrap import App
from jichitai.codec import from_primitive
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.national.move_messages import code_for, destination_of
from jichitai.domain.residents.commands import MoveOut
from jichitai.domain.residents.model import Alias, ForeignResidentDetails
from jichitai.services.national import CsSender
from tests.factories import (
    a_foreign_person,
    a_header,
    a_municipality,
    a_person,
    a_valid_individual_number,
    foreign_details,
)
from tests.integration.test_tenancy import move_in

pytestmark = pytest.mark.spec("4.1.3.0.4")


def certificates(app: App, code: str) -> list[tuple[str, dict[str, object]]]:
    cs = CsSender(
        SqlCsOutbox(app.engine), None, app.clock, RetryPolicy(0.01, 0.01, 3), read_log=app.read_log
    )
    listed = cs.listed(Actor("clerk", code, frozenset({Role.CLERK})))
    return [(m.destination, json.loads(m.body)) for m in listed if m.kind == "転出証明書情報"]


def move_out(atenas: tuple[str, ...], onward: Address, *, special: bool) -> MoveOut:
    return MoveOut(
        header=a_header(),
        atena_numbers=tuple(AtenaNumber(a) for a in atenas),
        planned_on=a_header().effective_on,
        onward_address=onward,
        special=special,
    )


def test_a_special_move_out_sends_each_persons_certificate_to_the_new_municipality(
    app: App,
) -> None:
    a = a_municipality(app)
    b = a_municipality(app, "01", "北海道")  # a municipality of this deployment: 北海道01xxx
    b_name = app.municipalities.get(b).name
    done = app.register.record_change(
        a,
        move_in(
            a_person(individual_number=a_valid_individual_number(11)),
            a_person(given="花子", relationship="妻"),
        ),
    )
    onward = Address.create(
        prefecture="北海道", city=b_name.removeprefix("北海道") + "中央区", lot_text="1番"
    )
    app.register.record_change(a, move_out(done.atena_numbers, onward, special=True))
    sent = certificates(app, a)
    assert [d for d, _ in sent] == [b, b]  # a ward of the municipality named 北海道01xxx
    body = sent[0][1]
    assert body["format"] == "jichitai-cs/1" and body["kind"] == "転出証明書情報"
    assert body["individual_number"] == a_valid_individual_number(11).value
    assert body["resident_code"] and body["relationship"] == "世帯主"
    assert body["household_head"] is True and sent[1][1]["relationship"] == "妻"
    assert body["planned_on"] == a_header().effective_on.isoformat()
    assert body["onward_address"] == onward.display()
    assert body["onward_address_parts"] == onward.to_json()
    assert body["name_parts"]["family"] and body["birth"]["kind"] == "calendar"

    # An ordinary 転出 gets the paper certificate: no 転出証明書情報.
    other = app.register.record_change(a, move_in(a_person(name="鈴木"), lot="二丁目1番"))
    app.register.record_change(a, move_out(other.atena_numbers, onward, special=False))
    assert len(certificates(app, a)) == 2
    # A 転出先 the deployment does not know: the name stays (the CS keeps it, no relay).
    third = app.register.record_change(a, move_in(a_person(name="田中"), lot="三丁目1番"))
    far = Address.create(prefecture="沖縄県", city="未登録村", lot_text="1番")
    app.register.record_change(a, move_out(third.atena_numbers, far, special=True))
    assert certificates(app, a)[-1][0] == "沖縄県未登録村"


def test_a_foreign_residents_certificate_carries_the_30_45_items_as_a_move_in_takes_them(
    app: App,
) -> None:
    a = a_municipality(app)
    alias = Alias(
        PersonName.create("山田", "秀", "ヤマダ", "シュウ"), a_header().effective_on, "試験市"
    )
    details = foreign_details(
        aliases=(alias,), alien_registration_on=RecordDate.parse("2001-02-03")
    )
    done = app.register.record_change(
        a, move_in(a_person(), a_foreign_person(foreign=details, relationship="妻"))
    )
    onward = Address.create(prefecture="沖縄県", city="那覇市", lot_text="1番")
    app.register.record_change(a, move_out(done.atena_numbers, onward, special=True))
    japanese, foreign = (body for _, body in certificates(app, a))
    assert japanese["foreign"] is None
    assert foreign["resident_kind"] == "foreign"
    # The items read back, by the form the 転入 command takes, as the register keeps them.
    assert from_primitive(ForeignResidentDetails, foreign["foreign"]) == details


def test_the_destination_is_a_code_when_it_can_be_known() -> None:
    directory = [("131016", "東京都千代田区"), ("271004", "大阪府大阪市")]
    assert code_for("東京都千代田区", directory) == "131016"
    assert code_for("大阪府大阪市北区", directory) == "271004"  # a ward of a designated city
    assert code_for("大阪府大阪市北町", directory) == "大阪府大阪市北町"  # not a ward
    assert code_for("沖縄県那覇市", directory) == "沖縄県那覇市"
    assert code_for("", directory) == ""
    # The 11-digit 住所コード names the municipality: its first five digits + the check digit.
    coded = Address.create(prefecture="大阪府", city="大阪市北区", town_code="27127000001")
    assert destination_of(coded) == "271276"
    assert destination_of(Address.create(prefecture="大阪府", city="堺市")) == "大阪府堺市"
