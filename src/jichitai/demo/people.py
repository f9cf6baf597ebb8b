"""Drawing the demo's people: names, birth dates, 本籍 and 筆頭者, マイナンバー and card numbers.

No two persons share a name, sex and birth date (:meth:`People.claim`), so that a search finds
the one meant. Now and then a Japanese name is entered with a slip in its reading (the name a
later 誤記修正 puts right is kept as ``Person.true_name``).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from random import Random
from typing import Final

from jichitai.demo import names as n
from jichitai.demo.picture import Person
from jichitai.demo.places import MunicipalityPlaces
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import (
    IndividualNumber,
    ResidenceCardNumber,
    individual_number_check_digit,
)
from jichitai.domain.common.names import PersonName
from jichitai.domain.residents.model import (
    FamilyRegister,
    ForeignResidentCategory,
    ForeignResidentDetails,
    ResidentKind,
    Sex,
)

FOREIGN_REGISTER_START: Final = date(2012, 7, 9)
"""Foreign residents are in the 住民基本台帳 from this day (改正住基法 施行日)."""


class People:
    """Draws persons: names from ``names``, 本籍 from ``places``, identifiers from ``ids``; birth
    dates, shares and reading slips from ``shape`` (the stream of the register's shape)."""

    def __init__(
        self,
        places: MunicipalityPlaces,
        *,
        anchor: date,
        shape: Random,
        names: Random,
        place: Random,
        ids: Random,
    ) -> None:
        self.places = places
        self.anchor = anchor
        self.rng = shape
        self.name_rng = names
        self.place_rng = place
        self.id_rng = ids
        self.identities: set[tuple[str, str, date]] = set()
        self.numbers: set[str] = set()
        self.cards: set[str] = set()
        weights = [max(1, 60 - i // 3) for i in range(len(n.COMMON_FAMILY_NAMES))]
        weights += [18] * len(n.RARE_FAMILY_NAMES)
        self.family_weights = list(itertools.accumulate(weights))
        self.forced_rare = list(n.RARE_FAMILY_NAMES)
        self.rng.shuffle(self.forced_rare)

    # --- identifiers --------------------------------------------------------------------------

    def individual_number(self) -> IndividualNumber:
        while True:
            body = "".join(str(self.id_rng.randrange(10)) for _ in range(11))
            value = body + individual_number_check_digit(body)
            if value not in self.numbers:
                self.numbers.add(value)
                return IndividualNumber(value)

    def card_number(self) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            value = (
                "".join(self.id_rng.choice(letters) for _ in range(2))
                + "".join(str(self.id_rng.randrange(10)) for _ in range(8))
                + "".join(self.id_rng.choice(letters) for _ in range(2))
            )
            if value not in self.cards:
                self.cards.add(value)
                return value

    # --- names and dates ----------------------------------------------------------------------

    def birth_date(self, age: int, *, oddities: bool = True) -> RecordDate:
        """Born ``age`` years before the anchor (:mod:`~jichitai.demo.anchor`); now and then an
        unknown or non-calendar date for someone born in 昭和 before 1956 (as old family registers
        have them)."""
        days = int(age * 365.25) + self.rng.randrange(365)
        born = self.anchor - timedelta(days=days)
        if oddities and date(1927, 1, 1) <= born < date(1956, 1, 1):
            roll = self.rng.random()
            showa = born.year - 1925
            if roll < 0.04:
                text = self.rng.choice(
                    (f"昭和{showa}年頃", f"昭和{showa}年{born.month}月頃", f"昭和{showa}年月日不詳")
                )
                return RecordDate.parse(text)
            if roll < 0.10:
                month = self.rng.choice((2, 4, 6, 9, 11))
                last = 29 if month == 2 and born.year % 4 == 0 else 28 if month == 2 else 30
                day = self.rng.randint(last + 1, 31 if month != 2 else 30)
                return RecordDate.parse(f"昭和{showa}年{month}月{day}日")
        return RecordDate.of(born)

    def family(self) -> n.NameReading:
        if self.forced_rare:
            return self.forced_rare.pop()
        return self.name_rng.choices(n.FAMILY_NAMES, cum_weights=self.family_weights)[0]

    def other_family(self, *avoid: n.NameReading) -> n.NameReading:
        while True:
            candidate = self.name_rng.choices(n.FAMILY_NAMES, cum_weights=self.family_weights)[0]
            if all(candidate.kana != a.kana for a in avoid):
                return candidate

    def given(self, sex: Sex, born: date) -> n.GivenName:
        pool = n.MALE_GIVEN_NAMES if sex is Sex.MALE else n.FEMALE_GIVEN_NAMES
        generation = n.generation_of(born.year)
        if self.name_rng.random() < 0.85:
            pool = tuple(g for g in pool if g.generation == generation)
        return self.name_rng.choice(pool)

    def claim(self, name: PersonName, sex: Sex, birth: RecordDate) -> bool:
        """Reserve an identity (name, sex, birth date) so that no two persons share one."""
        key = (name.kanji_key, sex.value, birth.approximation)
        if key in self.identities:
            return False
        self.identities.add(key)
        return True

    def release(self, person: Person) -> None:
        """Give back the identity of a person who will not be entered after all."""
        self.identities.discard((person.name.kanji_key, person.sex.value, person.born))

    # --- persons ------------------------------------------------------------------------------

    def japanese(
        self,
        family: n.NameReading,
        sex: Sex,
        birth: RecordDate,
        relationship: str,
        register: FamilyRegister | None = None,
        *,
        maiden: n.NameReading | None = None,
    ) -> Person:
        for _ in range(50):
            given = self.given(sex, birth.approximation)
            name = PersonName.create(family.kanji, given.kanji, family.kana, given.kana)
            if self.claim(name, sex, birth):
                break
        else:  # pragma: no cover - 50 clashes in a row
            raise RuntimeError("no free name")
        person = Person(
            name=name,
            sex=sex,
            birth=birth,
            kind=ResidentKind.JAPANESE,
            relationship=relationship,
            family_register=register,
            individual_number=self.individual_number() if self.rng.random() < 0.95 else None,
            maiden=maiden,
        )
        if self.rng.random() < 0.03:
            wrong = _misread(name, self.rng)
            if wrong is not None:
                person.true_name, person.name = name, wrong
        return person

    def register_of(self, head_name: PersonName, *, local: float = 0.4) -> FamilyRegister:
        if self.place_rng.random() < 0.05:
            domicile = "東京都千代田区千代田1番"
        elif self.place_rng.random() < local:
            domicile = self.places.domicile(self.place_rng)
        else:
            elsewhere = self.places.elsewhere(self.place_rng)
            domicile = f"{elsewhere.prefecture}{elsewhere.city}{elsewhere.town_area}{self.place_rng.randint(1, 30)}番地"
        return FamilyRegister(domicile, head_name.full)

    def register_headed_by(self, family: n.NameReading, sex: Sex, born: date) -> FamilyRegister:
        """A register whose 筆頭者 is someone not in the household (e.g. a single adult's father)."""
        given = self.given(sex, born)
        return self.register_of(PersonName(family.kanji, given.kanji))

    def foreigner(
        self,
        nationality: n.Nationality,
        sex: Sex,
        birth: RecordDate,
        relationship: str,
        status: str,
        *,
        family: n.ForeignNamePart | None = None,
        arrived: date,
    ) -> Person:
        for _ in range(50):
            fam = family or self.name_rng.choice(nationality.family_names)
            pool = nationality.male_given if sex is Sex.MALE else nationality.female_given
            giv = self.name_rng.choice(pool)
            roman = f"{fam.roman} {giv.roman}"
            if fam.kanji and giv.kanji:
                name = PersonName.create(fam.kanji, giv.kanji, fam.kana, giv.kana, roman=roman)
            else:
                name = PersonName.create("", "", fam.kana, giv.kana, roman=roman)
            if self.claim(name, sex, birth):
                break
        else:  # pragma: no cover
            raise RuntimeError("no free foreign name")
        special = status == "特別永住者"
        became = RecordDate.of(max(arrived, FOREIGN_REGISTER_START))
        if special:
            details = ForeignResidentDetails(
                nationality=nationality.name,
                category=ForeignResidentCategory.SPECIAL_PERMANENT,
                became_foreign_resident_on=became,
                residence_status="特別永住者",
                special_permanent_certificate_number=self.card_number(),
            )
        else:
            details = ForeignResidentDetails(
                nationality=nationality.name,
                category=ForeignResidentCategory.MID_TO_LONG_TERM,
                became_foreign_resident_on=became,
                residence_status=status,
                period_of_stay=n.PERIODS_OF_STAY.get(status, "3年"),
                stay_expires_on=self.anchor + timedelta(days=self.rng.randint(45, 1500)),
                residence_card_number=ResidenceCardNumber(self.card_number()),
            )
        return Person(
            name=name,
            sex=sex,
            birth=birth,
            kind=ResidentKind.FOREIGN,
            relationship=relationship,
            foreign=details,
            individual_number=self.individual_number() if self.rng.random() < 0.9 else None,
        )


_VOICED: Final = dict(
    zip(
        "カキクケコサシスセソタチツテトハヒフヘホ",
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボ",
        strict=True,
    )
)
_UNVOICED: Final = {v: k for k, v in _VOICED.items()}


def _misread(name: PersonName, rng: Random) -> PersonName | None:
    """The name with one plausible reading slip (ヤマサキ → ヤマザキ, サイトウ → サイト)."""
    parts = [("family_kana", name.family_kana), ("given_kana", name.given_kana)]
    rng.shuffle(parts)
    for field_name, kana in parts:
        spots = [i for i, ch in enumerate(kana) if i > 0 and (ch in _VOICED or ch in _UNVOICED)]
        if spots:
            i = rng.choice(spots)
            ch = kana[i]
            wrong = kana[:i] + (_VOICED.get(ch) or _UNVOICED[ch]) + kana[i + 1 :]
        elif kana.endswith("ウ") and len(kana) > 2:
            wrong = kana[:-1]
        else:
            continue
        if field_name == "family_kana":
            return PersonName.create(name.family, name.given, wrong, name.given_kana)
        return PersonName.create(name.family, name.given, name.family_kana, wrong)
    return None
