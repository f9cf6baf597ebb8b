"""What each notice says, laid out as sheets from the recorded change (pure).

The service reads the change from the journal (the event, the persons' snapshots before and
after it, the households left without a head) into ``ChangeFacts``; the functions here decide
whether the change calls for the notice (else ``DomainError`` ``notice.not_for_change``, in
Japanese, naming the kind) and lay out one ``NoticeSheet`` per addressee. The PDF adapter draws
the sheets; nothing here knows about pages or fonts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from jichitai.domain.common.address import Address
from jichitai.domain.common.dates import format_wareki
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.notices.kinds import NoticeKind, notice_type
from jichitai.domain.residents.commands import Notifier, NotifierKind
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.view import ChangeKind, Notice

FILED_KINDS = frozenset(
    {
        ChangeKind.MOVE_IN,
        ChangeKind.IN_TOWN_MOVE,
        ChangeKind.MOVE_OUT,
        ChangeKind.HOUSEHOLD_SPLIT,
        ChangeKind.HOUSEHOLD_MERGE,
        ChangeKind.HOUSEHOLD_CHANGE,
        ChangeKind.HEAD_CHANGE,
    }
)
"""The 届出 a 住民異動届受理通知 is printed for (§4.1.0.3): 転入, 転居, 転出, 世帯変更."""
MOVED_OUT = frozenset({ChangeReason.DOMESTIC_MOVE_OUT, ChangeReason.EX_OFFICIO_REMOVAL})
"""Removals after which a 転入通知 is awaited (§4.1.3.1.4: 国内転出, also 職権消除)."""


@dataclass(frozen=True, slots=True)
class NoticeSheet:
    """One addressee's sheet: the title, to whom, the text, the items and an optional table."""

    title: str
    addressee_address: str
    addressee: str
    """The addressee as printed, with its honorific (「高橋　太郎　様」, 「横浜市長　様」)."""
    body: tuple[str, ...]
    items: tuple[tuple[str, str], ...] = ()
    table: tuple[tuple[str, ...], ...] = ()
    """Rows of a ruled table below the items; the first row is its header."""
    atena_numbers: tuple[str, ...] = ()
    """The persons it names: logged with the print, never printed."""


@dataclass(frozen=True, slots=True)
class NoticeDocument:
    """One print: the sheets, the municipality that sends them and the day they are printed."""

    kind: NoticeKind
    title: str
    municipality_name: str
    printed_on: date
    reference: str
    """The change's event id (or the list's date), printed in the footer of every page."""
    sheets: tuple[NoticeSheet, ...]

    @property
    def atena_numbers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for s in self.sheets for n in s.atena_numbers))


@dataclass(frozen=True, slots=True)
class PersonChange:
    before: ResidentRecord | None
    """The person's snapshot just before the change (None: the change entered them)."""
    after: ResidentRecord


@dataclass(frozen=True, slots=True)
class ChangeFacts:
    """A recorded change as the notices read it."""

    event_id: str
    kind: ChangeKind
    reason: ChangeReason
    ex_officio: bool
    effective_on: date
    filed_on: date | None
    notices: tuple[str, ...]
    notifier: Notifier | None
    persons: tuple[PersonChange, ...]
    headless: Mapping[str, Sequence[ResidentRecord]] = field(default_factory=dict)
    """世帯番号 → the living members (display order) of each household the change left without
    a head and that still has none."""


def not_for_change(kind: NoticeKind, why: str) -> DomainError:
    title = notice_type(kind).title
    return DomainError(
        Violation("notice.not_for_change", f"この異動には{title}を出力できません（{why}）", "kind")
    )


def _honorific(name: str) -> str:
    return f"{name}　様"


def _wareki(value: date | None) -> str:
    return format_wareki(value) if value else ""


def _names(facts: ChangeFacts) -> str:
    return "、".join(p.after.name.full for p in facts.persons)


