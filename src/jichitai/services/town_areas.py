"""The municipality's 町字 master (standard §1.3.2 (240), §1.3.3 (250); ADR 0013).

* ``TownAreaMaster.import_master``: read a 町字マスター file (``TownAreaSource``), check every
  row, then replace the master in one unit of work with its access-log entry. Any bad row
  refuses the whole file (code, Japanese message, line number): nothing is half-written.
* ``TownAreaMaster.suggest``: the 町字 in force today that begin with what the clerk typed,
  with their 郵便番号, for the counter's completion (None: no master loaded).
* ``MasterLookup``: the master as the change rules read it (``ChangeContext.town_areas``),
  within the change's own unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from jichitai.domain.access.actor import Actor
from jichitai.domain.common.town_areas import (
    REQUIRED_COLUMNS,
    TownArea,
    parse_town_area_row,
    town_area_key,
)
from jichitai.domain.errors import DomainError, Violation
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.ports import Clock, TownAreaRepository, TownAreaSource, UnitOfWork

MAX_FAULTS = 100
"""Faults reported at most for one file (the rest are counted)."""


class MasterLookup:
    """``TownAreaLookup`` over a unit of work's ``TownAreaRepository``; each read made once.

    The rule (``town_area_fault``) reads the 町字 named first and asks whether a master is
    loaded only when none is found in force: a change whose 町字 is in the master costs one
    indexed read per distinct 町字, and whether a master is loaded is one indexed ``EXISTS``
    (never a count of the master; ``bench/town_areas.py``)."""

    def __init__(self, repository: TownAreaRepository) -> None:
        self._repository = repository
        self._loaded: bool | None = None
        self._named: dict[str, Sequence[TownArea]] = {}

    @property
    def loaded(self) -> bool:
        if self._loaded is None:
            self._loaded = self._repository.loaded()
        return self._loaded

    def named(self, key: str) -> Sequence[TownArea]:
        found = self._named.get(key)
        if found is None:
            found = self._named[key] = self._repository.named(key)
        return found


@dataclass(frozen=True, slots=True)
class MasterImported:
    municipality_code: str
    town_areas: int
    """Rows loaded (the master now holds exactly these)."""
    in_force: int
    """Of them, in force today."""
    replaced: int
    """Rows the master held before."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    name: str
    postcode: str
    """7 digits, or "" when the master gives none."""

    @property
    def postcode_display(self) -> str:
        return f"{self.postcode[:3]}-{self.postcode[3:]}" if self.postcode else ""


def _read(source: TownAreaSource, municipality_code: str) -> list[TownArea]:
    faults: list[Violation] = []
    more = 0
    areas: list[TownArea] = []
    first_line: dict[str, int] = {}

    def fault(line: int, violation: Violation) -> None:
        nonlocal more
        if len(faults) >= MAX_FAULTS:
            more += 1
            return
        faults.append(
            Violation(
                violation.code, f"{line}行目: {violation.message}", violation.field, line=line
            )
        )

    for line, cells in source.rows():
        area, row_faults = parse_town_area_row(cells, municipality_code)
        for violation in row_faults:
            fault(line, violation)
        if area is None:
            continue
        earlier = first_line.setdefault(area.town_id, line)
        if earlier != line:
            fault(
                line,
                Violation(
                    "town_area.duplicate_id",
                    f"町字id {area.town_id} は{earlier}行目と重複しています",
                    "町字id",
                ),
            )
            continue
        areas.append(area)
    if more:
        faults.append(Violation("town_area.more_faults", f"ほかに{more}件の誤りがあります"))
    if faults:
        raise DomainError(*faults)
    if not areas:
        raise DomainError(
            Violation(
                "town_area.empty",
                "町字マスターに行がありません（見出し行: " + "、".join(REQUIRED_COLUMNS) + "）",
            )
        )
    return areas


class TownAreaMaster:
    """Loads and reads one municipality's 町字 master, one unit of work per use case."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        reader_for: Callable[[str], UnitOfWork],
        access_log: AccessLog,
        clock: Clock,
    ) -> None:
        self._uow_for = uow_for
        self._reader_for = reader_for
        self._access_log = access_log
        self._clock = clock

    def import_master(self, actor: Actor, source: TownAreaSource) -> MasterImported:
        """Check every row of ``source``, then replace the actor's municipality's master with
        it and log the change of settings, together or not at all."""
        code = actor.municipality_code
        areas = _read(source, code)
        today = self._clock.today()
        with self._uow_for(code) as uow:
            replaced = uow.town_areas.count()
            uow.town_areas.replace(areas)
            self._access_log.record_in(
                uow,
                actor,
                Operation.CHANGE_SETTINGS,
                target="town_area_master",
                detail=f"町字マスター {len(areas)}件（置換前 {replaced}件）",
            )
            uow.commit()
        in_force = sum(1 for a in areas if a.valid_on(today))
        return MasterImported(code, len(areas), in_force, replaced)

    def suggest(
        self, municipality_code: str, start: str, limit: int = 30, on: date | None = None
    ) -> list[Suggestion] | None:
        """The 町字 in force on ``on`` (today) beginning with ``start``, with their 郵便番号;
        None when the municipality has loaded no master."""
        day = on or self._clock.today()
        with self._reader_for(municipality_code) as uow:
            repository = uow.town_areas
            if not repository.loaded():
                return None
            found: dict[str, Suggestion] = {}
            for area in repository.starting(town_area_key(start), limit * 2):
                if area.valid_on(day) and area.name not in found:
                    found[area.name] = Suggestion(area.name, area.postcode)
            return list(found.values())[:limit]
