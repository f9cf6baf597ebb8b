"""Use cases of suppression (抑止) and DV support measures (支援措置), standard §3.1, §3.4.

Setting, lifting, temporarily releasing, extending and amending take the acting staff user
(:class:`~jichitai.domain.access.actor.Actor`): DV kinds need ``MANAGE_DV_SUPPORT`` (支援措置責任者),
other suppressions ``MANAGE_SUPPRESSION``. The municipality is always the actor's own; a setting
of another municipality is "not found". The rules live in ``jichitai.domain.access.suppression``.

Each of those is one unit of work: the setting changed and its access-log entry commit together
or not at all (ADR 0012). Setting or lifting a setting that changes what other systems receive
(it guards ``feed``, or it is a support measure) appends in the same unit of work the journal's
``protection`` entry naming the persons it concerns (``services/protection.py``); a setting made
in advance is told on its first day by the effective-dates step.

``guard`` and ``flags`` are for the other services, on the hot path of every read: each answers
for many persons with one query, in the caller's unit of work (the settings read are those of
the transaction that then acts). ``guard`` refuses (``RuleViolations``) when an error or an
unacknowledged alert applies and returns the acknowledged alerts otherwise.

The repository port is ``SuppressionRepository`` (``services/ports/suppression.py``), a
repository of the unit of work; the SQL implementation is
``jichitai.adapters.db.suppression_store.SqlSuppressions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from jichitai.domain.access import suppression as rules
from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import Process, Suppression, SuppressionKind
from jichitai.domain.errors import NotFound, Severity, Violation, invalid
from jichitai.domain.integration.feed import PROTECTION_LIFTED, PROTECTION_SET
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.event_ids import new_uuid
from jichitai.services.ports import Clock, IdSource, UnitOfWork
from jichitai.services.protection import append_protection, concerns_feed

DEFAULT_RELEASE_MINUTES = 30
MAX_RELEASE_MINUTES = 480


def permission_for(kind: SuppressionKind) -> Permission:
    """DV kinds: 支援措置責任者's right; every other suppression: the 抑止 right."""
    return Permission.MANAGE_DV_SUPPORT if kind in rules.DV_KINDS else Permission.MANAGE_SUPPRESSION


def _require_either_right(actor: Actor) -> None:
    """Refuse an actor who may manage neither kind (reported as lacking the 抑止 right)."""
    if not (actor.may(Permission.MANAGE_SUPPRESSION) or actor.may(Permission.MANAGE_DV_SUPPORT)):
        actor.require(Permission.MANAGE_SUPPRESSION)


