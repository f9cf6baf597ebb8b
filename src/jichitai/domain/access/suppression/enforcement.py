"""Checking a process against the settings of a person: the violations they raise
(:func:`applicable`, :func:`check`), refusing or going on (:func:`enforce`), and the flags a
search result shows (:func:`flags_for`). The codes and messages are listed in the package."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime

from jichitai.domain.access.suppression.model import (
    KIND_LABELS,
    PROCESS_LABELS,
    Process,
    Suppression,
    SuppressionKind,
)
from jichitai.domain.access.suppression.periods import one_month_before_end
from jichitai.domain.errors import RuleViolations, Severity, Violation

__all__ = [
    "applicable",
    "check",
    "enforce",
    "flags_for",
]

_DV_REFUSALS: dict[Process, str] = {
    Process.VIEW: "住民票の照会はできません",
    Process.ISSUE: "住民票の写し等の交付はできません",
    Process.CHANGE: "異動の入力はできません",
    Process.FEED: "他システムへの連携はできません",
}


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
