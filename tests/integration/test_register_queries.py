"""RegisterQueries through the real database: current record, history, the record as of a date,
基本検索 over live and removed records, household display order and counts.

One municipality is filled once for the module (through the real service) and only read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine

from jichitai.bootstrap import App, bootstrap
from jichitai.domain.common.address import Address
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, NotFound
from jichitai.domain.residents.commands import InTownMove, MoveIn, MoveOut, NewPerson
from jichitai.domain.residents.model import ResidentKind, ResidentRecord, ResidentStatus, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.ports import RegisterStats
from jichitai.services.queries import SearchBy
from tests.factories import (
    a_foreign_person,
    a_header,
    a_municipality,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)
from tests.fakes import TODAY, FixedClock, SeededRandom

MOVED_IN_ON = date(2026, 4, 1)
MOVED_HOUSE_ON = date(2026, 8, 1)
MOVED_OUT_ON = date(2026, 11, 20)
HEAD_NUMBER = a_valid_individual_number(1)


@dataclass(frozen=True)
class Register:
    app: App
    code: str
    takahashi: dict[str, str]  # given name → 宛名番号
    household: str
    saito: str
    watanabe: str
    yamazaki: str
    wang: str
    sato: str

    def search(
        self, query: str, by: SearchBy = SearchBy.AUTO, include_removed: bool = True
    ) -> list[ResidentRecord]:
        return list(
            self.app.queries.search(self.code, query, by=by, include_removed=include_removed)
        )

    def found(
        self, query: str, by: SearchBy = SearchBy.AUTO, include_removed: bool = True
    ) -> list[str]:
        return [r.atena_number.value for r in self.search(query, by, include_removed)]


def arrive(
    app: App,
    code: str,
    *members: NewPerson,
    lot: str,
    on: date = MOVED_IN_ON,
) -> tuple[str, ...]:
    command = MoveIn(
        header=a_header(effective_on=on),
        members=members,
        address=an_address(lot=lot),
        previous_address=a_previous_address(),
    )
    return app.register.record_change(code, command).atena_numbers


@pytest.fixture(scope="module")
def register(engine: Engine) -> Register:
    app = bootstrap(engine=engine, clock=FixedClock(), random=SeededRandom(3))
    code = a_municipality(app, "45", "試験町")
    # Entered out of display order on purpose: younger child, head, older child, wife.
    family = arrive(
        app,
        code,
        a_person(
            given="さくら",
            kana=("タカハシ", "サクラ"),
            relationship="子",
            born="2015-06-01",
            sex=Sex.FEMALE,
        ),
        a_person(individual_number=HEAD_NUMBER),
        a_person(
            given="太郎", kana=("タカハシ", "タロウ"), relationship="子", born="平成22年3月3日"
        ),
        a_person(
            given="花子",
            kana=("タカハシ", "ハナコ"),
            relationship="妻",
            born="昭和52年5月6日",
            sex=Sex.FEMALE,
        ),
        lot="一丁目2番3号",
    )
    takahashi = dict(zip(("さくら", "一郎", "太郎", "花子"), family, strict=True))
    app.register.record_change(
        code,
        InTownMove(
            header=a_header(effective_on=MOVED_HOUSE_ON),
            atena_numbers=tuple(AtenaNumber(a) for a in family),
            address=an_address(lot="三丁目4番5号"),
        ),
    )
    (saito,) = arrive(
        app,
        code,
        a_person(name="齋藤", given="健", kana=("サイトウ", "ケン"), born="1980-07-07"),
        lot="一丁目7番1号",
    )
    (watanabe,) = arrive(
        app,
        code,
        a_person(
            name="渡邉", given="美穂", kana=("ワタナベ", "ミホ"), born="1988-02-29", sex=Sex.FEMALE
        ),
        lot="二丁目1番1号",
    )
    (yamazaki,) = arrive(
        app,
        code,
        a_person(
            name="山﨑",
            given="祥子",
            kana=("ヤマザキ", "ショウコ"),
            born="1992-12-12",
            sex=Sex.FEMALE,
        ),
        lot="二丁目2番2号",
    )
    (wang,) = arrive(app, code, a_foreign_person(), lot="二丁目3番3号")
    (sato,) = arrive(
        app,
        code,
        a_person(name="佐藤", given="次郎", kana=("サトウ", "ジロウ"), born="1970-10-10"),
        lot="二丁目9番9号",
    )
    app.register.record_change(
        code,
        MoveOut(
            header=a_header(effective_on=MOVED_OUT_ON),
            atena_numbers=(AtenaNumber(sato),),
            planned_on=MOVED_OUT_ON,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    household = app.queries.current(code, takahashi["一郎"]).household_number.value
    return Register(app, code, takahashi, household, saito, watanabe, yamazaki, wang, sato)


# --- one person ----------------------------------------------------------------------------------


def test_the_current_record_is_the_latest_snapshot(register: Register) -> None:
    head = register.app.queries.current(register.code, register.takahashi["一郎"])
    assert head.history_number == 2
    assert head.reason is ChangeReason.IN_TOWN_MOVE
    assert head.address.lot_text == "三丁目4番5号"
    assert head.individual_number == HEAD_NUMBER
    assert head.name.family == "髙橋"


@pytest.mark.spec("2.2.1")
def test_the_history_lists_every_snapshot_in_order(register: Register) -> None:
    history = register.app.queries.history(register.code, register.takahashi["一郎"])
    assert [r.history_number for r in history] == [1, 2]
    assert [r.reason for r in history] == [ChangeReason.DOMESTIC_MOVE_IN, ChangeReason.IN_TOWN_MOVE]
    assert [r.address.lot_text for r in history] == ["一丁目2番3号", "三丁目4番5号"]
    assert [r.effective_on for r in history] == [MOVED_IN_ON, MOVED_HOUSE_ON]
    sato = register.app.queries.history(register.code, register.sato)
    assert [r.status for r in sato] == [ResidentStatus.RESIDENT, ResidentStatus.MOVED_OUT]


@pytest.mark.spec("2.2.1")
def test_the_record_as_of_a_date_is_the_state_the_register_then_stated(
    register: Register,
) -> None:
    as_of = register.app.queries.as_of
    head = register.takahashi["一郎"]
    with pytest.raises(NotFound) as before:
        as_of(register.code, head, date(2026, 3, 31))
    assert before.value.code == "person.not_registered_on"
    assert as_of(register.code, head, MOVED_IN_ON).history_number == 1
    between = as_of(register.code, head, date(2026, 7, 31))
    assert (between.history_number, between.address.lot_text) == (1, "一丁目2番3号")
    assert as_of(register.code, head, MOVED_HOUSE_ON).address.lot_text == "三丁目4番5号"
    assert as_of(register.code, head, TODAY).history_number == 2
    assert as_of(register.code, register.sato, date(2026, 11, 19)).is_resident
    assert as_of(register.code, register.sato, MOVED_OUT_ON).status is ResidentStatus.MOVED_OUT


def test_an_unknown_person_is_not_found(register: Register) -> None:
    nobody = AtenaNumber.from_serial(999_999).value
    queries = register.app.queries
    for ask in (
        lambda: queries.current(register.code, nobody),
        lambda: queries.history(register.code, nobody),
        lambda: queries.as_of(register.code, nobody, TODAY),
    ):
        with pytest.raises(NotFound) as refused:
            ask()
        assert refused.value.code == "person.not_found"


# --- 基本検索 ------------------------------------------------------------------------------------


@pytest.mark.spec("1.1.5")
def test_removed_records_are_found_with_live_ones_unless_excluded(register: Register) -> None:
    (found,) = register.search("さとう")
    assert found.atena_number.value == register.sato
    assert found.status is ResidentStatus.MOVED_OUT
    assert found.removed_on == MOVED_OUT_ON
    assert register.found("さとう", include_removed=False) == []
    assert register.found(register.sato) == [register.sato]
    assert register.found(register.sato, include_removed=False) == []
    everyone = register.found("二丁目")
    assert register.sato in everyone
    assert register.sato not in register.found("二丁目", include_removed=False)
    assert len(everyone) == len(register.found("二丁目", include_removed=False)) + 1


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize(
    "query, expected",
    [
        ("たかはし", ["さくら", "一郎", "太郎", "花子"]),  # hiragana finds katakana
        ("タカハシ", ["さくら", "一郎", "太郎", "花子"]),
        ("ﾀｶﾊｼ", ["さくら", "一郎", "太郎", "花子"]),  # half-width
        ("たかはし　はなこ", ["花子"]),  # reading of the whole name, with a space
        ("タカハシイチロー", ["一郎"]),  # long-vowel mark for ウ
        ("たかばし", ["さくら", "一郎", "太郎", "花子"]),  # voiced marks folded
    ],
)
def test_kana_search_is_fuzzy(register: Register, query: str, expected: list[str]) -> None:
    assert register.found(query) == sorted(register.takahashi[g] for g in expected)


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize(
    "query, who",
    [
        ("サイトー", "saito"),  # ー for ウ
        ("サイト―", "saito"),  # 全角ダッシュ typed for ー
        ("サイト－", "saito"),  # 全角マイナス
        ("サイト‐", "saito"),  # 全角ハイフン
        ("ｻｲﾄｰ", "saito"),  # 半角長音
        ("サイト-", "saito"),  # 半角ハイフン
        ("さいとお", "saito"),  # オ for ウ after an オ段 kana
        ("サイトオ ケン", "saito"),  # a space between family and given name
        ("サイトウケン", "saito"),
        ("やまさき", "yamazaki"),  # ザ → サ
        ("ヤマザキシヨウコ", "yamazaki"),  # small ョ → ヨ
        ("わたなべ", "watanabe"),
        ("ワン", "wang"),
    ],
)
def test_kana_search_folds_long_vowels_small_and_voiced_kana(
    register: Register, query: str, who: str
) -> None:
    assert register.found(query) == [getattr(register, who)]


@pytest.mark.spec("2.1.2")
@pytest.mark.parametrize(
    "query, who",
    [
        ("高橋一郎", "takahashi"),  # 高 finds 髙
        ("髙橋　一郎", "takahashi"),
        ("斎藤", "saito"),  # 斎 finds 齋
        ("斉藤健", "saito"),
        ("渡辺", "watanabe"),  # 辺 finds 邉
        ("渡邊", "watanabe"),
        ("山崎", "yamazaki"),  # 崎 finds 﨑
    ],
)
def test_name_search_finds_variant_characters(register: Register, query: str, who: str) -> None:
    expected = register.takahashi["一郎"] if who == "takahashi" else getattr(register, who)
    assert register.found(query) == [expected]


@pytest.mark.spec("2.1.3")
def test_a_foreign_residents_roman_name_is_searchable_by_name(register: Register) -> None:
    assert register.found("王", by=SearchBy.NAME) == [register.wang]
    (wang,) = register.search("ワン")
    assert wang.kind is ResidentKind.FOREIGN
    assert wang.name.given == "秀𠮷"


@pytest.mark.spec("2.1.3")
@pytest.mark.parametrize("query", ["昭和50年1月2日", "1975-01-02", "1975年1月2日", "S50.1.2"])
def test_birth_date_search_accepts_wareki_and_seireki(register: Register, query: str) -> None:
    assert register.found(query) == [register.takahashi["一郎"]]


@pytest.mark.spec("2.1.3")
def test_address_search_matches_part_of_the_current_address(register: Register) -> None:
    family = sorted(register.takahashi.values())
    assert register.found("霞が関三丁目4番5号") == family
    assert register.found("三丁目４番", by=SearchBy.ADDRESS) == family  # full-width digits
    assert register.found("一丁目7番") == [register.saito]


@pytest.mark.spec("2.1.3")
def test_every_identifier_finds_exactly_its_person(register: Register) -> None:
    head = register.takahashi["一郎"]
    record = register.app.queries.current(register.code, head)
    assert record.resident_code is not None
    assert register.found(head) == [head]  # 宛名番号
    assert register.found(HEAD_NUMBER.value) == [head]  # 個人番号
    spaced = f"{HEAD_NUMBER.value[:4]} {HEAD_NUMBER.value[4:8]} {HEAD_NUMBER.value[8:]}"
    assert register.found(spaced) == [head]
    assert register.found(record.resident_code.value) == [head]  # 住民票コード
    assert register.found("AB12345678CD") == [register.wang]  # 在留カード番号
    assert register.found("ab12345678cd", by=SearchBy.ID) == [register.wang]
    assert register.found(AtenaNumber.from_serial(999_999).value) == []


def test_an_empty_search_is_refused(register: Register) -> None:
    with pytest.raises(DomainError) as refused:
        register.search("　")
    assert refused.value.code == "search.empty"


# --- households and counts -----------------------------------------------------------------------


@pytest.mark.spec("5.2")
def test_household_members_are_listed_head_then_spouse_then_children_by_age(
    register: Register,
) -> None:
    members = register.app.queries.household(register.code, register.household)
    assert [m.name.given for m in members] == ["一郎", "花子", "太郎", "さくら"]
    assert [m.relationship.text for m in members] == ["世帯主", "妻", "子", "子"]


def test_a_household_whose_members_all_left_is_not_found(register: Register) -> None:
    sato = register.app.queries.current(register.code, register.sato)
    with pytest.raises(NotFound) as refused:
        register.app.queries.household(register.code, sato.household_number.value)
    assert refused.value.code == "household.not_found"


def test_stats_count_persons_households_and_events(register: Register) -> None:
    assert register.app.queries.stats(register.code) == RegisterStats(
        persons=9,
        residents=8,
        households=5,
        removed_records=1,
        japanese=7,
        foreign=1,
        planned_move_outs=0,
        events=8,
        events_by_reason={"domestic_move_in": 6, "domestic_move_out": 1, "in_town_move": 1},
    )
