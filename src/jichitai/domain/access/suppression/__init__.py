"""Suppression (抑止) and DV support measures (支援措置): standard §3.1 (410), §3.4 (440).

A *setting* (:class:`Suppression`) targets one person (宛名番号) or one household (世帯番号),
names the processes it guards (:class:`Process`: 照会, 証明書発行, 異動入力, 他システム連携) and one
level for all of them: error (the process is refused) or alert (it may go on once the operator
acknowledges the alert). A person may carry several settings, each with its own processes and
level (§3.1); a household's settings apply to each of its members.

The level is :class:`~jichitai.domain.errors.Severity` itself (``Level`` is an alias): a setting's
level becomes the severity of the violations it raises, so nothing maps one onto the other.
"処理可（抑止なし）" is simply a process the setting does not name.

Life of a setting (:meth:`Suppression.status`):

- it is in force from ``starts_on`` (inclusive) until it is **lifted** (``lifted_at``). The end
  date (``ends_on``) never lifts it: §3.1 says a setting whose end date has passed stays in force
  until someone lifts it explicitly. For DV support the end date only drives the alerts below.
- a **temporary release** (一時解除) until ``released_until`` suspends the setting for 照会,
  証明書発行 and 異動入力; at ``released_until`` it is in force again by itself (no job runs: the
  check compares the time). A release never suspends 他システム連携 (FEED): §3.1 says a temporary
  release must not reach the other systems, lest they take it for a lift, so for them (and for
  the feed of the person's data) the setting stays in force.

DV support (支援措置, and 仮支援措置 while an application is examined):

- period: one year. ``ends_on`` defaults to :func:`dv_period_end` of ``starts_on`` (民法 第143条:
  the day before the same date a year later, or the last day of that month when there is no such
  date): 2020-04-01 → 2021-03-31, 2020-02-29 → 2021-02-28. It can be given instead (修正).
- extension (延長) is possible from :func:`one_month_before_end` (the first day from which the
  period ends within one month: 2021-03-31 → 2021-03-01) onwards, also after the end date as
  long as the setting has not been lifted; the new period runs one year from the day after the
  old end date (:func:`extended_end`).
- on 照会 (VIEW): an alert ``dv_support.ending_soon`` from that same day to the end date, and
  ``dv_support.ended`` after it while nobody has extended or lifted the setting (it still
  blocks, see above).
- **decision: default processes.** DV support and 仮支援措置 default to 証明書発行 (ISSUE) at error
  level: §3.4 requires an *error* for 住民票の写し等の交付. 照会 is not refused (the counter must
  still be able to find and serve the victim), but every 照会 of the person raises the alert
  ``dv_support.notice`` / ``provisional_dv_support.notice`` ("この方は支援措置の対象者です"), so
  the clerk always sees that the person is protected (§2.2.4 (380)). 異動入力 is not blocked by
  default (the victim's own move must be recordable). 他システム連携 is not blocked by default
  either: the person's data keeps flowing *with its DV flag* (:func:`flags_for`) so that the
  other systems (宛名, tax) apply their own suppression (§3.2); withholding it would leave them
  with the old address, the one the victim fled. A DV officer may name any processes and level.
- DV settings target a person, never a household (the standard protects 支援対象者 and each
  併せて支援を求める者 by name).
- messages of DV settings never carry their reason or details (who the perpetrator is, where
  the victim went): only that the person is protected and what is refused.

Violation codes (errors cannot be acknowledged; alerts are acknowledged by code):

============================================ ======== =========================================
code                                         severity raised when
============================================ ======== =========================================
``suppression.blocked``                      error    抑止 at error level on the process
``suppression.alert``                        alert    抑止 at alert level on the process
``dv_support.blocked``                       error    支援措置 at error level on the process
``dv_support.alert``                         alert    支援措置 at alert level on the process
``dv_support.notice``                        alert    照会 of a 支援対象者 (process not named)
``dv_support.ending_soon``                   alert    照会, the period ends within one month
``dv_support.ended``                         alert    照会, the period has ended, not lifted
``provisional_dv_support.blocked``           error    仮支援措置 at error level on the process
``provisional_dv_support.alert``             alert    仮支援措置 at alert level on the process
``provisional_dv_support.notice``            alert    照会 of a person under 仮支援措置
============================================ ======== =========================================

**Decision: acknowledged alerts.** :func:`check` returns what stops the process: every error and
the alerts whose code is not acknowledged (an empty answer means "go on"). :func:`applicable`
returns everything, acknowledged or not, and :func:`enforce` raises ``RuleViolations`` with the
stopping ones or returns the acknowledged alerts, as ``plan_change`` does for a 異動.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeAlias

from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import (
    DomainError,
    InvalidValue,
    RuleViolations,
    Severity,
    Violation,
)
from jichitai.domain.inbound.text import SUPPRESSION_REASON

__all__ = [
    "DV_KINDS",
    "KIND_LABELS",
    "MAX_DETAILS_LENGTH",
    "MAX_REASON_LENGTH",
    "PROCESS_LABELS",
    "Level",
    "Process",
    "Status",
    "Suppression",
    "SuppressionKind",
    "amend_end",
    "applicable",
    "check",
    "default_level",
    "default_processes",
    "dv_period_end",
    "enforce",
    "extend",
    "extended_end",
    "flags_for",
    "lift",
    "months_later_end",
    "new_suppression",
    "one_month_before_end",
    "parse_kind",
    "parse_level",
    "parse_processes",
    "redacted",
    "release",
]

MAX_REASON_LENGTH = SUPPRESSION_REASON.max_length
MAX_DETAILS_LENGTH = 20_000
"""Characters of the details encoded as JSON (the 支援対象者 database of §1.1.16 lives elsewhere)."""


class Process(StrEnum):
    """A process a setting guards."""

    VIEW = "view"
    """照会: showing the person's record on a staff screen."""
    ISSUE = "issue"
    """証明書発行: 住民票の写し等 at the counter, by post, at a kiosk (コンビニ交付)."""
    CHANGE = "change"
    """異動入力: recording a change that concerns the person."""
    FEED = "feed"
    """他システム連携: passing the person's data to other systems."""


