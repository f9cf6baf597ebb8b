"""The counter's change forms without a server: a posted form read into the command's JSON
(faults collected per field), refusals placed next to the right field, member blocks added and
removed."""

from __future__ import annotations

from datetime import date

import pytest

from jichitai.domain.errors import DomainError, InvalidValue, Severity, Violation
from jichitai.domain.inbound.text import free_text, name_text
from jichitai.domain.residents.commands import Birth, Correct, MoveIn, MoveOut
from jichitai.entrypoints.web.changes_catalogue import (
    PROCESSES,
    build,
    dates_understood,
    live_answer,
    locate,
)
from jichitai.entrypoints.web.changes_common import (
    member_count,
    with_member_added,
    with_member_removed,
)
from jichitai.entrypoints.web.changes_layout import Context, in_seireki
from jichitai.entrypoints.web.changes_reader import FormReader, Values

CTX = Context(date(2026, 11, 26), "東京都", "千代田区")


def values(**pairs: str) -> Values:
    return Values(tuple((k.replace("__", "."), v) for k, v in pairs.items()))


def faults(reader: FormReader) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in reader.violations:
        out.setdefault(v.field or "", []).append(v.code)
    return out


MOVE_IN = {
    "effective_on": "R8.11.20",
    "address.city": "千代田区",
    "address.town_area": "霞が関一丁目",
    "address.lot_text": "2番3号",
    "previous_address.unknown": "on",
    "members[0].kind": "japanese",
    "members[0].name.family": "髙橋",
    "members[0].name.given": "一郎",
    "members[0].name.family_kana": "たかはし",
    "members[0].name.given_kana": "ｲﾁﾛｳ",
    "members[0].birth_date": "昭和50年1月2日",
    "members[0].sex": "male",
    "members[0].relationship": "世帯主",
    "members[0].family_register.domicile": "不明",
    "members[0].family_register.head": "不明",
}


def test_a_move_in_form_becomes_the_command_the_api_would_decode() -> None:
    reader = FormReader(Values(tuple(MOVE_IN.items())))
    command = build(PROCESSES["move-in"], reader)
    assert isinstance(command, MoveIn)
    (person,) = command.members
    assert person.name.full == "髙橋　一郎"  # 髙 stays 髙
    assert (person.name.family_kana, person.name.given_kana) == ("タカハシ", "イチロウ")
    assert person.birth_date.as_date() == date(1975, 1, 2)
    assert command.previous_address.is_unknown
    assert command.household_number is None and not command.from_abroad
    assert reader.normalised == {
        "members[0].name.family_kana": "タカハシ",
        "members[0].name.given_kana": "イチロウ",
    }
    assert reader.echo["members[0].birth_date"] == "昭和50年1月2日"


def test_every_fault_of_a_form_is_collected_with_its_field() -> None:
    reader = FormReader(
        Values(
            tuple(
                {
                    **MOVE_IN,
                    "effective_on": "2026-02-30",
                    "members[0].name.given": "一\x00郎",
                    "members[0].name.family": "髙橋🙂",
                    "members[0].name.given_kana": "Ichiro",
                    "members[0].sex": "",
                    "address.lot_text": "2番⚽",
                }.items()
            )
        )
    )
    with pytest.raises(DomainError):
        build(PROCESSES["move-in"], reader)
    assert faults(reader) == {
        "effective_on": ["date.invalid"],
        "members[0].name.family": ["name.symbol_character"],
        "members[0].name.given": ["name.control_character"],
        "members[0].name.given_kana": ["reading.not_katakana"],
        "members[0].sex": ["input.required"],
        "address.lot_text": ["input.emoji"],
    }


def test_a_move_out_takes_its_planned_date_as_the_effective_date() -> None:
    reader = FormReader(
        values(
            planned_on="R8.12.1",
            atena_numbers="0000000019",
            onward_address__country="アメリカ合衆国",
        )
    )
    command = build(PROCESSES["move-out"], reader)
    assert isinstance(command, MoveOut)
    assert command.planned_on == command.header.effective_on == date(2026, 12, 1)
    assert command.abroad and command.onward_address.is_overseas


def test_a_death_on_an_unknown_day_needs_the_effective_date() -> None:
    known = FormReader(values(atena_number="0000000019", died_on="R8.11.3"))
    assert build(PROCESSES["death"], known).header.effective_on == date(2026, 11, 3)
    unknown = FormReader(values(atena_number="0000000019", died_on="令和8年11月頃"))
    with pytest.raises(DomainError):
        build(PROCESSES["death"], unknown)
    assert faults(unknown) == {"effective_on": ["input.required"]}
    assert unknown.echo["died_on"] == "令和8年11月頃（不詳日として記録します）"


def test_a_foreign_child_becomes_a_foreign_resident_on_the_day_of_birth() -> None:
    reader = FormReader(
        values(
            household_number="0000000019",
            child__kind="foreign",
            child__name__roman="WANG MEI",
            child__birth_date="2026-11-03",
            child__sex="female",
            child__relationship="子",
            child__foreign__nationality="中国",
            child__foreign__category="transitional_birth",
        )
    )
    command = build(PROCESSES["birth"], reader)
    assert isinstance(command, Birth)
    assert command.header.effective_on == date(2026, 11, 3)
    assert command.child.foreign is not None
    assert command.child.foreign.became_foreign_resident_on.as_date() == date(2026, 11, 3)
    assert command.child.name.full == "WANG MEI"