class SuppressionService:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        clock: Clock,
        access_log: AccessLog,
        ids: IdSource,
        *,
        release_minutes: int = DEFAULT_RELEASE_MINUTES,
        max_release_minutes: int = MAX_RELEASE_MINUTES,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        """``new_id`` makes a new setting's 措置ID (default: a random UUID from ``ids``)."""
        if not 1 <= release_minutes <= max_release_minutes:
            raise ValueError(f"release_minutes {release_minutes} outside 1..{max_release_minutes}")
        self._uow_for = uow_for
        self._clock = clock
        self._log = access_log
        self._ids = ids
        self._release_minutes = release_minutes
        self._max_release_minutes = max_release_minutes
        self._new_id = new_id or (lambda: new_uuid(ids))

    # --- managing settings ----------------------------------------------------------------------

    def set(
        self,
        actor: Actor,
        *,
        kind: SuppressionKind | str,
        atena_number: str | None = None,
        household_number: str | None = None,
        processes: Iterable[Process | str] | None = None,
        level: Severity | str | None = None,
        starts_on: date,
        ends_on: date | None = None,
        reason: str,
        details: Mapping[str, Any] | None = None,
    ) -> Suppression:
        """抑止・支援措置の設定. ``processes`` and ``level`` default per kind (DV: 証明書発行 at
        error level); a DV support's ``ends_on`` defaults to one year (``dv_period_end``)."""
        _require_either_right(actor)  # refuse before saying anything about the input
        parsed_kind = rules.parse_kind(kind)
        actor.require(permission_for(parsed_kind))
        mc = actor.municipality_code
        setting = rules.new_suppression(
            municipality_code=mc,
            suppression_id=self._new_id(),
            kind=parsed_kind,
            atena_number=atena_number,
            household_number=household_number,
            processes=processes,
            level=level,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            details=details,
            set_by=actor.login,
            set_at=self._clock.now(),
        )
        with self._uow_for(mc) as uow:
            settings = uow.suppressions
            if setting.atena_number is not None and not settings.person_exists(
                setting.atena_number
            ):
                raise NotFound(
                    Violation(
                        "suppression.person_not_found",
                        f"宛名番号 {setting.atena_number} の方は登録されていません",
                        "atena_number",
                    )
                )
            if setting.household_number is not None and not settings.household_exists(
                setting.household_number
            ):
                raise NotFound(
                    Violation(
                        "suppression.household_not_found",
                        f"世帯番号 {setting.household_number} の世帯は登録されていません",
                        "household_number",
                    )
                )
            if not concerns_feed(setting):
                settings.add(setting)
                settings.mark_feed_told(setting.suppression_id, 0)
            elif setting.starts_on <= self._clock.today():
                uow.journal.journal_head()  # the head's lock first, as every journal writer
                settings.add(setting)
                told = self._tell(uow, actor, setting, PROTECTION_SET)
                settings.mark_feed_told(setting.suppression_id, told)
            else:  # made in advance: told on its first day (services/effective_dates.py)
                settings.add(setting)
            self._logged(uow, actor, Operation.SET_SUPPRESSION, setting)
            uow.commit()
        return setting

    def lift(self, actor: Actor, suppression_id: str) -> Suppression:
        """解除: the setting ends for good (the end date never does that by itself)."""
        with self._uow_for(actor.municipality_code) as uow:
            setting = self._managed(uow, actor, suppression_id)
            lifted = rules.lift(setting, by=actor.login, at=self._clock.now())
            tell = concerns_feed(setting) and setting.starts_on <= self._clock.today()
            if tell:
                uow.journal.journal_head()  # the head's lock before the setting's row
            return self._save(uow, actor, Operation.LIFT_SUPPRESSION, setting, lifted, tell)

    def release_temporarily(
        self, actor: Actor, suppression_id: str, minutes: int | None = None
    ) -> Suppression:
        """一時解除 for ``minutes`` (default as configured); back in force by itself afterwards.

        A right of its own for a 抑止 (``RELEASE_SUPPRESSION``, §3.1: 抑止・解除、又は一時解除できる
        権限は個別に設定できること); for DV support only the DV officer may release the error
        after examining the request (§3.4).
        """
        minutes = self._release_minutes if minutes is None else minutes
        if isinstance(minutes, bool) or not 1 <= minutes <= self._max_release_minutes:
            raise invalid(
                "suppression.release_minutes",
                f"一時解除の時間は1分から{self._max_release_minutes}分までで指定してください",
                "minutes",
            )
        with self._uow_for(actor.municipality_code) as uow:
            setting = self._releasable(uow, actor, suppression_id)
            now = self._clock.now()
            released = rules.release(
                setting,
                by=actor.login,
                today=self._clock.today(),
                now=now,
                until=now + timedelta(minutes=minutes),
            )
            return self._save(uow, actor, Operation.RELEASE_SUPPRESSION, setting, released)

    def extend(self, actor: Actor, suppression_id: str) -> Suppression:
        """支援措置の延長: one year from the day after the end date, from one month before it."""
        with self._uow_for(actor.municipality_code) as uow:
            setting = self._managed(uow, actor, suppression_id)
            extended = rules.extend(setting, today=self._clock.today())
            return self._save(uow, actor, Operation.SET_SUPPRESSION, setting, extended)

    def amend_end(self, actor: Actor, suppression_id: str, ends_on: date | None) -> Suppression:
        """終了日の修正 (a DV support keeps an end date)."""
        with self._uow_for(actor.municipality_code) as uow:
            setting = self._managed(uow, actor, suppression_id)
            amended = rules.amend_end(setting, ends_on)
            return self._save(uow, actor, Operation.SET_SUPPRESSION, setting, amended)

    def list_for(
        self,
        actor: Actor,
        atena_number: str | None = None,
        household_number: str | None = None,
        include_lifted: bool = False,
    ) -> tuple[Suppression, ...]:
        """The settings on a person and/or a household, oldest first.

        Anyone who may view the register or manage either kind sees every setting's kind,
        target, processes, level, dates and status; only ``MANAGE_DV_SUPPORT`` holders see the
        reason and details of a DV setting (``rules.redacted``). The view is logged in the
        same unit of work as the read.
        """
        if not any(
            actor.may(p)
            for p in (Permission.VIEW, Permission.MANAGE_SUPPRESSION, Permission.MANAGE_DV_SUPPORT)
        ):
            raise Forbidden(
                Violation("auth.forbidden", "この操作を行う権限がありません", Permission.VIEW.value)
            )
        if atena_number is None and household_number is None:
            raise invalid(
                "suppression.target_required",
                "抑止の対象（宛名番号又は世帯番号）を指定してください",
                "atena_number",
            )
        with self._uow_for(actor.municipality_code) as uow:
            found = uow.suppressions.for_targets(
                [atena_number] if atena_number is not None else [],
                [household_number] if household_number is not None else [],
                include_lifted=include_lifted,
            )
            self._log.record_in(
                uow,
                actor,
                Operation.VIEW_SUPPRESSION,
                atena_numbers=(atena_number,) if atena_number else (),
                target=f"suppressions:{atena_number or household_number}",
            )
            uow.commit()
        if actor.may(Permission.MANAGE_DV_SUPPORT):
            return tuple(found)
        return tuple(rules.redacted(s) for s in found)

    # --- for the other services -------------------------------------------------------------------

    def guard(
        self,
        uow: UnitOfWork,
        process: Process,
        persons: Sequence[tuple[str, str]],
        acknowledged: frozenset[str] = frozenset(),
    ) -> tuple[Violation, ...]:
        """Refuse ``process`` for these persons ((宛名番号, 世帯番号) pairs) when any error or
        unacknowledged alert applies (``RuleViolations``, every person's at once); otherwise
        return the acknowledged alerts. One query for all persons.

        With several persons the messages name each by 宛名番号; with one they say "この方".
        """
        return self.guard_with_flags(uow, process, persons, acknowledged)[0]

    def guard_with_flags(
        self,
        uow: UnitOfWork,
        process: Process,
        persons: Sequence[tuple[str, str]],
        acknowledged: frozenset[str] = frozenset(),
    ) -> tuple[tuple[Violation, ...], dict[str, tuple[str, ...]]]:
        """``guard`` and ``flags`` from the same single query (every read of a record needs both)."""
        if not persons:
            return (), {}
        by_person = self._settings_of(uow, persons)
        today, now = self._clock.today(), self._clock.now()
        single = len(persons) == 1
        violations: list[Violation] = []
        for (atena, _), settings in by_person.items():
            violations.extend(
                rules.applicable(
                    process, settings, today=today, now=now, person=None if single else atena
                )
            )
        ordered = [v for v in violations if v.is_error] + [v for v in violations if not v.is_error]
        alerts = rules.enforce(tuple(dict.fromkeys(ordered)), acknowledged)
        return alerts, self._flags(by_person)

    def viewable(self, uow: UnitOfWork, persons: Sequence[tuple[str, str]]) -> frozenset[str]:
        """The 宛名番号s of ``persons`` whose record a reader may see without acknowledging
        anything: what ``guard`` lets through for ``Process.VIEW`` one person at a time, for
        all of them in one query."""
        if not persons:
            return frozenset()
        today, now = self._clock.today(), self._clock.now()
        return frozenset(
            atena
            for (atena, _), settings in self._settings_of(uow, persons).items()
            if not rules.applicable(Process.VIEW, settings, today=today, now=now)
        )

    def withheld_from(
        self, uow: UnitOfWork, actor: Actor, persons: Sequence[tuple[str, str]]
    ) -> frozenset[str]:
        """For a list naming persons (``domain/access/suppression/listing.py``): the 宛名番号s of
        ``persons`` whose identifying items ``actor`` may not be shown. A person is withheld when
        ``viewable`` would leave them out (a setting guarding 照会, or a support measure, applies
        now), unless the actor may lift every such setting (``permission_for`` its kind).
        One query for all persons."""
        if not persons:
            return frozenset()
        today, now = self._clock.today(), self._clock.now()
        withheld: set[str] = set()
        for (atena, _), settings in self._settings_of(uow, persons).items():
            keeping = [
                s for s in settings if rules.applicable(Process.VIEW, [s], today=today, now=now)
            ]
            if keeping and not all(actor.may(permission_for(s.kind)) for s in keeping):
                withheld.add(atena)
        return frozenset(withheld)

    def feed_status(
        self, uow: UnitOfWork, persons: Sequence[tuple[str, str]]
    ) -> tuple[frozenset[str], frozenset[str]]:
        """For passing data to other systems: (withheld, supported) 宛名番号s. Withheld: any
        setting guarding feeds applies now, an alert as much as an error (a system cannot
        acknowledge an alert as a clerk does). Supported: under 支援措置 or 仮支援措置 now, which
        the receiving system must know to protect the person too (§7.2.3 (1190)).
        One query for all persons."""
        if not persons:
            return frozenset(), frozenset()
        today, now = self._clock.today(), self._clock.now()
        support = {SuppressionKind.DV_SUPPORT, SuppressionKind.PROVISIONAL_DV_SUPPORT}
        withheld: set[str] = set()
        supported: set[str] = set()
        for (atena, _), settings in self._settings_of(uow, persons).items():
            if rules.applicable(Process.FEED, settings, today=today, now=now):
                withheld.add(atena)
            if support.intersection(rules.flags_for(settings, today=today, now=now)):
                supported.add(atena)
        return frozenset(withheld), frozenset(supported)

    def flags(
        self, uow: UnitOfWork, persons: Sequence[tuple[str, str]]
    ) -> dict[str, tuple[str, ...]]:
        """宛名番号 → the kinds of setting the person is under now ("suppression",
        "dv_support", "provisional_dv_support"; empty when none), for search results (§3.1).
        One query for all persons."""
        if not persons:
            return {}
        return self._flags(self._settings_of(uow, persons))

    def _flags(
        self, by_person: dict[tuple[str, str], list[Suppression]]
    ) -> dict[str, tuple[str, ...]]:
        today, now = self._clock.today(), self._clock.now()
        return {
            atena: tuple(k.value for k in rules.flags_for(settings, today=today, now=now))
            for (atena, _), settings in by_person.items()
        }

    # --- helpers -------------------------------------------------------------------------------------

    def _settings_of(
        self, uow: UnitOfWork, persons: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], list[Suppression]]:
        atenas = sorted({a for a, _ in persons})
        households = sorted({h for _, h in persons if h})
        found = uow.suppressions.for_targets(atenas, households)
        return {
            (atena, household): [s for s in found if s.applies_to(atena, household or None)]
            for atena, household in dict.fromkeys(persons)
        }

    def _managed(self, uow: UnitOfWork, actor: Actor, suppression_id: str) -> Suppression:
        """The actor's municipality's setting, if the actor may manage its kind."""
        setting = uow.suppressions.get(suppression_id)
        if setting is None:
            _require_either_right(actor)  # before saying whether the id exists
            raise NotFound(
                Violation(
                    "suppression.not_found", "該当する抑止の設定がありません", "suppression_id"
                )
            )
        actor.require(permission_for(setting.kind))
        return setting

    def _releasable(self, uow: UnitOfWork, actor: Actor, suppression_id: str) -> Suppression:
        rights = (
            Permission.RELEASE_SUPPRESSION,
            Permission.MANAGE_SUPPRESSION,
            Permission.MANAGE_DV_SUPPORT,
        )
        if not any(actor.may(p) for p in rights):
            actor.require(Permission.RELEASE_SUPPRESSION)
        setting = uow.suppressions.get(suppression_id)
        if setting is None:
            raise NotFound(
                Violation(
                    "suppression.not_found", "該当する抑止の設定がありません", "suppression_id"
                )
            )
        actor.require(
            Permission.MANAGE_DV_SUPPORT if setting.is_dv else Permission.RELEASE_SUPPRESSION
        )
        return setting

    def _save(
        self,
        uow: UnitOfWork,
        actor: Actor,
        operation: Operation,
        before: Suppression,
        after: Suppression,
        lifted: bool = False,
    ) -> Suppression:
        """The changed setting stored, its log entry written (and, when ``lifted`` tells the
        feed, its ``protection`` entry appended), all committed."""
        uow.suppressions.update(after, expected_version=before.version)
        if lifted:
            self._tell(uow, actor, after, PROTECTION_LIFTED)
        self._logged(uow, actor, operation, after)
        uow.commit()
        return after

    def _tell(self, uow: UnitOfWork, actor: Actor, setting: Suppression, reason: str) -> int:
        """Append the ``protection`` entry of a setting set or lifted now (effective today)."""
        today = self._clock.today()
        return append_protection(
            uow,
            self._ids,
            setting,
            reason,
            operator=actor.login,
            now=self._clock.now(),
            today=today,
            effective_on=today,
        )

    def _logged(
        self, uow: UnitOfWork, actor: Actor, operation: Operation, setting: Suppression
    ) -> None:
        self._log.record_in(
            uow,
            actor,
            operation,
            atena_numbers=(setting.atena_number,) if setting.atena_number else (),
            target=f"suppression:{setting.suppression_id}",
        )


__all__ = [
    "DEFAULT_RELEASE_MINUTES",
    "MAX_RELEASE_MINUTES",
    "SuppressionService",
    "permission_for",
]
