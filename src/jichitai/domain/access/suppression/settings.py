"""Creating and changing a setting: parsing what the operator gives (:func:`parse_kind`,
:func:`parse_level`, :func:`parse_processes`), the defaults of a kind, :func:`new_suppression`, and
the life of a setting (:func:`lift`, :func:`release`, :func:`extend`, :func:`amend_end`) and what
someone without the DV right sees of it (:func:`redacted`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from jichitai.domain.access.suppression.model import (
    DV_KINDS,
    Process,
    Status,
    Suppression,
    SuppressionKind,
)
from jichitai.domain.access.suppression.periods import (
    dv_period_end,
    extended_end,
    one_month_before_end,
)
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError, InvalidValue, Severity, Violation
from jichitai.domain.inbound.text import SUPPRESSION_REASON

__all__ = [
    "MAX_DETAILS_LENGTH",
    "MAX_REASON_LENGTH",
    "amend_end",
    "default_level",
    "default_processes",
    "extend",
    "lift",
    "new_suppression",
    "parse_kind",
    "parse_level",
    "parse_processes",
    "redacted",
    "release",
]

MAX_REASON_LENGTH = SUPPRESSION_REASON.max_length
MAX_DETAILS_LENGTH = 20_000
"""Characters of the details encoded as JSON (the 支援対象者 database of §1.1.16 lives elsewhere)."""


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
