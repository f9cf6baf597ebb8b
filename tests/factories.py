"""Builders for test data, with keyword defaults that use rare characters on purpose.

Names default to 「髙橋」 (U+9AD9, the 髙 that must not become 高) and foreign residents to a
kanji name with 「𠮷」 (U+20BB7, outside the BMP), so every test also checks that such text goes
through the rules untouched. Every builder validates through the value types' own constructors
(``PersonName.create``, ``RecordDate.parse``, ``Relationship.parse``, ``Address.create``).
"""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any

from PIL import Image, ImageDraw

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    IndividualNumber,
    ResidenceCardNumber,
    individual_number_check_digit,
)
from jichitai.domain.common.municipality import MunicipalityCode, municipality_check_digit
from jichitai.domain.common.names import PersonName
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.commands import ChangeHeader, MoveIn, NewPerson
from jichitai.domain.residents.model import (
    FamilyRegister,
    ForeignResidentCategory,
    ForeignResidentDetails,
    ResidentKind,
    Sex,
)
from jichitai.domain.residents.relationships import Relationship
from tests.fakes import TODAY, FakeRegister, record

JAPANESE = ResidentKind.JAPANESE
FOREIGN = ResidentKind.FOREIGN
EFFECTIVE_ON = date(2026, 11, 20)
_SAME_AS_EFFECTIVE: Any = object()


def a_name(
    family: str = "髙橋", given: str = "一郎", kana: tuple[str, str] = ("タカハシ", "イチロウ")
) -> PersonName:
    return PersonName.create(family, given, kana[0], kana[1])


def _relationship(value: str | Relationship) -> Relationship:
    """A text is parsed (whitelist checked); a ``Relationship`` is taken as it is."""
    return Relationship.parse(value) if isinstance(value, str) else value


def a_family_register(
    domicile: str = "東京都千代田区霞が関一丁目2番", head: str = "髙橋　一郎"
) -> FamilyRegister:
    return FamilyRegister(domicile=domicile, head=head)


def a_person(
    name: str = "髙橋",
    given: str = "一郎",
    kana: tuple[str, str] = ("タカハシ", "イチロウ"),
    relationship: str | Relationship = "世帯主",
    born: str = "昭和50年1月2日",
    sex: Sex = Sex.MALE,
    kind: ResidentKind = JAPANESE,
    individual_number: IndividualNumber | None = None,
    **overrides: Any,
) -> NewPerson:
    """A new Japanese resident (with 本籍・筆頭者) unless ``kind`` says otherwise.

    ``relationship`` given as text is parsed; a ``Relationship`` object is used unchecked (to
    test that the rules refuse one built without ``parse``).
    """
    values: dict[str, Any] = {
        "kind": kind,
        "name": a_name(name, given, kana),
        "birth_date": RecordDate.parse(born),
        "sex": sex,
        "relationship": _relationship(relationship),
        "individual_number": individual_number,
        "family_register": (
            a_family_register(head=f"{name}　{given}") if kind is JAPANESE else None
        ),
    }
    values.update(overrides)
    return NewPerson(**values)


def foreign_details(
    *,
    nationality: str = "中国",
    category: ForeignResidentCategory = ForeignResidentCategory.MID_TO_LONG_TERM,
    residence_status: str = "技術・人文知識・国際業務",
    period_of_stay: str = "3年",
    stay_expires_on: date | None = date(2029, 3, 31),
    card: str | None = "AB12345678CD",
    became_foreign_resident_on: str = "2026-11-20",
    **overrides: Any,
) -> ForeignResidentDetails:
    values: dict[str, Any] = {
        "nationality": nationality,
        "category": category,
        "became_foreign_resident_on": RecordDate.parse(became_foreign_resident_on),
        "residence_status": residence_status,
        "period_of_stay": period_of_stay,
        "stay_expires_on": stay_expires_on,
        "residence_card_number": None if card is None else ResidenceCardNumber.parse(card),
    }
    values.update(overrides)
    return ForeignResidentDetails(**values)


def a_foreign_person(
    name: str = "王",
    given: str = "秀𠮷",
    kana: tuple[str, str] = ("ワン", "シュウキチ"),
    roman: str = "WANG SHUKICHI",
    relationship: str | Relationship = "世帯主",
    born: str = "1990-04-01",
    sex: Sex = Sex.MALE,
    individual_number: IndividualNumber | None = None,
    foreign: ForeignResidentDetails | None = None,
    **overrides: Any,
) -> NewPerson:
    """A mid-to-long-term resident with a residence card, its expiry in the future."""
    values: dict[str, Any] = {
        "kind": FOREIGN,
        "name": PersonName.create(name, given, kana[0], kana[1], roman=roman),
        "birth_date": RecordDate.parse(born),
        "sex": sex,
        "relationship": _relationship(relationship),
        "individual_number": individual_number,
        "foreign": foreign if foreign is not None else foreign_details(),
    }
    values.update(overrides)
    return NewPerson(**values)


def an_address(lot: str = "一丁目2番3号", supplement: str = "", **overrides: Any) -> Address:
    """An address in 東京都千代田区霞が関 (the fake's municipality)."""
    values: dict[str, Any] = {
        "prefecture": "東京都",
        "city": "千代田区",
        "town_area": "霞が関",
        "lot_text": lot,
        "address_supplement": supplement,
    }
    values.update(overrides)
    return Address.create(**values)


