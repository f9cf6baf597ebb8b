"""The demo generator's own picture of the register: its persons and households.

The generator never queries the register. It keeps what it sent and what ``ChangeResult``
answered (the 宛名番号 in the order of the members, the households touched), and each scheduled
event is checked against this picture when its day comes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from jichitai.demo.names import NameReading
from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import IndividualNumber
from jichitai.domain.common.names import PersonName
from jichitai.domain.residents.model import (
    FamilyRegister,
    ForeignResidentDetails,
    ResidentKind,
    Sex,
)

HEAD: Final = "世帯主"
SPOUSES: Final = ("妻", "夫")


@dataclass(eq=False)
class Person:
    """A person as planned, then as entered (``atena`` set) and while living here."""

    name: PersonName
    sex: Sex
    birth: RecordDate
    kind: ResidentKind
    relationship: str
    family_register: FamilyRegister | None = None
    individual_number: IndividualNumber | None = None
    foreign: ForeignResidentDetails | None = None
    maiden: NameReading | None = None
    """The family name before marriage, for a later 旧氏の記載."""
    true_name: PersonName | None = None
    """Set when the name was entered with a wrong reading: the name a 誤記修正 puts right."""
    partner: Person | None = None
    parents: tuple[Person, ...] = ()
    atena: str = ""
    household: Household | None = None
    living: bool = False
    last_on: date = date.min
    entry_event: str = ""
    last_child_on: date = date.min

    @property
    def born(self) -> date:
        return self.birth.approximation

    def age_on(self, on: date) -> int:
        b = self.born
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


@dataclass(eq=False)
class Household:
    """A household as planned (members, address, where from), then as entered (``number``)."""

    members: list[Person]
    address: Address
    moved_in_on: date = date.min
    previous_address: Address | None = None
    from_abroad: bool = False
    number: str = ""

    @property
    def living(self) -> bool:
        return bool(self.members)

    def head(self) -> Person | None:
        return next((m for m in self.members if m.relationship == HEAD), None)

    def last_on(self) -> date:
        return max(m.last_on for m in self.members)

    def leave(self, leaving: Sequence[Person]) -> None:
        """Take persons out; a sole survivor becomes head (as the rules do)."""
        for m in leaving:
            m.living = False
            self.members.remove(m)
        if self.members and self.head() is None and len(self.members) == 1:
            self.members[0].relationship = HEAD


@dataclass(eq=False)
class Picture:
    """Every person sent to the register (kept only once recorded) and every household entered."""

    persons: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)

    def living_count(self) -> int:
        return sum(1 for p in self.persons if p.living)