PROCESS_LABELS: dict[Process, str] = {
    Process.VIEW: "照会",
    Process.ISSUE: "証明書発行",
    Process.CHANGE: "異動入力",
    Process.FEED: "他システム連携",
}

_DV_REFUSALS: dict[Process, str] = {
    Process.VIEW: "住民票の照会はできません",
    Process.ISSUE: "住民票の写し等の交付はできません",
    Process.CHANGE: "異動の入力はできません",
    Process.FEED: "他システムへの連携はできません",
}


class SuppressionKind(StrEnum):
    SUPPRESSION = "suppression"
    """抑止: any other suppression (e.g. 異動入力 pending an inquiry)."""
    DV_SUPPORT = "dv_support"
    """支援措置: DV, stalking, child abuse and similar victims (§3.4)."""
    PROVISIONAL_DV_SUPPORT = "provisional_dv_support"
    """仮支援措置: from the application until the need is confirmed, and during a move (§3.4)."""


KIND_LABELS: dict[SuppressionKind, str] = {
    SuppressionKind.SUPPRESSION: "抑止",
    SuppressionKind.DV_SUPPORT: "支援措置",
    SuppressionKind.PROVISIONAL_DV_SUPPORT: "仮支援措置",
}

DV_KINDS: frozenset[SuppressionKind] = frozenset(
    {SuppressionKind.DV_SUPPORT, SuppressionKind.PROVISIONAL_DV_SUPPORT}
)

Level: TypeAlias = Severity
"""抑止レベル: ``Severity.ERROR`` (エラー) or ``Severity.ALERT`` (アラート)."""


class Status(StrEnum):
    """Where a setting stands at a given moment."""

    SCHEDULED = "scheduled"
    """開始前: ``starts_on`` is still to come."""
    IN_FORCE = "in_force"
    """抑止中."""
    RELEASED = "released"
    """一時解除中: until ``released_until`` (FEED stays guarded)."""
    LIFTED = "lifted"
    """解除済み: lifted explicitly; a lifted setting never applies again."""


