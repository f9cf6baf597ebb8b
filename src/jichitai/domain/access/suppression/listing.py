"""What a list naming persons shows of a person whose record a setting keeps from view.

The national links' lists (the CS's inbox and outbox, their printed error lists, the consistency
check, the 出入国在留管理庁長官通知) show names, 住民票コード, addresses and card numbers of
persons. Showing a person in such a list is a 照会 (:attr:`Process.VIEW`): the same settings that
keep the person's record from a reader without acknowledging anything (a setting guarding 照会 in
force, or a 支援措置・仮支援措置 whose 照会 always raises its notice) keep the person's
identifying items out of the list. The row stays (the list keeps its count and order, and the
message its place: the clerk still sees that something is waiting), each identifying item
replaced by :data:`WITHHELD_MARK`; a 宛名番号 is kept where the list has one, as the feed names a
withheld person by 宛名番号 only, so that the clerk opens the record through the register's
guarded read (where the alert is acknowledged or the refusal met).

**Decision: who sees through.** A user who may lift every setting that withholds the person
(``MANAGE_DV_SUPPORT`` for 支援措置, ``MANAGE_SUPPRESSION`` for 抑止, ``permission_for``) sees the
row as it is, as the register shows the record to the officer who manages the measure; nobody
else does, whatever their other rights. The decision is taken once, by
``SuppressionService.withheld_from`` for every list, never by an entry point.
"""

from __future__ import annotations

WITHHELD_MARK = "（抑止・支援措置の対象者のため表示しません）"
"""The text standing for each identifying item of a withheld person in a list."""

__all__ = ["WITHHELD_MARK"]