def test_a_correction_of_foreign_items_keeps_what_the_form_does_not_show() -> None:
    kept = '{"aliases": [{"entered_on": "2020-01-01", "name": {"family": "王"}}]}'
    form = values(
        atena_number="0000000019",
        effective_on="R8.11.26",
        kind="foreign",
        reason="ex_officio_correction",
        items="foreign",
        changes__foreign__nationality="中国",
        changes__foreign__category="mid_to_long_term",
        changes__foreign__residence_status="永住者",
        changes__foreign__stay_expires_on="2031-03-31",
        changes__foreign__residence_card_number="ab12345678cd",
        changes__foreign__became_foreign_resident_on="2020-01-01",
        changes__foreign__kept=kept,
    )
    command = build(PROCESSES["correct"], FormReader(form))
    assert isinstance(command, Correct)
    foreign = command.changes.foreign
    assert foreign is not None and foreign.residence_status == "永住者"
    assert foreign.residence_card_number is not None
    assert foreign.residence_card_number.value == "AB12345678CD"
    assert [a.name.family for a in foreign.aliases] == ["王"]
    assert command.changes.name is None  # an item not ticked is not changed
    tampered = FormReader(form.replaced({"changes.foreign.kept": '{"nationality": "x"}'}))
    with pytest.raises(DomainError):
        build(PROCESSES["correct"], tampered)
    assert faults(tampered) == {"changes.foreign": ["input.tampered"]}


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("command.members[0].name.family", "members[0].name.family"),
        ("members[0].name", "members[0].name"),
        ("members[0].foreign.residence_card_number", "members[0].foreign.residence_card_number"),
        ("members[1].returning_as", "members[1].returning_as"),
        ("header.filed_on", "filed_on"),
        ("members[0].coverages[0].kind", "members[0]"),
        ("atena_number", None),
        ("Idempotency-Key", None),
        (None, None),
    ],
)
def test_refusals_are_shown_at_the_nearest_part_of_the_form(
    path: str | None, where: str | None
) -> None:
    process = PROCESSES["move-in"]
    layout = process.layout(CTX, values(member_count="2"))
    assert locate(process, path, layout.names) == where


def test_a_process_names_its_fields_as_the_rules_do() -> None:
    move_out = PROCESSES["move-out"]
    layout = move_out.layout(CTX, values())
    assert locate(move_out, "effective_on", layout.names) == "planned_on"
    assert locate(move_out, "atena_number", layout.names) == "atena_numbers"
    birth = PROCESSES["birth"]
    layout = birth.layout(CTX, values())
    assert locate(birth, "members[0].relationship", layout.names) == "child.relationship"
    assert locate(birth, "members", layout.names) == "child"


def test_the_live_check_leaves_blanks_alone_and_marks_alerts() -> None:
    process = PROCESSES["move-in"]
    layout = process.layout(CTX, values())
    answer = live_answer(
        process,
        [
            Violation("input.required", "氏を入力してください", "members[0].name.family"),
            Violation("date.invalid", "存在しない日付です", "effective_on"),
            Violation("move_in.late_filing", "届出期間経過", "filed_on", Severity.ALERT),
            Violation("x.general", "全体の誤り"),
        ],
        layout,
    )
    assert answer == {
        "fields": {
            "effective_on": ["存在しない日付です"],
            "filed_on": ["【要確認】届出期間経過（確認画面へ進むと確認欄が出ます）"],
        },
        "general": ["全体の誤り"],
    }


def test_members_are_added_with_the_family_name_and_removed_in_order() -> None:
    form = values(
        member_count="2",
        **{"members[0]__name__family": "山田", "members[0]__family_register__domicile": "不明"},
        **{"members[1]__name__given": "花子"},
    )
    added, focus = with_member_added(form)
    assert member_count(added) == 3 and focus == "members[2].name.given"
    assert added.get("members[2].name.family") == "山田"
    assert added.get("members[2].family_register.domicile") == "不明"
    removed = with_member_removed(added.replaced({"members[2].name.given": "一郎"}), 1)
    assert member_count(removed) == 2
    assert removed.get("members[1].name.given") == "一郎"
    assert not removed.has("members[2].name.given")
    assert with_member_removed(values(member_count="1"), 0) == values(member_count="1")


def test_dates_are_understood_in_wareki_and_a_foreigners_in_seireki() -> None:
    form = values(
        effective_on="２０２６／１１／２６",
        **{"members[0]__kind": "foreign", "members[0]__birth_date": "H2.4.1"},
    )
    layout = PROCESSES["move-in"].layout(CTX, form)
    assert dates_understood(layout, form) == {
        "effective_on": "令和8年11月26日",
        "members[0].birth_date": "1990年4月1日",
    }
    assert in_seireki("changes.birth_date", values(kind="foreign"))
    assert not in_seireki("changes.birth_date", values(kind="japanese"))


@pytest.mark.parametrize(
    ("text", "in_name", "in_text"),
    [("髙橋", None, None), ("〒100", "〒", None), ("ハート♥", "♥", "♥"), ("太郎👍🏽", "👍", "👍")],
)
def test_symbols_and_emoji(text: str, in_name: str | None, in_text: str | None) -> None:
    """Names take no symbol at all, other text no emoji (the inbound rules the counter uses)."""
    for check, found in ((name_text, in_name), (free_text, in_text)):
        if found is None:
            assert check(text, "f") == text
        else:
            with pytest.raises(InvalidValue) as refused:
                check(text, "f")
            assert found in refused.value.message
