"""Which snapshot of a person holds on a date: one rule for every reader (ADR 0011).

The register keeps one full snapshot per change (standard §1.2.1 (200)), numbered in the order
the changes were recorded (履歴番号), each with its 異動日. A person's record **as of** a day is
the snapshot recorded last among those whose 異動日 is on or before that day. Two rules keep
that answer right:

* A change may not be dated before the latest 異動日 of a person it writes
  (``change.effective_before_latest``, see :func:`check_not_before_latest`): every snapshot then
  holds only changes dated on or before its own 異動日, so the snapshot in effect on a day never
  carries a change dated later.
* The one change dated in the future, a 転出 filed before moving (§4.0.3 (480)), is recorded at
  once but holds only from its date: until then the person is a resident for every reader
  (§1.1.5 (50), §5.1 (1000), §6.1 (1080)), and on the date she is removed without anyone acting,
  because readers ask for the record in effect *today* (:func:`in_effect`). What may still be
  recorded before that date for her — the 転出's cancellation or the new municipality's 転入通知 —
  supersedes the pending snapshot from its own 異動日.

The write side (the change rules) works on the latest snapshot: a planned move-out is already a
除票 to them, so nothing but its cancellation or the 転入通知 can change her before the date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jichitai.domain.common.dates import format_wareki
from jichitai.domain.errors import Violation
from jichitai.domain.residents.model import ResidentRecord


def in_effect(history: Iterable[ResidentRecord], on: date) -> ResidentRecord | None:
    """The snapshot that holds on ``on``: the highest 履歴番号 among those dated on or before it."""
    found: ResidentRecord | None = None
    for record in history:
        if record.effective_on <= on and (
            found is None or record.history_number > found.history_number
        ):
            found = record
    return found


def is_pending(record: ResidentRecord, today: date) -> bool:
    """Whether this (latest) snapshot takes effect only after ``today`` (a planned 転出)."""
    return record.effective_on > today


def check_not_before_latest(
    new: ResidentRecord,
    latest: ResidentRecord | None,
    today: date,
    *,
    supersedes_pending: bool,
) -> Violation | None:
    """The error if ``new`` is dated before the person's ``latest`` snapshot, else None.

    ``supersedes_pending``: the change may replace a snapshot that has not yet taken effect
    (a cancellation of a planned 転出, the 転入通知 that confirms an earlier move-in elsewhere);
    it may then be dated from today, before the pending date.
    """
    if latest is None or new.effective_on >= latest.effective_on:
        return None
    pending = is_pending(latest, today)
    if supersedes_pending and pending and new.effective_on <= today:
        return None
    if pending:
        return Violation(
            "change.effective_before_latest",
            f"宛名番号 {new.atena_number.value} の方には{format_wareki(latest.effective_on)}から"
            f"効力を生じる異動（{latest.reason.label}）が記録されています。その日より前の異動日では、"
            "その異動の取消し又は転入通知の受理のほかは入力できません",
            "effective_on",
        )
    return Violation(
        "change.effective_before_latest",
        f"宛名番号 {new.atena_number.value} の方には{format_wareki(latest.effective_on)}付けの"
        f"異動（{latest.reason.label}）が記録されています。それより前の異動日では入力できません。"
        "異動日を確認するか、先にその異動を取り消してください",
        "effective_on",
    )