def change_accepted(facts: ChangeFacts) -> list[NoticeSheet]:
    """住民異動届受理通知: 届出日, 異動事由, 届出人氏名, 異動者氏名 and that it was accepted, to
    the 届出人 at the address before the change; to the person at the new address where there was
    none here or abroad (a 転入 from abroad, §4.1.0.3 なお書き)."""
    kind = NoticeKind.CHANGE_ACCEPTED
    if facts.ex_officio or facts.kind not in FILED_KINDS:
        raise not_for_change(kind, "転入届・転居届・転出届・世帯変更届を受理した異動ではありません")
    first = facts.persons[0]
    notifier = facts.notifier
    notifier_name = notifier.name if notifier and notifier.name else ""
    if not notifier_name and (notifier is None or notifier.kind is NotifierKind.SELF):
        notifier_name = first.after.name.full
    before: Address | None = first.before.address if first.before else first.after.previous_address
    if before is None or before.is_overseas or before.is_unknown or not notifier_name:
        address, addressee = first.after.address, first.after.name.full
    else:
        address, addressee = before, notifier_name
    items = (
        ("届出日", _wareki(facts.filed_on or facts.effective_on)),
        ("異動日", _wareki(facts.effective_on)),
        ("異動事由", facts.reason.label),
        ("届出人氏名", notifier_name or "（記録なし）"),
        ("異動者氏名", _names(facts)),
    )
    return [
        NoticeSheet(
            notice_type(kind).title,
            address.display(),
            _honorific(addressee),
            ("下記のとおり住民異動届を受理しましたので通知します。",),
            items,
            atena_numbers=tuple(p.after.atena_number.value for p in facts.persons),
        )
    ]


def ex_officio(facts: ChangeFacts) -> list[NoticeSheet]:
    """職権記載等通知書: to each person the change concerns, at their address in the register."""
    kind = NoticeKind.EX_OFFICIO
    if not facts.ex_officio and Notice.EX_OFFICIO_ENTRY_NOTICE.value not in facts.notices:
        raise not_for_change(kind, "職権による記載等ではありません")
    group = facts.reason.group.label
    return [
        NoticeSheet(
            notice_type(kind).title,
            p.after.address.display(),
            _honorific(p.after.name.full),
            (
                f"届出に基づく住民票の{group}等をすべき場合において届出がなかったため、"
                f"職権により下記のとおり住民票の{group}をしましたので通知します。",
            ),
            (
                ("氏名", p.after.name.full),
                ("生年月日", p.after.birth_date.display()),
                ("住所", p.after.address.display()),
                ("職権の区分", f"職権{group}"),
                ("異動事由", facts.reason.label),
                ("異動日", _wareki(facts.effective_on)),
            ),
            atena_numbers=(p.after.atena_number.value,),
        )
        for p in facts.persons
    ]


def head_change_request(facts: ChangeFacts) -> list[NoticeSheet]:
    """世帯主変更依頼通知書 to the first member (display order) of each household left without a
    head, and the list of those households (対象者リスト)."""
    kind = NoticeKind.HEAD_CHANGE_REQUEST
    if Notice.HEAD_CHANGE_REQUEST.value not in facts.notices:
        raise not_for_change(kind, "世帯主が不在となる異動ではありません")
    if not facts.headless:
        raise not_for_change(kind, "世帯主が不在の世帯はもうありません")
    former = {
        p.before.household_number.value: p.before.name.full
        for p in facts.persons
        if p.before is not None and p.before.is_head
    }
    title = notice_type(kind).title
    sheets: list[NoticeSheet] = []
    rows: list[tuple[str, ...]] = [("世帯番号", "住所", "送付先", "世帯員数", "元の世帯主")]
    for household, members in sorted(facts.headless.items()):
        ordered = sorted(members, key=lambda r: r.display_order)
        top = ordered[0]
        sheets.append(
            NoticeSheet(
                title,
                top.address.display(),
                _honorific(top.name.full),
                (
                    "あなたの世帯は世帯主が不在となりました。",
                    "世帯主を定め、世帯主変更の届出をしてください。",
                ),
                (
                    ("住所", top.address.display()),
                    ("元の世帯主", former.get(household, "")),
                    ("異動日", _wareki(facts.effective_on)),
                    ("世帯員", "、".join(m.name.full for m in ordered)),
                ),
                atena_numbers=tuple(m.atena_number.value for m in ordered),
            )
        )
        rows.append(
            (
                household,
                top.address.display(),
                top.name.full,
                f"{len(ordered)}人",
                former.get(household, ""),
            )
        )
    sheets.append(
        NoticeSheet(
            "世帯主変更依頼対象者リスト",
            "",
            "",
            (f"世帯主が不在となった世帯（{len(rows) - 1}世帯）",),
            table=tuple(rows),
            atena_numbers=tuple(n for s in sheets for n in s.atena_numbers),
        )
    )
    return sheets


