"""The demo data: names with readings that belong to them, addresses that build, and the
generator run against the in-memory register (the real rules, no database)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import date
from random import Random

import pytest

from jichitai.codec import canonical_json, to_primitive
from jichitai.demo import names as n
from jichitai.demo.generator import DemoSummary, seed_register
from jichitai.demo.places import (
    ELSEWHERE,
    KNOWN_TOWN_AREAS,
    MunicipalityPlaces,
    abroad,
    domestic_elsewhere,
    kanji_number,
    modernised,
)
from jichitai.domain.common.address import PREFECTURES, Address
from jichitai.domain.common.identifiers import AtenaNumber, IndividualNumber
from jichitai.domain.common.kana import validate_reading
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.changes import plan_change
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.register import ChangeResult
from tests.fakes import FakeRegister, context

TODAY = date(2026, 11, 26)


# --- names -------------------------------------------------------------------------------------


def test_there_are_enough_family_and_given_names() -> None:
    assert len(n.FAMILY_NAMES) >= 150
    assert len(n.MALE_GIVEN_NAMES) >= 80
    assert len(n.FEMALE_GIVEN_NAMES) >= 80
    for generation in (n.OLD, n.MID, n.NEW):
        assert sum(g.generation == generation for g in n.MALE_GIVEN_NAMES) >= 20
        assert sum(g.generation == generation for g in n.FEMALE_GIVEN_NAMES) >= 20


@pytest.mark.parametrize(
    "entry",
    [*n.FAMILY_NAMES, *n.MALE_GIVEN_NAMES, *n.FEMALE_GIVEN_NAMES],
    ids=lambda e: e.kanji,
)
def test_every_reading_is_katakana_already_in_its_stored_form(
    entry: n.NameReading | n.GivenName,
) -> None:
    assert entry.kana
    assert validate_reading(entry.kana, "kana") == entry.kana


def test_names_are_not_listed_twice() -> None:
    for table in (n.FAMILY_NAMES, n.MALE_GIVEN_NAMES, n.FEMALE_GIVEN_NAMES):
        repeated = [k for k, c in Counter(e.kanji for e in table).items() if c > 1]
        assert repeated == []


@pytest.mark.parametrize(
    ("kanji", "kana"),
    [
        ("髙橋", "タカハシ"),
        ("𠮷田", "ヨシダ"),
        ("山﨑", "ヤマサキ"),
        ("渡邉", "ワタナベ"),
        ("渡邊", "ワタナベ"),
        ("齋藤", "サイトウ"),
        ("濵田", "ハマダ"),
        ("𡈽屋", "ツチヤ"),
        ("澤田", "サワダ"),
        ("廣瀬", "ヒロセ"),
        ("佐藤", "サトウ"),
        ("鈴木", "スズキ"),
        ("高橋", "タカハシ"),
        ("田中", "タナカ"),
        ("渡辺", "ワタナベ"),
        ("加藤", "カトウ"),
    ],
)
def test_rare_and_common_family_names_have_their_own_reading(kanji: str, kana: str) -> None:
    assert n.NameReading(kanji, kana) in n.FAMILY_NAMES


def test_rare_characters_are_kept_as_written_not_normalised() -> None:
    text = "".join(e.kanji for e in n.RARE_FAMILY_NAMES)
    assert "\U00020bb7" in text  # 𠮷 (CJK Extension B)
    assert "\U0002123d" in text  # 𡈽 (CJK Extension B)
    assert "\ufa11" in text  # 﨑 (a compatibility ideograph NFC would turn into 崎)
    assert "髙" in text and "邉" in text and "邊" in text and "齋" in text and "濵" in text
    assert all(e not in n.COMMON_FAMILY_NAMES for e in n.RARE_FAMILY_NAMES)


def test_every_name_builds_a_person_name() -> None:
    for family in n.FAMILY_NAMES:
        for given in (n.MALE_GIVEN_NAMES[0], n.FEMALE_GIVEN_NAMES[-1]):
            name = PersonName.create(family.kanji, given.kanji, family.kana, given.kana)
            assert name.full == f"{family.kanji}\u3000{given.kanji}"


def test_generation_of_a_birth_year() -> None:
    assert n.generation_of(1935) == n.OLD
    assert n.generation_of(1960) == n.MID
    assert n.generation_of(1994) == n.MID
    assert n.generation_of(1995) == n.NEW


def test_foreign_nationalities_and_residence_statuses() -> None:
    names = {x.name for x in n.FOREIGN_NATIONALITIES}
    assert {
        "中国",
        "韓国",
        "ベトナム",
        "フィリピン",
        "ブラジル",
        "ネパール",
        "インドネシア",
        "米国",
    } <= names
    statuses = {s for x in n.FOREIGN_NATIONALITIES for s, _ in x.statuses}
    assert {
        "永住者",
        "技術・人文知識・国際業務",
        "技能実習",
        "留学",
        "家族滞在",
        "特定技能",
    } <= statuses
    assert "日本人の配偶者等" in statuses
    assert statuses <= set(n.PERIODS_OF_STAY)
    assert n.SPECIAL_PERMANENT_NATIONALITY in names


@pytest.mark.parametrize("nationality", n.FOREIGN_NATIONALITIES, ids=lambda x: x.name)
def test_foreign_names_have_roman_letters_and_readings(nationality: n.Nationality) -> None:
    assert nationality.family_names and nationality.male_given and nationality.female_given
    assert nationality.cities
    for part in (*nationality.family_names, *nationality.male_given, *nationality.female_given):
        assert re.fullmatch(r"[A-Z]+( [A-Z]+)*", part.roman), part
        assert validate_reading(part.kana, "kana") == part.kana
    family, given = nationality.family_names[0], nationality.female_given[0]
    roman = f"{family.roman} {given.roman}"
    if family.kanji and given.kanji:
        name = PersonName.create(family.kanji, given.kanji, family.kana, given.kana, roman=roman)
        assert name.roman == roman and name.family == family.kanji
    else:
        name = PersonName.create("", "", family.kana, given.kana, roman=roman)
        assert name.is_roman_only and name.family == roman


# --- places ------------------------------------------------------------------------------------


def test_chiyoda_addresses_are_in_its_real_town_areas() -> None:
    places = MunicipalityPlaces("東京都", "千代田区")
    areas = {a.name for a in places.town_areas}
    assert {"霞が関", "丸の内", "神田錦町", "麹町", "九段北"} <= areas
    rng = Random(1)
    addresses = [places.address(rng) for _ in range(300)]
    for address in addresses:
        assert (address.prefecture, address.city) == ("東京都", "千代田区")
        assert re.fullmatch(r"[0-9]{7}", address.postcode)
        assert re.fullmatch(r"[0-9]+番[0-9]+号", address.lot_text)
        assert any(address.town_area.startswith(a) for a in areas)
        assert not address.is_overseas
    supplements = [a.address_supplement for a in addresses if a.address_supplement]
    assert 0.3 < len(supplements) / len(addresses) < 0.7
    assert all(re.search(r"[0-9]{3,4}$", s) for s in supplements)
    assert any(a.town_area == "霞が関一丁目" or a.town_area.endswith("丁目") for a in addresses)
    display = addresses[0].display()
    assert display.startswith("東京都千代田区")


def test_every_known_town_area_builds_an_address() -> None:
    for (prefecture, city), areas in KNOWN_TOWN_AREAS.items():
        assert prefecture in PREFECTURES
        for area in areas:
            assert re.fullmatch(r"[0-9]{7}", area.postcode), area
            Address.create(
                prefecture=prefecture,
                city=city,
                town_area=area.name,
                lot_text="1番1号",
                postcode=area.postcode,
            )


def test_another_municipality_gets_generic_town_areas_with_stable_postcodes() -> None:
    first = MunicipalityPlaces("埼玉県", "川越市")
    second = MunicipalityPlaces("埼玉県", "川越市")
    assert first.town_areas == second.town_areas
    assert {a.name for a in first.town_areas} >= {"本町", "栄町"}
    assert all(a.postcode.startswith("330") for a in first.town_areas)
    address = first.address(Random(3))
    assert (address.prefecture, address.city) == ("埼玉県", "川越市")


def test_a_legacy_lot_is_modernised_and_a_move_gets_another_address() -> None:
    places = MunicipalityPlaces("東京都", "千代田区")
    rng = Random(5)
    legacy = places.address(rng, legacy=True)
    assert re.fullmatch(r"[0-9]+番地[0-9]+", legacy.lot_text)
    fixed = modernised(legacy)
    block, number = re.findall(r"[0-9]+", legacy.lot_text)
    assert fixed.lot_text == f"{block}番{number}号"
    assert (fixed.town_area, fixed.address_supplement) == (
        legacy.town_area,
        legacy.address_supplement,
    )
    assert modernised(fixed) == fixed
    assert places.other_address(rng, fixed).display() != fixed.display()
    assert places.domicile(rng).startswith("東京都千代田区")


def test_addresses_elsewhere_and_abroad() -> None:
    rng = Random(9)
    for _ in range(200):
        previous = domestic_elsewhere(rng, exclude=("東京都", "千代田区"))
        assert (previous.prefecture, previous.city) != ("東京都", "千代田区")
        assert previous.prefecture in PREFECTURES and re.fullmatch(r"[0-9]{7}", previous.postcode)
    onward = domestic_elsewhere(rng, municipality_only=True)
    assert onward.is_municipality_only
    assert len({p.prefecture for p in ELSEWHERE}) >= 20
    overseas = abroad(rng)
    assert overseas.is_overseas and overseas.overseas_text and not overseas.postcode
    vietnam = abroad(rng, "ベトナム", ("ハノイ市ホアンキエム区",))
    assert vietnam.display() == "ベトナム\u3000ハノイ市ホアンキエム区"


def test_kanji_numbers_for_chome() -> None:
    assert [kanji_number(i) for i in (1, 3, 10, 11, 20, 24)] == [
        "一",
        "三",
        "十",
        "十一",
        "二十",
        "二十四",
    ]
    with pytest.raises(ValueError):
        kanji_number(0)


# --- the generator against the in-memory register ----------------------------------------------


class InMemoryRegister:
    """``record_change`` over ``FakeRegister``: the real rules; a refusal writes nothing (its
    numbering included, as the database's rollback does)."""

    def __init__(self) -> None:
        self.fake = FakeRegister()
        self.commands: list[ChangeCommand] = []

    def record_change(self, municipality_code: str, command: ChangeCommand) -> ChangeResult:
        fake = self.fake
        numbering = (fake._atena_serial, fake._household_serial, fake._code_serial)
        try:
            plan = plan_change(command, fake, context(TODAY))
        except DomainError:
            fake._atena_serial, fake._household_serial, fake._code_serial = numbering
            raise
        event_id = f"ev{len(fake.event_ids) + 1:05d}"
        fake.apply(plan, event_id)
        self.commands.append(command)
        return ChangeResult(
            event_id=event_id,
            seq=len(fake.event_ids),
            kind=plan.kind.value,
            reason=plan.reason.value,
            atena_numbers=plan.atena_numbers,
            households=plan.households,
            alerts=plan.alerts,
            notices=tuple(x.value for x in plan.notices),
        )


def seeded(seed: int, residents: int = 200) -> tuple[InMemoryRegister, DemoSummary]:
    register = InMemoryRegister()
    summary = seed_register(
        register,
        "131016",
        municipality_prefecture="東京都",
        municipality_city="千代田区",
        residents=residents,
        seed=seed,
        today=TODAY,
    )
    return register, summary


@pytest.fixture(scope="module")
def run() -> tuple[InMemoryRegister, DemoSummary]:
    return seeded(11)


def test_the_generator_reaches_its_target_without_refusals(
    run: tuple[InMemoryRegister, DemoSummary],
) -> None:
    register, summary = run
    currents = list(register.fake.currents.values())
    living = [r for r in currents if r.is_resident]
    assert summary.refused == 0, summary.refusals
    assert 180 <= len(living) <= 220
    assert summary.residents == len(living)
    assert summary.persons == len(currents)
    assert summary.removed == len(currents) - len(living)
    assert summary.total_events == len(register.fake.event_ids)
    assert {"move_in", "birth", "move_out", "correction"} <= set(summary.events)
    assert summary.foreign_residents == sum(r.foreign is not None for r in living) > 0
    assert summary.households == len({r.household_number for r in living})


def test_every_household_has_one_head_and_one_address(
    run: tuple[InMemoryRegister, DemoSummary],
) -> None:
    register, _ = run
    households: dict[str, list[ResidentRecord]] = {}
    for record in register.fake.currents.values():
        if record.is_resident:
            households.setdefault(record.household_number.value, []).append(record)
    for members in households.values():
        assert sum(m.is_head for m in members) == 1
        assert len({m.address for m in members}) == 1


def test_each_persons_changes_are_in_order_of_effective_date(
    run: tuple[InMemoryRegister, DemoSummary],
) -> None:
    register, _ = run
    for atena in register.fake.currents:
        dates = [r.effective_on for r in register.fake.history(AtenaNumber(atena))]
        assert dates == sorted(dates), atena
        assert all(d <= TODAY for d in dates[:-1])


def test_identifiers_are_valid_and_unique(run: tuple[InMemoryRegister, DemoSummary]) -> None:
    register, _ = run
    records = list(register.fake.currents.values())
    numbers = [r.individual_number.value for r in records if r.individual_number]
    assert len(numbers) == len(set(numbers)) >= 0.85 * len(records)
    for number in numbers:
        IndividualNumber.parse(number)
    for record in records:
        foreign = record.foreign
        if foreign is None or not record.is_resident:
            continue
        if foreign.residence_card_number is not None:
            assert re.fullmatch(r"[A-Z]{2}[0-9]{8}[A-Z]{2}", foreign.residence_card_number.value)
            assert foreign.stay_expires_on is not None and foreign.stay_expires_on > TODAY
        else:
            assert re.fullmatch(
                r"[A-Z]{2}[0-9]{8}[A-Z]{2}", foreign.special_permanent_certificate_number
            )


def test_the_same_seed_gives_the_same_register_and_another_seed_another() -> None:
    first, first_summary = seeded(5, 120)
    again, again_summary = seeded(5, 120)
    other, _ = seeded(6, 120)

    def people(register: InMemoryRegister) -> list[tuple[str, str, str]]:
        return [
            (r.name.full, r.name.full_kana, r.birth_date.display())
            for _, r in sorted(register.fake.currents.items())
        ]

    assert people(first) == people(again)
    assert first_summary == again_summary
    assert people(first) != people(other)


PINNED_DIGEST = "0bba382fa9fb3cd703aa948a1d980716dc0c82c70a9593685141256d952aae59"
"""SHA-256 of :func:`output_fingerprint` for seed 7 and 300 residents. The generator's output is
pinned: a change to what it draws, or in which order, changes the digest. If that change is meant,
say so in the commit message and put the new digest here."""


def output_fingerprint(register: InMemoryRegister) -> str:
    """Every snapshot (its content, without the 住民票コード the register draws), sorted, then
    every event in order (kind, reason, the persons and history numbers it wrote; not the event
    ids, which the register draws too)."""
    fake = register.fake
    snapshots = []
    for record in fake.snapshots.values():
        content = to_primitive(record)
        content.pop("resident_code", None)
        snapshots.append(canonical_json(content))
    events = [
        canonical_json([e.kind, e.reason, e.persons, e.last_histories])
        for e in (fake.events[event_id] for event_id in fake.event_ids)
    ]
    text = "\n".join([*sorted(snapshots), *events])
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_output_for_a_seed_is_pinned() -> None:
    register, summary = seeded(7, 300)
    assert summary.refused == 0
    assert output_fingerprint(register) == PINNED_DIGEST


def test_a_municipality_that_already_has_residents_can_be_seeded_again() -> None:
    register, first = seeded(21, 80)
    second = seed_register(
        register,
        "131016",
        municipality_prefecture="東京都",
        municipality_city="千代田区",
        residents=80,
        seed=22,
        today=TODAY,
    )
    assert first.refused == second.refused == 0
    living = [r for r in register.fake.currents.values() if r.is_resident]
    assert len(living) == first.residents + second.residents
    households = {r.household_number.value for r in living}
    assert len(households) == first.households + second.households


def test_the_summary_reads_as_a_report(run: tuple[InMemoryRegister, DemoSummary]) -> None:
    _, summary = run
    text = "\n".join(summary.lines())
    assert f"住民 {summary.residents} 人" in text and "拒否 0 件" in text


def test_residents_must_be_positive() -> None:
    with pytest.raises(ValueError):
        seeded(1, 0)