@dataclass(frozen=True, slots=True)
class Suppression:
    """One setting, as the ``suppressions`` table keeps it (municipality code first)."""

    municipality_code: str
    suppression_id: str
    kind: SuppressionKind
    atena_number: str | None
    household_number: str | None
    processes: frozenset[Process]
    level: Severity
    starts_on: date
    ends_on: date | None
    reason: str
    set_by: str
    set_at: datetime
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)
    lifted_by: str | None = None
    lifted_at: datetime | None = None
    released_by: str | None = None
    released_until: datetime | None = None
    version: int = 1

    @property
    def is_dv(self) -> bool:
        """支援措置 or 仮支援措置."""
        return self.kind in DV_KINDS

    @property
    def is_lifted(self) -> bool:
        return self.lifted_at is not None

    def status(self, *, today: date, now: datetime) -> Status:
        """開始前, 抑止中, 一時解除中 or 解除済み. The end date plays no part (§3.1)."""
        if self.lifted_at is not None:
            return Status.LIFTED
        if today < self.starts_on:
            return Status.SCHEDULED
        if self.released_until is not None and now < self.released_until:
            return Status.RELEASED
        return Status.IN_FORCE

    def is_active(self, *, today: date, now: datetime) -> bool:
        """Started and not lifted (in force or temporarily released): the person is flagged."""
        return self.status(today=today, now=now) in (Status.IN_FORCE, Status.RELEASED)

    def guards(self, process: Process, *, today: date, now: datetime) -> bool:
        """The setting names ``process`` and applies to it now (a release spares all but FEED)."""
        if process not in self.processes:
            return False
        status = self.status(today=today, now=now)
        return status is Status.IN_FORCE or (status is Status.RELEASED and process is Process.FEED)

    def applies_to(self, atena_number: str, household_number: str | None) -> bool:
        """The setting targets this person, or the household they belong to."""
        return self.atena_number == atena_number or (
            household_number is not None and self.household_number == household_number
        )


# --- periods ---------------------------------------------------------------------------------


def months_later_end(start: date, months: int) -> date:
    """The last day of a period of ``months`` months that begins on ``start`` (民法 第143条).

    The period ends the day before the date that corresponds to ``start`` in the last month; when
    that month has no such date (31st, 29 February), it ends on the last day of that month.
    """
    if months < 1:
        raise ValueError(f"months must be positive, got {months}")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


def dv_period_end(starts_on: date) -> date:
    """支援措置の終了年月日 for a start date: one year (2020-04-01 → 2021-03-31)."""
    return months_later_end(starts_on, 12)


def extended_end(ends_on: date) -> date:
    """The end of the year that follows an extension: one year from the day after ``ends_on``."""
    return dv_period_end(ends_on + timedelta(days=1))


def one_month_before_end(ends_on: date) -> date:
    """The first day on which the period ends within one month (its end date falls inside the
    one-month period that begins that day): 2021-03-31 → 2021-03-01, 2021-03-15 → 2021-02-16.

    From this day on the DV support may be extended and 照会 shows ``dv_support.ending_soon``.
    """
    day = ends_on
    while months_later_end(day - timedelta(days=1), 1) >= ends_on:
        day -= timedelta(days=1)
    return day


# --- parsing and validation --------------------------------------------------------------------


def _violation(code: str, message: str, field_name: str) -> Violation:
    return Violation(code, message, field_name)


def parse_kind(value: SuppressionKind | str) -> SuppressionKind:
    try:
        return SuppressionKind(value)
    except ValueError:
        names = "、".join(k.value for k in SuppressionKind)
        raise InvalidValue(
            _violation(
                "suppression.kind_unknown", f"抑止の種別 {value} はありません（{names}）", "kind"
            )
        ) from None


