"""The read side: search (基本検索), the current record, its history, the record as of a date.

Drafts are never read here: everything comes from the journal's projections, which only
approved changes (本登録) write.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TypeVar

from jichitai.domain.common.dates import parse_japanese_date
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.common.kana import fold_kana, to_katakana
from jichitai.domain.common.variants import fold_kanji
from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.relationships import sort_members
from jichitai.domain.residents.search import SearchBy as SearchBy
from jichitai.domain.residents.timeline import in_effect, is_pending
from jichitai.services.ports import Clock, RegisterStats, SearchCriteria, UnitOfWork

_T = TypeVar("_T")


# Kana, with the long-vowel mark typed any way §2.1.2 (330) accepts: ー ― － ‐ ｰ - (and kin).
_KANA = re.compile(r"^[\u3040-\u30ff\uff66-\uff9f\s・\-‐‑‒–—―−－]+$")
_CARD = re.compile(r"^[A-Z]{2}\d{8}[A-Z]{2}$")
_ADDRESS_HINT = re.compile(r"\d|丁目|番地|[都道府県市区町村]\S*\d")


def criteria_for(
    query: str, by: SearchBy = SearchBy.AUTO, *, include_removed: bool = True
) -> SearchCriteria:
    """Turn what a clerk types into search criteria (standard §2.1.3 (340)).

    In ``auto`` mode: 10 digits is a 宛名番号, 11 a 住民票コード, 12 a 個人番号, two letters + 8
    digits + two letters a 在留カード番号, a date in 和暦 or 西暦 a birth date, kana a fuzzy reading,
    text with lot numbers an address, anything else a name (variant characters folded).
    """
    text = query.strip()
    if not text:
        raise DomainError(Violation("search.empty", "検索条件を入力してください", "query"))
    folded = unicodedata.normalize("NFKC", text)
    compact = re.sub(r"[\s\-]", "", folded).upper()
    if by in (SearchBy.AUTO, SearchBy.ID) and compact.isdigit() and len(compact) in (10, 11, 12):
        if len(compact) == 10:
            return SearchCriteria(atena_number=compact, include_removed=include_removed)
        if len(compact) == 11:
            return SearchCriteria(resident_code=compact, include_removed=include_removed)
        return SearchCriteria(individual_number=compact, include_removed=include_removed)
    if by in (SearchBy.AUTO, SearchBy.ID) and _CARD.match(compact):
        return SearchCriteria(residence_card_number=compact, include_removed=include_removed)
    if by is SearchBy.ID:
        raise DomainError(
            Violation(
                "search.id_format",
                "宛名番号・住民票コード・個人番号・在留カード番号の形式ではありません",
                "query",
            )
        )
    if by in (SearchBy.AUTO, SearchBy.BIRTH):
        try:
            return SearchCriteria(
                birth_on=parse_japanese_date(text, field="query"), include_removed=include_removed
            )
        except DomainError:
            if by is SearchBy.BIRTH:
                raise
    if by is SearchBy.KANA or (by is SearchBy.AUTO and _KANA.match(text)):
        key = fold_kana(to_katakana(text))
        if not key:
            raise DomainError(Violation("search.empty", "検索条件を入力してください", "query"))
        return SearchCriteria(kana_key=key, include_removed=include_removed)
    if by is SearchBy.ADDRESS or (by is SearchBy.AUTO and _ADDRESS_HINT.search(folded)):
        return SearchCriteria(
            address_key=re.sub(r"\s", "", folded), include_removed=include_removed
        )
    return SearchCriteria(kanji_key=fold_kanji(text), include_removed=include_removed)


class RegisterReads:
    """The read use cases within an open unit of work: another use case reads through it in
    its own transaction (and logs the read there). ``today`` is the municipality's day."""

    def __init__(self, uow: UnitOfWork, today: date) -> None:
        self._uow = uow
        self._register = uow.read_model
        self._today = today

    def search(self, criteria: SearchCriteria, limit: int = 50) -> list[ResidentRecord]:
        """Matches as they stand today: a planned 転出 not yet due is a resident's record."""
        return [record for record, _ in self.search_with_pending(criteria, limit)]

    def search_with_pending(
        self, criteria: SearchCriteria, limit: int = 50
    ) -> list[tuple[ResidentRecord, ResidentRecord | None]]:
        """Each match as it stands today, with its recorded change not yet in effect (a planned
        転出) or None, as ``current_and_pending`` answers for one person."""
        criteria = replace(criteria, living_on=self._today)
        found = []
        for latest in self._register.search(criteria, limit):
            record = self._in_effect(latest)
            found.append((record, latest if latest is not record else None))
        return found

    def current(self, atena_number: str) -> ResidentRecord:
        """The record in effect today (``domain/residents/timeline.py``): a 転出 filed for a
        later date leaves her a resident until then, for every reader."""
        return self._in_effect(self.latest(atena_number))

    def current_of(self, atena_numbers: Sequence[str]) -> list[ResidentRecord]:
        """``current`` of several persons in one read (a planned 転出 still to come costs a read
        more); numbers not in the register, or not 宛名番号s at all, are left out."""
        parsed: list[AtenaNumber] = []
        for number in atena_numbers:
            try:
                parsed.append(AtenaNumber.parse(number))
            except DomainError:
                continue
        return [self._in_effect(r) for r in self._register.current_of(parsed)]

    def current_and_pending(
        self, atena_number: str
    ) -> tuple[ResidentRecord, ResidentRecord | None, int | None]:
        """The record in effect today, the recorded change not yet in effect (or None), and the
        version of the household the person is in (what a change prepared from them expects)."""
        latest = self.latest(atena_number)
        record = self._in_effect(latest)
        version = self._register.household_version(record.household_number)
        return record, (latest if latest is not record else None), version

    def household_version(self, household_number: str) -> int | None:
        """The household's version (bumped by every change to it), None for no such household."""
        return self._register.household_version(HouseholdNumber.parse(household_number))

    def latest(self, atena_number: str) -> ResidentRecord:
        """The latest snapshot recorded, even one not yet in effect (what the change rules
        see, and what a screen offering a change for her must start from)."""
        atena = AtenaNumber.parse(atena_number)
        record = self._register.current(atena)
        if record is None:
            raise _not_found(atena.value)
        return record

    def history(self, atena_number: str) -> Sequence[ResidentRecord]:
        """Every snapshot of the person, 履歴番号 1 first (standard §2.2.1 (350))."""
        atena = AtenaNumber.parse(atena_number)
        records = self._register.history(atena)
        if not records:
            raise _not_found(atena.value)
        return records

    def history_events(self, atena_number: str) -> dict[int, str]:
        """The event that wrote each of the person's snapshots, by 履歴番号."""
        return dict(self._register.history_events(AtenaNumber.parse(atena_number)))

    def as_of(self, atena_number: str, on: date) -> ResidentRecord:
        """The record in effect on a date, by the one rule of ``domain/residents/timeline.py``."""
        records = self.history(atena_number)
        found = in_effect(records, on)
        if found is None:
            raise NotFound(
                Violation(
                    "person.not_registered_on",
                    f"{on.isoformat()} 時点では宛名番号 {records[0].atena_number.value} の記録はありません",
                    "as_of",
                )
            )
        return found

    def household(self, household_number: str) -> list[ResidentRecord]:
        """The household's living members in the standard's display order (§5.2 (1010))."""
        number = HouseholdNumber.parse(household_number)
        today = self._today
        members = [self._in_effect(m) for m in self._register.household_residents(number)]
        for leaving in self._register.household_pending_removals(number, today):
            held = self._in_effect(leaving)
            if held.is_resident and held.household_number == number:
                members.append(held)
        if not members:
            raise NotFound(
                Violation(
                    "household.not_found",
                    f"世帯番号 {number.value} の世帯はありません",
                    "household_number",
                )
            )
        return ordered_members(members)

    def household_on(self, household_number: str, on: date) -> list[ResidentRecord]:
        """The household's living members on ``on`` (a 基準日), in display order: each person
        ever in it whose record in effect that day is a resident's in it."""
        number = HouseholdNumber.parse(household_number)
        members = []
        for atena in self._register.household_members_ever(number):
            held = self._register.snapshot_on(AtenaNumber(atena), on)
            if held is not None and held.is_resident and held.household_number == number:
                members.append(held)
        if not members:
            raise NotFound(
                Violation(
                    "household.not_found_on",
                    f"{on.isoformat()} 時点では世帯番号 {number.value} の世帯に住民はいません",
                    "household_number",
                )
            )
        return ordered_members(members)

    def search_on(
        self, criteria: SearchCriteria, on: date, limit: int = 50
    ) -> list[ResidentRecord]:
        """Matches (by their keys as recorded now), each as its record in effect on ``on``;
        those not yet in the register that day left out, and without ``include_removed`` those
        not residents that day."""
        wanted = replace(criteria, include_removed=True)
        found = []
        for latest in self._register.search(wanted, limit):
            held = (
                latest
                if latest.effective_on <= on
                else self._register.snapshot_on(latest.atena_number, on)
            )
            if held is None or (not criteria.include_removed and not held.is_resident):
                continue
            found.append(held)
        return found

    def town_areas(self, place: str, start: str = "", limit: int = 50) -> list[str]:
        """町字 (with their 丁目) of the residents' addresses that begin with ``start``, in code
        point order, for completing an address at the counter.

        ``place`` is the municipality's prefecture and city as its addresses are written
        (「東京都千代田区」). A 町字 is what follows it up to the first digit or space
        (「霞が関一丁目」 of 「東京都千代田区霞が関一丁目2番3号」). The index on the address key is
        walked one 町字 at a time (a loose index scan): one short read per name suggested, however
        many residents live there.
        """
        place_key = _address_key(place)
        low = place_key + _address_key(start)
        high = low + _KEY_END
        found: list[str] = []
        while len(found) < limit:
            row = self._register.first_address(low, high)
            if row is None:
                break
            key, text = row
            town = _town_of(text, place) or _town_of(key, place_key)
            if town and town not in found:
                found.append(town)
            after_town = place_key + _address_key(town) + _KEY_END if town else ""
            low = max(after_town, key + "\u0001")
        return found

    def stats(self) -> RegisterStats:
        return self._register.stats(self._today)

    def _in_effect(self, record: ResidentRecord) -> ResidentRecord:
        """``record`` (a latest snapshot), or the earlier one in effect today if pending."""
        if not is_pending(record, self._today):
            return record
        return self._register.snapshot_on(record.atena_number, self._today) or record


