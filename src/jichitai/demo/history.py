"""The demo register's history: each scheduled event recorded when its day comes.

:meth:`History.happen` hands each :data:`~jichitai.demo.schedule.ScheduledEvent` to its handler
(one ``match``, exhaustive under mypy). A handler first checks the event against the household
as it is now (a person may have died or left meanwhile) and counts it skipped if it no longer
fits; otherwise it fills in the command, records it and brings the picture up to date.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import assert_never

from jichitai.demo import names as n
from jichitai.demo.clerk import Clerk
from jichitai.demo.people import People
from jichitai.demo.picture import HEAD, SPOUSES, Household, Person, Picture
from jichitai.demo.places import MunicipalityPlaces, abroad, domestic_elsewhere, modernised
from jichitai.demo.schedule import (
    ChildIsBorn,
    ChildLeaves,
    ChildSplitsOff,
    FamilySplitsOff,
    FormerSurnameEntered,
    HouseholdArrives,
    HouseholdMovesIn,
    HouseholdMovesInTown,
    HouseholdMovesOut,
    LotRewritten,
    MoveInNoticeArrives,
    PersonDies,
    ReadingCorrected,
    RemovedExOfficio,
    Schedule,
    ScheduledEvent,
)
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.residents.commands import (
    Birth,
    Correct,
    Death,
    ExOfficioRemoval,
    HeadChange,
    HouseholdSplit,
    InTownMove,
    MoveIn,
    MoveOut,
    RecordChanges,
    RecordMoveInNotice,
)
from jichitai.domain.residents.model import ResidentKind, Sex
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.relationships import Relationship


class History:
    """Records the scheduled events in order of date (up to ``anchor``); draws from ``shape``
    (the stream of the register's shape) and ``place`` (addresses)."""

    def __init__(
        self,
        picture: Picture,
        people: People,
        clerk: Clerk,
        schedule: Schedule,
        places: MunicipalityPlaces,
        *,
        anchor: date,
        today: date,
        shape: Random,
        place: Random,
    ) -> None:
        self.picture = picture
        self.people = people
        self.clerk = clerk
        self.schedule = schedule
        self.places = places
        self.anchor = anchor
        """The last day of the generated history (:mod:`~jichitai.demo.anchor`)."""
        self.today = today
        """The register clock's today: the latest filing date of a move-out planned for later."""
        self.rng = shape
        self.place_rng = place

    def drain(self) -> None:
        """Record every scheduled event, those scheduled meanwhile included."""
        for on, event in self.schedule.due():
            self.happen(on, event)

    def happen(self, on: date, event: ScheduledEvent) -> None:
        """Record ``event`` on ``on`` if the household still fits it (else count it skipped)."""
        match event:
            case HouseholdMovesIn(household):
                if self.enter(household, on):
                    self.schedule.plan_history(household, on)
            case HouseholdArrives(household):
                self.enter(household, on)
            case HouseholdMovesInTown(household):
                self.move_in_town(on, household)
            case HouseholdMovesOut(household):
                self.move_household_out(on, household)
            case MoveInNoticeArrives():
                self.record_notice(on, event)
            case ChildLeaves(person):
                self.child_leaves(on, person)
            case ChildSplitsOff(person):
                self.child_splits_off(on, person)
            case FamilySplitsOff(son):
                self.family_splits_off(on, son)
            case ChildIsBorn(mother):
                self.birth(on, mother)
            case PersonDies(person):
                self.death(on, person)
            case LotRewritten(household):
                self.rewrite_lot(on, household)
            case ReadingCorrected(person):
                self.correct_reading(on, person)
            case FormerSurnameEntered(person):
                self.enter_former_surname(on, person)
            case RemovedExOfficio(person):
                self.remove_ex_officio(on, person)
            case _:
                assert_never(event)

    def enter(self, household: Household, on: date) -> bool:
        """転入 of a planned household; False if the register refused it."""
        assert household.previous_address is not None
        command = MoveIn(
            header=self.clerk.header(on, self.clerk.filed(on)),
            members=tuple(self.clerk.new_person(m, on) for m in household.members),
            address=household.address,
            previous_address=household.previous_address,
            from_abroad=household.from_abroad,
        )
        for m in household.members:
            self.picture.persons.append(m)
        result = self.clerk.record(command, household.members)
        if result is None:
            for m in household.members:
                self.picture.persons.remove(m)
            return False
        for m, atena in zip(household.members, result.atena_numbers, strict=True):
            m.atena, m.household, m.living, m.entry_event = atena, household, True, result.event_id
        household.number = result.households[0]
        self.picture.households.append(household)
        return True

    def move_in_town(self, on: date, household: Household) -> None:
        """転居 of the whole household to another address in town."""
        if not household.living:
            return self.clerk.skip()
        address = self.places.other_address(self.place_rng, household.address)
        command = InTownMove(
            header=self.clerk.header(on, self.clerk.filed(on)),
            atena_numbers=tuple(AtenaNumber(m.atena) for m in household.members),
            address=address,
        )
        if self.clerk.record(command, household.members) is not None:
            household.address = address

    def move_household_out(self, on: date, household: Household) -> None:
        """転出 of the whole household."""
        if not household.living:
            return self.clerk.skip()
        self.move_out(household, list(household.members), on, notices=True)

    def move_out(
        self, household: Household, movers: list[Person], on: date, *, notices: bool
    ) -> bool:
        """転出 of ``movers`` planned for ``on``; filed up to two weeks before (never after today:
        ``on`` may be a day to come). 転入通知 arrive only for a move-out up to the anchor."""
        foreign = next((m.foreign for m in movers if m.foreign is not None), None)
        to_abroad = (foreign is not None and self.rng.random() < 0.6) or self.rng.random() < 0.05
        if to_abroad and foreign is not None:
            nationality = n.nationality_named(foreign.nationality)
            onward = abroad(self.place_rng, nationality.name, nationality.cities)
        elif to_abroad:
            onward = abroad(self.place_rng)
        else:
            onward = self.places.elsewhere(
                self.place_rng, municipality_only=self.place_rng.random() < 0.5
            )
        latest_before = max(m.last_on for m in movers)
        filed = max(on - timedelta(days=self.rng.randint(0, 14)), latest_before)
        filed = min(filed, self.today)
        command = MoveOut(
            header=self.clerk.header(on, filed),
            atena_numbers=tuple(AtenaNumber(m.atena) for m in movers),
            planned_on=on,
            onward_address=onward,
            abroad=onward.is_overseas,
        )
        if self.clerk.record(command, movers) is None:
            return False
        household.leave(movers)
        if notices and not onward.is_overseas and on <= self.anchor and self.rng.random() < 0.5:
            moved_in = on + timedelta(days=self.rng.randint(0, 5))
            notice_on = moved_in + timedelta(days=self.rng.randint(3, 20))
            if notice_on <= self.anchor:
                confirmed = (
                    onward if not onward.is_municipality_only else _detailed(onward, self.place_rng)
                )
                for m in movers:
                    self.schedule.add(notice_on, MoveInNoticeArrives(m, moved_in, confirmed))
        return True

    def record_notice(self, on: date, notice: MoveInNoticeArrives) -> None:
        """The 転入通知 from the municipality a person moved to."""
        command = RecordMoveInNotice(
            header=self.clerk.header(on),
            atena_number=AtenaNumber(notice.person.atena),
            notice_on=on,
            confirmed_address=notice.confirmed,
            moved_in_on=notice.moved_in_on,
        )
        self.clerk.record(command, [notice.person])

    def child_leaves(self, on: date, person: Person) -> None:
        """An adult child moves out of town alone."""
        household = person.household
        if (
            not person.living
            or household is None
            or person.relationship == HEAD
            or len(household.members) < 2
        ):
            return self.clerk.skip()
        self.move_out(household, [person], on, notices=True)

    def child_splits_off(self, on: date, person: Person) -> None:
        """世帯分離: an adult child forms a household of their own at the same address."""
        household = person.household
        if (
            not person.living
            or household is None
            or person.relationship != "子"
            or len(household.members) < 2
        ):
            return self.clerk.skip()
        self.split(household, [person], person, {}, on)

    def family_splits_off(self, on: date, son: Person) -> None:
        """世帯分離 of the young family in a three-generation household (子, 子の妻, 子の子)."""
        household = son.household
        if not son.living or household is None or son.relationship != "子":
            return self.clerk.skip()
        wife = son.partner
        movers = [son]
        relationships: dict[str, str] = {}
        if (
            wife is not None
            and wife.living
            and wife.household is household
            and wife.relationship == "子の妻"
        ):
            movers.append(wife)
            relationships[wife.atena] = "妻"
        for m in household.members:
            if m.relationship == "子の子" and son in m.parents:
                movers.append(m)
                relationships[m.atena] = "子"
        if len(movers) >= len(household.members):
            return self.clerk.skip()
        self.split(household, movers, son, relationships, on)

    def split(
        self,
        household: Household,
        movers: list[Person],
        head: Person,
        relationships: dict[str, str],
        on: date,
    ) -> None:
        """世帯分離 of ``movers`` into a new household at the same address, headed by ``head``
        (``relationships``: the others' relationship to the new head, by 宛名番号)."""
        command = HouseholdSplit(
            header=self.clerk.header(on, self.clerk.filed(on)),
            atena_numbers=tuple(AtenaNumber(m.atena) for m in movers),
            new_head=AtenaNumber(head.atena),
            relationships={k: Relationship.parse(v) for k, v in relationships.items()},
        )
        result = self.clerk.record(command, movers)
        if result is None:
            return
        new = Household(members=[], address=household.address, moved_in_on=on)
        new.number = result.households[-1]  # the source household(s), then the new one
        for m in movers:
            household.members.remove(m)
            new.members.append(m)
            m.household = new
            m.relationship = HEAD if m is head else relationships[m.atena]
        self.picture.households.append(new)
        self.schedule.plan_after_split(new, on)

    def birth(self, on: date, mother: Person) -> None:
        """出生 of a child of ``mother`` and her partner, when both still live together here."""
        father = mother.partner
        household = mother.household
        if (
            not mother.living
            or household is None
            or father is None
            or not father.living
            or father.household is not household
            or not 20 <= mother.age_on(on) <= 44
            or (on - mother.last_child_on).days < 300
        ):
            return self.clerk.skip()
        rels = {mother.relationship, father.relationship}
        if HEAD in rels and rels & set(SPOUSES):
            relationship = "子"
        elif rels == {"子", "子の妻"}:
            relationship = "子の子"
        else:
            return self.clerk.skip()
        japanese_parent = father if father.kind is ResidentKind.JAPANESE else mother
        if japanese_parent.kind is not ResidentKind.JAPANESE:
            return self.clerk.skip()
        family = n.NameReading(japanese_parent.name.family, japanese_parent.name.family_kana)
        if japanese_parent.true_name is not None:
            family = n.NameReading(
                japanese_parent.true_name.family, japanese_parent.true_name.family_kana
            )
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        child = self.people.japanese(
            family, sex, RecordDate.of(on), relationship, japanese_parent.family_register
        )
        child.individual_number = child.individual_number or self.people.individual_number()
        if child.true_name is not None:  # a newborn's name is entered right
            child.name, child.true_name = child.true_name, None
        child.parents = (father, mother)
        command = Birth(
            header=self.clerk.header(on, self.clerk.filed(on)),
            child=self.clerk.new_person(child, on),
            household_number=HouseholdNumber(household.number),
        )
        self.picture.persons.append(child)
        result = self.clerk.record(command, [child])
        if result is None:
            self.picture.persons.remove(child)
            return
        child.atena, child.household, child.living, child.entry_event = (
            result.atena_numbers[0],
            household,
            True,
            result.event_id,
        )
        household.members.append(child)
        mother.last_child_on = on

    def death(self, on: date, person: Person) -> None:
        """死亡; when the head dies, a 世帯主変更 names the successor (or the death is skipped
        when the successor cannot be said simply)."""
        household = person.household
        if not person.living or household is None:
            return self.clerk.skip()
        others = [m for m in household.members if m is not person]
        follow_up: tuple[Person, dict[str, str]] | None = None
        if person.relationship == HEAD and len(others) >= 2:
            follow_up = _successor(person, others)
            if follow_up is None:
                return self.clerk.skip()
        alerts = frozenset({"household.head_absent"}) if follow_up is not None else frozenset()
        command = Death(
            header=self.clerk.header(on, self.clerk.filed(on, most=7), alerts=alerts),
            atena_number=AtenaNumber(person.atena),
            died_on=RecordDate.of(on),
        )
        if self.clerk.record(command, [person]) is None:
            return
        household.leave([person])
        if follow_up is not None:
            new_head, relationships = follow_up
            changed = dict(relationships)
            head_change = HeadChange(
                header=self.clerk.header(on, self.clerk.filed(on)),
                household_number=HouseholdNumber(household.number),
                new_head=AtenaNumber(new_head.atena),
                relationships={k: Relationship.parse(v) for k, v in changed.items()},
            )
            if self.clerk.record(head_change, household.members) is not None:
                new_head.relationship = HEAD
                for m in household.members:
                    if m.atena in changed:
                        m.relationship = changed[m.atena]

    def rewrite_lot(self, on: date, household: Household) -> None:
        """軽微な修正: a lot entered 地番-style (3番地12) rewritten as 住居表示 (3番12号)."""
        fixed = modernised(household.address)
        if not household.living or fixed == household.address:
            return self.clerk.skip()
        for m in list(household.members):
            command = Correct(
                header=self.clerk.header(on),
                atena_number=AtenaNumber(m.atena),
                reason=ChangeReason.MINOR_CORRECTION,
                changes=RecordChanges(address=fixed),
            )
            self.clerk.record(command, [m])
        household.address = fixed

    def correct_reading(self, on: date, person: Person) -> None:
        """誤記修正: a reading entered wrongly at the move-in is put right."""
        if not person.living or person.true_name is None:
            return self.clerk.skip()
        command = Correct(
            header=self.clerk.header(on),
            atena_number=AtenaNumber(person.atena),
            reason=ChangeReason.CLERICAL_CORRECTION,
            changes=RecordChanges(name=person.true_name),
            corrects_event_id=person.entry_event or None,
        )
        if self.clerk.record(command, [person]) is not None:
            person.name, person.true_name = person.true_name, None

    def enter_former_surname(self, on: date, person: Person) -> None:
        """旧氏の記載 for a married woman, at her request."""
        if not person.living or person.maiden is None:
            return self.clerk.skip()
        former = PersonName.create(person.maiden.kanji, "", person.maiden.kana)
        command = Correct(
            header=self.clerk.header(on, on),
            atena_number=AtenaNumber(person.atena),
            reason=ChangeReason.FORMER_SURNAME_ENTRY,
            changes=RecordChanges(former_surname=former),
        )
        if self.clerk.record(command, [person]) is not None:
            person.maiden = None

    def remove_ex_officio(self, on: date, person: Person) -> None:
        """職権消除 after a survey found nobody living there."""
        household = person.household
        if not person.living or household is None or len(household.members) != 1:
            return self.clerk.skip()
        command = ExOfficioRemoval(
            header=self.clerk.header(on),
            atena_numbers=(AtenaNumber(person.atena),),
            cause="実態調査の結果、居住の事実が確認できないため",
        )
        if self.clerk.record(command, [person]) is not None:
            household.leave([person])


def _detailed(onward: Address, rng: Random) -> Address:
    """The full address the new municipality confirms for a municipality-only onward address."""
    for _ in range(20):
        candidate = domestic_elsewhere(rng)
        if (candidate.prefecture, candidate.city) == (onward.prefecture, onward.city):
            return candidate
    return onward


def _sibling_term(person: Person, anchor: Person) -> str:
    older = person.born < anchor.born
    if person.sex is Sex.MALE:
        return "兄" if older else "弟"
    return "姉" if older else "妹"


def _successor(dead: Person, others: list[Person]) -> tuple[Person, dict[str, str]] | None:
    """The new head after the head's death, and everyone's relationship to them (or None when
    that cannot be said simply: the death is then not generated)."""
    spouse = next((m for m in others if m.relationship in SPOUSES), None)
    relationships: dict[str, str] = {}
    if spouse is not None:
        via = "夫の" if spouse.sex is Sex.FEMALE else "妻の"
        for m in others:
            if m is spouse:
                continue
            if m.relationship in ("父", "母"):
                relationships[m.atena] = via + m.relationship
        return spouse, relationships
    adults = sorted(
        (m for m in others if m.relationship == "子" and dead in m.parents),
        key=lambda m: m.born,
    )
    if not adults:
        return None
    heir = adults[0]
    for m in others:
        if m is heir:
            continue
        if m.relationship == "子" and dead in m.parents:
            relationships[m.atena] = _sibling_term(m, heir)
        elif m.relationship in ("父", "母"):
            relationships[m.atena] = ("父の" if dead.sex is Sex.MALE else "母の") + m.relationship
        elif m.relationship == "子の妻" and m.partner is heir:
            relationships[m.atena] = "妻"
        elif m.relationship == "子の子" and heir in m.parents:
            relationships[m.atena] = "子"
        elif m.relationship in ("同居人", "縁故者"):
            continue
        else:
            return None
    return heir, relationships
