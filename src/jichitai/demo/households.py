"""Planning the demo's households: their shapes, members, move-in dates and where they come from.

Shapes: single people ~35 %, couples, couples with children, single parents, three generations,
同居人, 縁故者, an unmarried couple 妻（未届）, and about 3 % foreign residents among them (single,
families, 特別永住者, a Japanese husband with a foreign wife). The members are drawn by
:class:`~jichitai.demo.people.People`; nothing here is recorded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from random import Random
from typing import Final

from jichitai.demo import names as n
from jichitai.demo.people import FOREIGN_REGISTER_START, People
from jichitai.demo.picture import HEAD, Household, Person
from jichitai.demo.places import MunicipalityPlaces, abroad
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.names import PersonName
from jichitai.domain.residents.model import FamilyRegister, Sex

FOREIGN_SHARE: Final = 0.03

FIRST_SHAPES: Final = (
    "three_gen_parents",
    "three_gen_children",
    "lodger",
    "relative",
    "unmarried",
    "single_parent",
    "couple_children",
    "special_permanent",
    "foreign_single",
    "foreign_family",
    "mixed",
)
"""The shapes planned first, so that even a small register has each of them once."""


class HouseholdPlanner:
    """Plans households: shapes and ages from ``shape`` (the stream of the register's shape),
    addresses from ``place``; counts the persons (and foreign residents) planned so far."""

    def __init__(
        self,
        people: People,
        places: MunicipalityPlaces,
        *,
        anchor: date,
        shape: Random,
        place: Random,
    ) -> None:
        self.people = people
        self.places = places
        self.anchor = anchor
        self.rng = shape
        self.place_rng = place
        self.planned_persons = 0
        self.planned_foreign = 0

    def pick_shape(self) -> str:
        if (
            self.planned_foreign < FOREIGN_SHARE * (self.planned_persons + 2)
            and self.rng.random() < 0.5
        ):
            return self.rng.choices(
                ("foreign_single", "foreign_family", "special_permanent", "mixed"),
                weights=(6, 2, 1, 2),
            )[0]
        return self.rng.choices(
            (
                "single",
                "couple",
                "couple_children",
                "single_parent",
                "three_gen_parents",
                "three_gen_children",
                "lodger",
                "relative",
                "unmarried",
            ),
            weights=(33, 21, 22, 6, 4, 3, 3, 2, 2),
        )[0]

    def plan(self, shape: str | None, *, recent: bool, max_size: int = 99) -> Household:
        """A household of ``shape`` (else a drawn one) with its move-in date (in the two years
        before the anchor if ``recent``, else in the thirty before it), its address and where it comes from."""
        for _ in range(20):
            chosen = shape or self.pick_shape()
            members, earliest = self.members(chosen)
            if len(members) <= max_size or shape is not None:
                break
            for m in members:  # too big for what is missing: give the identities back
                self.people.release(m)
        youngest = max(m.born for m in members)
        start = max(
            self.anchor - timedelta(days=730 if recent else 30 * 365),
            youngest + timedelta(days=1),
            earliest,
        )
        start = min(start, self.anchor)
        moved_in = start + timedelta(days=self.rng.randrange((self.anchor - start).days + 1))
        foreign = [m for m in members if m.foreign is not None]
        status = foreign[0].foreign.residence_status if foreign and foreign[0].foreign else ""
        chance = {"特別永住者": 0.0, "技能実習": 0.9, "留学": 0.7, "特定技能": 0.6, "永住者": 0.15}
        from_abroad = self.rng.random() < (chance.get(status, 0.5) if foreign else 0.04)
        if from_abroad and foreign:
            nationality = n.nationality_named(
                foreign[0].foreign.nationality if foreign[0].foreign else ""
            )
            previous = abroad(self.place_rng, nationality.name, nationality.cities)
        elif from_abroad:
            previous = abroad(self.place_rng)
        else:
            previous = self.places.elsewhere(self.place_rng)
        for m in foreign:
            assert m.foreign is not None
            became = RecordDate.of(max(moved_in, FOREIGN_REGISTER_START))
            m.foreign = replace(m.foreign, became_foreign_resident_on=became)
        legacy = self.rng.random() < 0.05
        address = self.places.address(self.place_rng, legacy=legacy)
        household = Household(
            members=members,
            address=address,
            moved_in_on=moved_in,
            previous_address=previous,
            from_abroad=from_abroad,
        )
        self.planned_persons += len(members)
        self.planned_foreign += len(foreign)
        return household

    def members(self, shape: str) -> tuple[list[Person], date]:
        """The members of a household of ``shape`` (head first) and its earliest move-in date."""
        rng = self.rng
        earliest = date.min
        if shape in ("foreign_single", "foreign_family", "special_permanent", "mixed"):
            return self.foreign_members(shape)
        family = self.people.family()
        if shape == "single":
            age = rng.choice(
                (rng.randint(19, 39), rng.randint(19, 39), rng.randint(40, 64), rng.randint(65, 95))
            )
            sex = rng.choice((Sex.MALE, Sex.FEMALE))
            birth = self.people.birth_date(age)
            register = self.people.register_headed_by(
                family, Sex.MALE, birth.approximation - timedelta(days=10000)
            )
            head = self.people.japanese(family, sex, birth, HEAD, register)
            return [head], earliest
        if shape in ("couple", "couple_children", "three_gen_parents"):
            if shape == "couple":
                head_age = rng.choice(
                    (rng.randint(24, 40), rng.randint(41, 64), rng.randint(65, 90))
                )
            elif shape == "couple_children":
                head_age = rng.randint(27, 55)
            else:
                head_age = rng.randint(38, 58)
            members = self.couple(family, head_age, wife_may_head=shape != "three_gen_parents")
            head, spouse = members
            if shape in ("couple_children", "three_gen_parents"):
                members += self.children(
                    family,
                    head,
                    spouse,
                    rng.choice((1, 1, 2, 2, 2, 3))
                    if shape == "couple_children"
                    else rng.randint(0, 2),
                    "子",
                )
            if shape == "three_gen_parents":
                members += self.parents_of(head, family)
            return members, earliest
        if shape == "single_parent":
            sex = Sex.FEMALE if rng.random() < 0.85 else Sex.MALE
            birth = self.people.birth_date(rng.randint(26, 52))
            register = self.people.register_of(PersonName(family.kanji, "", family.kana))
            head = self.people.japanese(family, sex, birth, HEAD)
            head.family_register = FamilyRegister(register.domicile, head.name.full)
            mother = head if sex is Sex.FEMALE else None
            father = head if sex is Sex.MALE else None
            kids = self.children(family, father, mother, rng.choice((1, 1, 2)), "子", single=head)
            return [head, *kids], earliest
        if shape == "three_gen_children":
            members = self.couple(family, rng.randint(60, 80), wife_may_head=False)
            head, spouse = members
            son_birth = self.people.birth_date(
                max(28, head.age_on(self.anchor) - rng.randint(25, 33)), oddities=False
            )
            son_register = self.people.register_of(
                PersonName(family.kanji, "", family.kana), local=0.6
            )
            son = self.people.japanese(family, Sex.MALE, son_birth, "子")
            son.family_register = FamilyRegister(son_register.domicile, son.name.full)
            son.parents = (head, spouse)
            maiden = self.people.other_family(family)
            wife_birth = self.people.birth_date(
                max(26, son.age_on(self.anchor) + rng.randint(-4, 3)), oddities=False
            )
            wife = self.people.japanese(
                family, Sex.FEMALE, wife_birth, "子の妻", son.family_register, maiden=maiden
            )
            son.partner, wife.partner = wife, son
            grandchildren = self.children(family, son, wife, rng.randint(0, 2), "子の子")
            return [head, spouse, son, wife, *grandchildren], earliest
        if shape == "lodger":
            head = self.people.japanese(
                family,
                rng.choice((Sex.MALE, Sex.FEMALE)),
                self.people.birth_date(rng.randint(24, 60)),
                HEAD,
            )
            head.family_register = self.people.register_headed_by(
                family, Sex.MALE, head.born - timedelta(days=11000)
            )
            other = self.people.other_family(family)
            lodger = self.people.japanese(
                other,
                rng.choice((Sex.MALE, Sex.FEMALE)),
                self.people.birth_date(rng.randint(22, 60)),
                "同居人",
            )
            lodger.family_register = self.people.register_headed_by(
                other, Sex.MALE, lodger.born - timedelta(days=11000)
            )
            return [head, lodger], earliest
        if shape == "relative":
            members = self.couple(family, rng.randint(45, 75))
            other = self.people.other_family(family)
            aunt = self.people.japanese(
                other, Sex.FEMALE, self.people.birth_date(rng.randint(70, 92)), "縁故者"
            )
            aunt.family_register = self.people.register_headed_by(
                other, Sex.MALE, aunt.born - timedelta(days=1500)
            )
            return [*members, aunt], earliest
        if shape == "unmarried":
            head = self.people.japanese(
                family, Sex.MALE, self.people.birth_date(rng.randint(25, 50)), HEAD
            )
            head.family_register = self.people.register_headed_by(
                family, Sex.MALE, head.born - timedelta(days=11000)
            )
            other = self.people.other_family(family)
            partner = self.people.japanese(
                other,
                Sex.FEMALE,
                self.people.birth_date(max(22, head.age_on(self.anchor) + rng.randint(-6, 3))),
                "妻（未届）",
            )
            partner.family_register = self.people.register_headed_by(
                other, Sex.MALE, partner.born - timedelta(days=11000)
            )
            head.partner, partner.partner = partner, head
            return [head, partner], earliest
        raise ValueError(f"unknown household shape {shape!r}")

    def couple(
        self, family: n.NameReading, head_age: int, *, wife_may_head: bool = True
    ) -> list[Person]:
        """A married couple sharing ``family``; usually the husband is the head."""
        rng = self.rng
        wife_head = rng.random() < 0.1 and wife_may_head
        husband_birth = self.people.birth_date(
            head_age if not wife_head else head_age + rng.randint(-2, 5)
        )
        wife_birth = self.people.birth_date(
            max(20, (head_age if wife_head else head_age + rng.randint(-7, 2)))
        )
        maiden = self.people.other_family(family)
        husband = self.people.japanese(family, Sex.MALE, husband_birth, "夫" if wife_head else HEAD)
        register = self.people.register_of(husband.true_name or husband.name)
        husband.family_register = register
        wife = self.people.japanese(
            family, Sex.FEMALE, wife_birth, HEAD if wife_head else "妻", register, maiden=maiden
        )
        husband.partner, wife.partner = wife, husband
        return [wife, husband] if wife_head else [husband, wife]

    def children(
        self,
        family: n.NameReading,
        father: Person | None,
        mother: Person | None,
        count: int,
        relationship: str,
        *,
        single: Person | None = None,
    ) -> list[Person]:
        """Children born when the mother (or the single parent) was 22–42, youngest last."""
        parent = mother or single or father
        assert parent is not None
        register = (father or mother or parent).family_register
        kids: list[Person] = []
        parent_age = parent.age_on(self.anchor)
        for _ in range(count):
            low = max(0, parent_age - 42)
            high = parent_age - 22
            if high < low:
                break
            age = self.rng.randint(low, high)
            birth = self.people.birth_date(age, oddities=False)
            if any(abs((birth.approximation - k.born).days) < 300 for k in kids):
                continue
            kid = self.people.japanese(
                family, self.rng.choice((Sex.MALE, Sex.FEMALE)), birth, relationship, register
            )
            kid.parents = tuple(p for p in (father, mother) if p is not None) or (parent,)
            kids.append(kid)
        kids.sort(key=lambda k: k.born)
        if mother is not None and kids:
            mother.last_child_on = kids[-1].born
        return kids

    def parents_of(self, head: Person, family: n.NameReading) -> list[Person]:
        """The head's father and/or mother (父, 母), aged 25–35 more than the head."""
        rng = self.rng
        out: list[Person] = []
        head_age = head.age_on(self.anchor)
        which = rng.choice(("both", "mother", "mother", "father"))
        father_birth = self.people.birth_date(min(101, head_age + rng.randint(26, 35)))
        father_name = PersonName(
            family.kanji, self.people.given(Sex.MALE, father_birth.approximation).kanji
        )
        register = self.people.register_of(father_name, local=0.3)
        if head.relationship == HEAD and head.sex is Sex.FEMALE:
            return []  # her parents would be 父/母 with another family name: keep it simple
        if which in ("both", "father"):
            father = self.people.japanese(family, Sex.MALE, father_birth, "父", register)
            father.family_register = FamilyRegister(register.domicile, father.name.full)
            register = father.family_register
            out.append(father)
        if which in ("both", "mother"):
            maiden = self.people.other_family(family)
            mother = self.people.japanese(
                family,
                Sex.FEMALE,
                self.people.birth_date(min(99, head_age + rng.randint(24, 33))),
                "母",
                register,
                maiden=maiden,
            )
            out.append(mother)
        if len(out) == 2:
            out[0].partner, out[1].partner = out[1], out[0]
        head.parents = tuple(out)
        return out

    def foreign_members(self, shape: str) -> tuple[list[Person], date]:
        rng = self.rng
        if shape == "special_permanent":
            nationality = n.nationality_named(n.SPECIAL_PERMANENT_NATIONALITY)
            family = rng.choice(nationality.family_names)
            head_age = rng.randint(35, 80)
            head = self.people.foreigner(
                nationality,
                Sex.MALE,
                self.people.birth_date(head_age),
                HEAD,
                "特別永住者",
                family=family,
                arrived=self.anchor,
            )
            wife = self.people.foreigner(
                nationality,
                Sex.FEMALE,
                self.people.birth_date(max(25, head_age + rng.randint(-5, 2))),
                "妻",
                "特別永住者",
                arrived=self.anchor,
            )
            head.partner, wife.partner = wife, head
            members = [head, wife]
            for _ in range(rng.randint(0, 2)):
                age = rng.randint(
                    max(0, wife.age_on(self.anchor) - 40), max(0, wife.age_on(self.anchor) - 24)
                )
                kid = self.people.foreigner(
                    nationality,
                    rng.choice((Sex.MALE, Sex.FEMALE)),
                    self.people.birth_date(age, oddities=False),
                    "子",
                    "特別永住者",
                    family=family,
                    arrived=self.anchor,
                )
                kid.parents = (head, wife)
                members.append(kid)
            return members, FOREIGN_REGISTER_START
        nationality = rng.choice(n.FOREIGN_NATIONALITIES)
        statuses, weights = zip(*nationality.statuses, strict=True)
        if shape == "foreign_single":
            status = rng.choices(statuses, weights=weights)[0]
            if status in ("家族滞在", "日本人の配偶者等"):
                status = "技術・人文知識・国際業務"
            age = (
                rng.randint(19, 30)
                if status in ("留学", "技能実習", "特定技能")
                else rng.randint(24, 55)
            )
            head = self.people.foreigner(
                nationality,
                rng.choice((Sex.MALE, Sex.FEMALE)),
                self.people.birth_date(age),
                HEAD,
                status,
                arrived=self.anchor,
            )
            short = status in ("留学", "技能実習", "特定技能")
            earliest = self.anchor - timedelta(days=3 * 365) if short else FOREIGN_REGISTER_START
            return [head], earliest
        if shape == "foreign_family":
            status = "永住者" if rng.random() < 0.3 else "技術・人文知識・国際業務"
            family = rng.choice(nationality.family_names)
            head_age = rng.randint(28, 50)
            head = self.people.foreigner(
                nationality,
                Sex.MALE,
                self.people.birth_date(head_age),
                HEAD,
                status,
                family=family,
                arrived=self.anchor,
            )
            wife_status = "永住者" if status == "永住者" else "家族滞在"
            wife = self.people.foreigner(
                nationality,
                Sex.FEMALE,
                self.people.birth_date(max(24, head_age + rng.randint(-5, 2))),
                "妻",
                wife_status,
                arrived=self.anchor,
            )
            head.partner, wife.partner = wife, head
            members = [head, wife]
            for _ in range(rng.randint(1, 2)):
                age = rng.randint(0, max(0, min(15, wife.age_on(self.anchor) - 24)))
                kid = self.people.foreigner(
                    nationality,
                    rng.choice((Sex.MALE, Sex.FEMALE)),
                    self.people.birth_date(age, oddities=False),
                    "子",
                    wife_status,
                    family=family,
                    arrived=self.anchor,
                )
                kid.parents = (head, wife)
                members.append(kid)
            return members, FOREIGN_REGISTER_START
        # mixed: a Japanese husband (head) and a foreign wife (日本人の配偶者等 or 永住者)
        surname = self.people.family()
        head_age = rng.randint(28, 60)
        husband = self.people.japanese(surname, Sex.MALE, self.people.birth_date(head_age), HEAD)
        husband.family_register = self.people.register_of(husband.true_name or husband.name)
        spouse_nat = rng.choice(
            [
                x
                for x in n.FOREIGN_NATIONALITIES
                if any(s == "日本人の配偶者等" for s, _ in x.statuses)
            ]
        )
        status = "日本人の配偶者等" if rng.random() < 0.6 else "永住者"
        wife = self.people.foreigner(
            spouse_nat,
            Sex.FEMALE,
            self.people.birth_date(max(22, head_age + rng.randint(-10, 1))),
            "妻",
            status,
            arrived=self.anchor,
        )
        husband.partner, wife.partner = wife, husband
        kids = self.children(surname, husband, wife, rng.randint(0, 2), "子")
        return [husband, wife, *kids], FOREIGN_REGISTER_START