def resident_code(facts: ChangeFacts) -> list[NoticeSheet]:
    """住民票コード通知票 (a new code), 変更通知票 (changed on request or by a change) or 修正通知票
    (corrected), for each person whose 住民票コード the change wrote; printed again as often as
    asked (再出力)."""
    kind = NoticeKind.RESIDENT_CODE
    sheets: list[NoticeSheet] = []
    for p in facts.persons:
        new = p.after.resident_code
        old = p.before.resident_code if p.before else None
        if new is None or new == old:
            continue
        if old is None:
            title, what = "住民票コード通知票", "住民票コードを記載しました"
        elif (
            facts.kind is ChangeKind.CORRECTION
            and facts.reason is not ChangeReason.RESIDENT_CODE_CHANGE_ON_REQUEST
        ):
            title, what = "住民票コード修正通知票", "住民票コードを修正しました"
        else:  # 変更請求 (法第30条の4)
            title, what = "住民票コード変更通知票", "住民票コードを変更しました"
        items = [
            ("氏名", p.after.name.full),
            ("生年月日", p.after.birth_date.display()),
            ("住所", p.after.address.display()),
            ("住民票コード", new.value),
        ]
        if old is not None:
            items.append(("変更前の住民票コード", old.value))
        items.append(("記載日", _wareki(facts.effective_on)))
        sheets.append(
            NoticeSheet(
                title,
                p.after.address.display(),
                _honorific(p.after.name.full),
                (f"あなたの住民票に下記のとおり{what}ので通知します。",),
                tuple(items),
                atena_numbers=(p.after.atena_number.value,),
            )
        )
    if not sheets:
        raise not_for_change(kind, "住民票コードを記載・変更・修正した異動ではありません")
    return sheets


def overdue(records: Sequence[ResidentRecord], as_of: date, days: int) -> list[ResidentRecord]:
    """Persons removed by 国内転出 (or 職権消除 after one) at least ``days`` days before ``as_of``
    whose 転入通知 has not arrived (no ``notice_on``), by removal date then 宛名番号."""
    found = [
        r
        for r in records
        if r.move_out is not None
        and r.move_out.notice_on is None
        and r.removal_reason in MOVED_OUT
        and r.removed_on is not None
        and (as_of - r.removed_on).days >= days
    ]
    return sorted(found, key=lambda r: (r.removed_on or as_of, r.atena_number.value))


def _destination(record: ResidentRecord) -> str:
    assert record.move_out is not None
    onward = record.move_out.onward_address
    return f"{onward.prefecture}{onward.city}" or onward.display()


def move_in_notice_missing(
    records: Sequence[ResidentRecord], as_of: date, days: int, municipality_name: str
) -> list[NoticeSheet]:
    """転入通知未着者一覧 (every person of ``overdue``) and a 転入通知未着照会書 to the head of each
    destination municipality listing its persons. No such person: ``notice.none_overdue``."""
    persons = overdue(records, as_of, days)
    if not persons:
        raise DomainError(
            Violation(
                "notice.none_overdue",
                f"転出から{days}日を経過して転入通知が未着の方はいません",
                "days",
            )
        )
    header = ("宛名番号", "氏名", "生年月日", "転出先", "消除日", "経過日数")

    def row(r: ResidentRecord, *, with_number: bool = True) -> tuple[str, ...]:
        assert r.move_out is not None and r.removed_on is not None
        cells = (
            r.atena_number.value,
            r.name.full,
            r.birth_date.display(),
            r.move_out.onward_address.display(),
            format_wareki(r.removed_on),
            f"{(as_of - r.removed_on).days}日",
        )
        return cells if with_number else cells[1:]

    by_destination: dict[str, list[ResidentRecord]] = {}
    for r in persons:
        by_destination.setdefault(_destination(r), []).append(r)
    sheets = [
        NoticeSheet(
            notice_type(NoticeKind.MOVE_IN_NOTICE_MISSING).title,
            "",
            "",
            (f"転出から{days}日を経過して転入通知が届いていない方（{len(persons)}人）",),
            table=(header, *(row(r) for r in persons)),
            atena_numbers=tuple(r.atena_number.value for r in persons),
        )
    ]
    for destination, group in sorted(by_destination.items()):
        sheets.append(
            NoticeSheet(
                "転入通知未着照会書",
                "",
                f"{destination}長　様",
                (
                    f"下記の方は{municipality_name}から貴市区町村への転出の届出があり、"
                    f"消除しましたが、{days}日を経過しても転入通知が届いていません。",
                    "転入届の有無及び転入通知の送付状況についてご回答くださるようお願いします。",
                ),
                table=(header[1:], *(row(r, with_number=False) for r in group)),
                atena_numbers=tuple(r.atena_number.value for r in group),
            )
        )
    return sheets