def parse_level(value: Severity | str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise InvalidValue(
            _violation(
                "suppression.level_unknown",
                f"抑止レベル {value} はありません（error 又は alert）",
                "level",
            )
        ) from None


def parse_processes(values: Iterable[Process | str]) -> frozenset[Process]:
    """The processes named; at least one, each known."""
    if isinstance(values, str):  # one name given where a collection is expected
        values = [values]
    found: set[Process] = set()
    for value in values:
        try:
            found.add(Process(value))
        except ValueError:
            names = "、".join(p.value for p in Process)
            raise InvalidValue(
                _violation(
                    "suppression.process_unknown",
                    f"抑止する処理 {value} はありません（{names}）",
                    "processes",
                )
            ) from None
    if not found:
        raise InvalidValue(
            _violation(
                "suppression.processes_required",
                "抑止する処理を1つ以上選択してください",
                "processes",
            )
        )
    return frozenset(found)


def default_processes(kind: SuppressionKind) -> frozenset[Process]:
    """What a setting guards when none are named: DV kinds → 証明書発行; 抑止 → nothing (they
    must be named)."""
    return frozenset({Process.ISSUE}) if kind in DV_KINDS else frozenset()


def default_level(kind: SuppressionKind) -> Severity:
    """The level when none is given: error, for every kind (§3.4 asks for an error)."""
    return Severity.ERROR


def _details_violation(details: Mapping[str, Any]) -> Violation | None:
    if not isinstance(details, Mapping) or not all(isinstance(k, str) for k in details):
        return _violation(
            "suppression.details_invalid", "詳細情報の形式が正しくありません", "details"
        )
    try:
        encoded = json.dumps(dict(details), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return _violation(
            "suppression.details_invalid", "詳細情報の形式が正しくありません", "details"
        )
    if len(encoded) > MAX_DETAILS_LENGTH:
        return _violation(
            "suppression.details_too_large",
            f"詳細情報は{MAX_DETAILS_LENGTH}文字以内にしてください",
            "details",
        )
    return None


def new_suppression(
    *,
    municipality_code: str,
    suppression_id: str,
    kind: SuppressionKind | str,
    atena_number: str | None,
    household_number: str | None,
    processes: Iterable[Process | str] | None,
    level: Severity | str | None,
    starts_on: date,
    ends_on: date | None,
    reason: str,
    details: Mapping[str, Any] | None,
    set_by: str,
    set_at: datetime,
) -> Suppression:
    """A new setting, checked; every fault is reported at once as ``InvalidValue``.

    Whether the person or household exists is the caller's question (it needs the register).
    """
    kind = parse_kind(kind)
    faults: list[Violation] = []

    def collect(refusal: DomainError) -> None:
        faults.extend(refusal.violations)

    atena: str | None = None
    household: str | None = None
    if atena_number is None and household_number is None:
        faults.append(
            _violation(
                "suppression.target_required",
                "抑止の対象（宛名番号又は世帯番号）を指定してください",
                "atena_number",
            )
        )
    elif atena_number is not None and household_number is not None:
        faults.append(
            _violation(
                "suppression.target_ambiguous",
                "抑止の対象は宛名番号又は世帯番号のいずれか一方を指定してください",
                "household_number",
            )
        )
    if atena_number is not None:
        try:
            atena = AtenaNumber.parse(atena_number, "atena_number").value
        except InvalidValue as refusal:
            collect(refusal)
    if household_number is not None:
        try:
            household = HouseholdNumber.parse(household_number, "household_number").value
        except InvalidValue as refusal:
            collect(refusal)
        if kind in DV_KINDS:
            faults.append(
                _violation(
                    "dv_support.person_required",
                    "支援措置は世帯ではなく個人（宛名番号）に設定してください",
                    "household_number",
                )
            )

    chosen: frozenset[Process] = frozenset()
    try:
        chosen = parse_processes(default_processes(kind) if processes is None else processes)
    except InvalidValue as refusal:
        collect(refusal)

    chosen_level = default_level(kind)
    if level is not None:
        try:
            chosen_level = parse_level(level)
        except InvalidValue as refusal:
            collect(refusal)

    if ends_on is None and kind is SuppressionKind.DV_SUPPORT:
        ends_on = dv_period_end(starts_on)
    if ends_on is not None and ends_on < starts_on:
        faults.append(
            _violation(
                "suppression.ends_before_start",
                "終了日は開始日以降の日付を入力してください",
                "ends_on",
            )
        )

    try:  # the text rules of the item: characters, several lines, its length
        reason = SUPPRESSION_REASON.read(reason, "reason")
    except DomainError as refusal:
        collect(refusal)
    else:
        if not reason:
            faults.append(
                _violation("suppression.reason_required", "抑止の理由を入力してください", "reason")
            )

    details = {} if details is None else details
    if (fault := _details_violation(details)) is not None:
        faults.append(fault)

    if faults:
        raise InvalidValue(*faults)
    return Suppression(
        municipality_code=municipality_code,
        suppression_id=suppression_id,
        kind=kind,
        atena_number=atena,
        household_number=household,
        processes=chosen,
        level=chosen_level,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        set_by=set_by,
        set_at=set_at,
        details=dict(details),
    )


# --- changes of a setting ----------------------------------------------------------------------


def _already_lifted() -> DomainError:
    return DomainError(
        _violation("suppression.lifted", "この抑止は既に解除されています", "suppression_id")
    )


def lift(setting: Suppression, *, by: str, at: datetime) -> Suppression:
    """解除: the setting ends for good. A lifted setting cannot be lifted again."""
    if setting.is_lifted:
        raise _already_lifted()
    return replace(setting, lifted_by=by, lifted_at=at, version=setting.version + 1)


def release(
    setting: Suppression, *, by: str, today: date, now: datetime, until: datetime
) -> Suppression:
    """一時解除 until ``until``; allowed while the setting is in force or already released (the
    new time replaces the old one)."""
    status = setting.status(today=today, now=now)
    if status is Status.LIFTED:
        raise _already_lifted()
    if status is Status.SCHEDULED:
        raise DomainError(
            _violation(
                "suppression.not_started",
                "開始日前の抑止は一時解除できません",
                "suppression_id",
            )
        )
    if until <= now:
        raise DomainError(
            _violation("suppression.release_until", "一時解除の終了時刻が過ぎています", "minutes")
        )
    return replace(setting, released_by=by, released_until=until, version=setting.version + 1)


def extend(setting: Suppression, *, today: date) -> Suppression:
    """支援措置の延長: a year from the day after the end date, from one month before that date."""
    if setting.kind is not SuppressionKind.DV_SUPPORT:
        raise DomainError(
            _violation(
                "dv_support.not_extendable",
                "延長できるのは支援措置だけです",
                "suppression_id",
            )
        )
    if setting.is_lifted:
        raise _already_lifted()
    ends_on = setting.ends_on
    if ends_on is None:  # not produced by new_suppression; a DV support always has an end
        ends_on = dv_period_end(setting.starts_on)
    opens = one_month_before_end(ends_on)
    if today < opens:
        raise DomainError(
            _violation(
                "dv_support.extension_too_early",
                f"支援措置の延長は期間終了日の1か月前（{opens.isoformat()}）から行えます",
                "suppression_id",
            )
        )
    return replace(setting, ends_on=extended_end(ends_on), version=setting.version + 1)


def amend_end(setting: Suppression, ends_on: date | None) -> Suppression:
    """終了日の修正. A DV support keeps an end date (it drives the period alerts)."""
    if setting.is_lifted:
        raise _already_lifted()
    if ends_on is None and setting.kind is SuppressionKind.DV_SUPPORT:
        raise InvalidValue(
            _violation(
                "dv_support.ends_on_required", "支援措置の終了日を入力してください", "ends_on"
            )
        )
    if ends_on is not None and ends_on < setting.starts_on:
        raise InvalidValue(
            _violation(
                "suppression.ends_before_start",
                "終了日は開始日以降の日付を入力してください",
                "ends_on",
            )
        )
    return replace(setting, ends_on=ends_on, version=setting.version + 1)


def redacted(setting: Suppression) -> Suppression:
    """The setting as someone without the DV right may see it: a DV setting loses its reason
    and details (kind, target, processes, level and dates stay)."""
    if not setting.is_dv:
        return setting
    return replace(setting, reason="", details={})


# --- checking a process ------------------------------------------------------------------------


def _who(person: str | None) -> str:
    return "この方" if person is None else f"宛名番号 {person} の方"


def _process_violation(setting: Suppression, process: Process, who: str) -> Violation:
    kind = setting.kind
    field_name = "atena_number"
    if kind is SuppressionKind.SUPPRESSION:
        label = PROCESS_LABELS[process]
        if setting.level is Severity.ERROR:
            return Violation("suppression.blocked", f"{who}は{label}が抑止されています", field_name)
        return Violation(
            "suppression.alert",
            f"{who}には{label}の抑止（アラート）が設定されています。内容を確認のうえ処理してください",
            field_name,
            Severity.ALERT,
        )
    protected = f"{who}は{KIND_LABELS[kind]}の対象者です。"
    if setting.level is Severity.ERROR:
        return Violation(f"{kind.value}.blocked", protected + _DV_REFUSALS[process], field_name)
    return Violation(
        f"{kind.value}.alert",
        protected + f"{PROCESS_LABELS[process]}の前に支援措置責任者に確認してください",
        field_name,
        Severity.ALERT,
    )


def applicable(
    process: Process,
    settings: Iterable[Suppression],
    *,
    today: date,
    now: datetime,
    person: str | None = None,
) -> tuple[Violation, ...]:
    """Every violation the settings raise for ``process`` now, errors first, without duplicates.

    ``settings`` are those of one person, their household's included. ``person`` (a 宛名番号)
    names them in the messages when several persons are checked together; otherwise the messages
    say "この方".
    """
    process = Process(process)
    who = _who(person)
    errors: dict[Violation, None] = {}
    alerts: dict[Violation, None] = {}
    for setting in settings:
        found: list[Violation] = []
        if setting.guards(process, today=today, now=now):
            found.append(_process_violation(setting, process, who))
        if process is Process.VIEW and setting.is_dv and setting.is_active(today=today, now=now):
            if not found:  # the clerk must always see that the person is protected
                found.append(
                    Violation(
                        f"{setting.kind.value}.notice",
                        f"{who}は{KIND_LABELS[setting.kind]}の対象者です",
                        "atena_number",
                        Severity.ALERT,
                    )
                )
            found.extend(_period_alerts(setting, today, who))
        for violation in found:
            (errors if violation.is_error else alerts)[violation] = None
    return (*errors, *alerts)


def _period_alerts(setting: Suppression, today: date, who: str) -> list[Violation]:
    if setting.kind is not SuppressionKind.DV_SUPPORT or setting.ends_on is None:
        return []
    ends_on = setting.ends_on
    if today > ends_on:
        return [
            Violation(
                "dv_support.ended",
                f"{who}の支援措置の期間が終了しています（延長されていません）。延長又は終了の手続を確認してください",
                "atena_number",
                Severity.ALERT,
            )
        ]
    if today >= one_month_before_end(ends_on):
        return [
            Violation(
                "dv_support.ending_soon",
                f"{who}の支援措置の期間が1か月以内に終了します",
                "atena_number",
                Severity.ALERT,
            )
        ]
    return []


def check(
    process: Process,
    settings: Iterable[Suppression],
    *,
    today: date,
    now: datetime,
    acknowledged: Collection[str] = frozenset(),
    person: str | None = None,
) -> tuple[Violation, ...]:
    """What stops ``process``: the errors and the alerts not acknowledged (by code). Empty: the
    process may go on. Acknowledged alerts are left out (see :func:`applicable`)."""
    return tuple(
        v
        for v in applicable(process, settings, today=today, now=now, person=person)
        if v.is_error or v.code not in acknowledged
    )


def enforce(
    violations: Iterable[Violation], acknowledged: Collection[str] = frozenset()
) -> tuple[Violation, ...]:
    """Refuse (``RuleViolations``) on any error or unacknowledged alert; else return the
    acknowledged alerts, for the caller to show and log."""
    found = tuple(violations)
    stopping = [v for v in found if v.is_error or v.code not in acknowledged]
    if stopping:
        raise RuleViolations(*stopping)
    return found


def flags_for(
    settings: Iterable[Suppression], *, today: date, now: datetime
) -> tuple[SuppressionKind, ...]:
    """The kinds of setting a person is under now (in force or temporarily released), in the
    order of :class:`SuppressionKind`: what a search result shows beside the name (§3.1)."""
    kinds = {s.kind for s in settings if s.is_active(today=today, now=now)}
    return tuple(k for k in SuppressionKind if k in kinds)