def a_previous_address(
    prefecture: str = "大阪府", city: str = "大阪市北区", lot: str = "梅田一丁目1番1号"
) -> Address:
    """A domestic address outside the municipality (転入前住所)."""
    return Address.create(prefecture=prefecture, city=city, lot_text=lot)


def an_overseas_address(
    country: str = "アメリカ合衆国", text: str = "ニューヨーク州ニューヨーク市"
) -> Address:
    return Address.create(country=country, overseas_text=text)


def a_header(
    effective_on: date = EFFECTIVE_ON, filed_on: date | None = _SAME_AS_EFFECTIVE, **overrides: Any
) -> ChangeHeader:
    """The header every command carries; ``filed_on`` defaults to the effective date."""
    values: dict[str, Any] = {
        "effective_on": effective_on,
        "filed_on": effective_on if filed_on is _SAME_AS_EFFECTIVE else filed_on,
        "operator": "職員0042",
        "place": "本庁舎1階 市民課",
        "terminal": "T-001",
    }
    values.update(overrides)
    return ChangeHeader(**values)


def acknowledging(header: ChangeHeader, *codes: str) -> ChangeHeader:
    """The same header with these alert codes acknowledged."""
    return dataclasses.replace(header, acknowledged_alerts=frozenset(codes))


def a_valid_individual_number(seed: int) -> IndividualNumber:
    """A 個人番号 with a correct check digit, different for every seed."""
    first11 = f"{(seed * 7_919_993 + 271_828_182) % 10**11:011d}"
    return IndividualNumber.parse(first11 + individual_number_check_digit(first11))


def moving_in(*members: NewPerson, address: Address | None = None) -> MoveIn:
    """A 国内転入 of ``members`` (default: one 世帯主) as a new household."""
    return MoveIn(
        header=a_header(),
        members=members or (a_person(),),
        address=address or an_address(),
        previous_address=a_previous_address(),
    )


def a_household(
    fake: FakeRegister,
    *members: NewPerson,
    address: Address | None = None,
    header: ChangeHeader | None = None,
    today: date = TODAY,
) -> tuple[HouseholdNumber, list[AtenaNumber]]:
    """Record a 国内転入 of ``members`` (default: one 世帯主) as a new household."""
    plan = record(
        fake,
        MoveIn(
            header=header or a_header(),
            members=members or (a_person(),),
            address=address or an_address(),
            previous_address=a_previous_address(),
        ),
        today=today,
    )
    households = {r.household_number for r in plan.records}
    assert len(households) == 1
    return households.pop(), [r.atena_number for r in plan.records]


_MUNICIPALITY_SERIALS: dict[str, Iterator[int]] = {}
_SPARE_PREFECTURES = tuple(str(p) for p in range(30, 40))
"""Prefectures no test names (30-39): where a prefix's codes go on once its own are used up."""


def _next_first5(prefix: str) -> str:
    """The next unused ``prefix`` + 3 digits (101-999, then 001-100) of this test session; once
    the prefix's 999 are used (one session's database keeps every municipality its tests add),
    the spare prefectures' codes in turn."""
    for candidate in (prefix, *_SPARE_PREFECTURES):
        serials = _MUNICIPALITY_SERIALS.setdefault(
            candidate, itertools.chain(range(101, 1000), range(1, 101))
        )
        serial = next(serials, None)
        if serial is not None:
            return f"{candidate}{serial:03d}"
    raise RuntimeError("the test municipality codes are used up")


def a_municipality(app: App, prefix: str = "46", name: str = "試験市") -> str:
    """Add a municipality under a valid code that no other test uses; return the code."""
    while True:
        first5 = _next_first5(prefix)
        code = first5 + municipality_check_digit(first5)
        try:
            app.municipalities.add(code, f"{name}{first5}")
        except DomainError as exc:
            if exc.code != "municipality.exists":
                raise
            continue
        return code


def a_named_certifier(app: App, code: str, name: str = "山田　太郎") -> str:
    """Name the municipality's mayor as an administrator does (a fresh key directory's stand-in
    has no name, and a copy without its certifier's name is refused: §1.3.9); the title, with
    the prefecture as §5.6 prints it, is returned."""
    admin = Actor(f"administrator-{code}", code, frozenset({Role.ADMINISTRATOR}))
    title = app.certificates.issuer(admin).mayor_title
    prefecture = MunicipalityCode(code).prefecture
    assert title.startswith(prefecture), title
    app.certificates.set_issuer(admin, title, name)
    return title


def a_seal(side_mm: float, dpi: int = 300, margin_px: int = 60, fmt: str = "PNG") -> bytes:
    """A red round seal of ``side_mm`` on a white scan with a margin."""
    side = round(side_mm / 25.4 * dpi)
    image = Image.new("RGB", (side + 2 * margin_px, side + 2 * margin_px), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (margin_px, margin_px, margin_px + side - 1, margin_px + side - 1),
        outline=(190, 20, 20),
        width=max(2, side // 15),
    )
    out = io.BytesIO()
    image.save(out, format=fmt, dpi=(dpi, dpi))
    return out.getvalue()


def an_administrator(code: str, login: str = "operator:test") -> Actor:
    """The municipality's administrator (subscribers, users, the certifier) as the services
    see them."""
    return Actor(login, code, frozenset({Role.ADMINISTRATOR}))


def an_auditor(code: str, login: str = "auditor:test") -> Actor:
    """The municipality's auditor (the access log) as the services see them."""
    return Actor(login, code, frozenset({Role.AUDITOR}))