class RegisterQueries:
    """Read-only use cases over one municipality's register, each in a read-only unit of work
    of its own (``within`` reads in another use case's)."""

    def __init__(self, uow_for: Callable[[str], UnitOfWork], clock: Clock) -> None:
        self._uow_for = uow_for
        self._clock = clock

    def within(self, uow: UnitOfWork) -> RegisterReads:
        """The reads in ``uow``, as of the municipality's today."""
        return RegisterReads(uow, self._clock.today())

    def _read(self, municipality_code: str, read: Callable[[RegisterReads], _T]) -> _T:
        with self._uow_for(municipality_code) as uow:
            return read(self.within(uow))

    def search(
        self,
        municipality_code: str,
        query: str,
        *,
        by: SearchBy = SearchBy.AUTO,
        include_removed: bool = True,
        limit: int = 50,
    ) -> Sequence[ResidentRecord]:
        criteria = criteria_for(query, by, include_removed=include_removed)
        return self.search_criteria(municipality_code, criteria, limit)

    def search_criteria(
        self, municipality_code: str, criteria: SearchCriteria, limit: int = 50
    ) -> Sequence[ResidentRecord]:
        return self._read(municipality_code, lambda r: r.search(criteria, limit))

    def current(self, municipality_code: str, atena_number: str) -> ResidentRecord:
        return self._read(municipality_code, lambda r: r.current(atena_number))

    def current_and_pending(
        self, municipality_code: str, atena_number: str
    ) -> tuple[ResidentRecord, ResidentRecord | None, int | None]:
        return self._read(municipality_code, lambda r: r.current_and_pending(atena_number))

    def household_version(self, municipality_code: str, household_number: str) -> int | None:
        return self._read(municipality_code, lambda r: r.household_version(household_number))

    def latest(self, municipality_code: str, atena_number: str) -> ResidentRecord:
        return self._read(municipality_code, lambda r: r.latest(atena_number))

    def history(self, municipality_code: str, atena_number: str) -> Sequence[ResidentRecord]:
        return self._read(municipality_code, lambda r: r.history(atena_number))

    def as_of(self, municipality_code: str, atena_number: str, on: date) -> ResidentRecord:
        return self._read(municipality_code, lambda r: r.as_of(atena_number, on))

    def household(self, municipality_code: str, household_number: str) -> list[ResidentRecord]:
        return self._read(municipality_code, lambda r: r.household(household_number))

    def town_areas(
        self, municipality_code: str, place: str, start: str = "", limit: int = 50
    ) -> list[str]:
        return self._read(municipality_code, lambda r: r.town_areas(place, start, limit))

    def stats(self, municipality_code: str) -> RegisterStats:
        return self._read(municipality_code, lambda r: r.stats())


_KEY_END = "\uffff"
_SPACES = str.maketrans({" ": None, "\u3000": None})


def _address_key(text: str) -> str:
    """The address search key of a text, as ``Address.search_key`` makes it."""
    return unicodedata.normalize("NFKC", text).translate(_SPACES)


def _town_of(text: str, place: str) -> str:
    """The 町字 of an address text after ``place``: up to the first digit or space."""
    if not text.startswith(place):
        return ""
    rest = text[len(place) :]
    for index, char in enumerate(rest):
        if char in " \u3000" or unicodedata.category(char) == "Nd":
            return rest[:index]
    return rest


def ordered_members(members: Sequence[ResidentRecord]) -> list[ResidentRecord]:
    """Display order: a manual 記載順位 first where set, otherwise the standard's ranking."""
    ranked = sort_members(
        members,
        relationship=lambda m: m.relationship,
        birth_key=lambda m: m.birth_date.approximation,
        id_key=lambda m: m.atena_number.value,
    )
    return sorted(ranked, key=lambda m: m.display_order or 10_000)


def _not_found(atena: str) -> NotFound:
    return NotFound(
        Violation(
            "person.not_found", f"宛名番号 {atena} の住民は登録されていません", "atena_number"
        )
    )
