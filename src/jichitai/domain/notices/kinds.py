"""Every kind of notice (通知書) the register prints, each registered once.

A ``NoticeType`` holds what is particular to one kind: the title its sheets carry, the standard's
section, and whether it is printed for one recorded change (an event) or for the register as a
whole (the 転入通知未着 list). The API's and the CLI's lists of kinds and the titles printed
are read from ``NOTICE_TYPES``; ``docs/howto/add-a-notice-kind.md`` lists the steps to add one.

Only the ``NoticeKind`` values are sent by API clients and the CLI and written to the access log:
a member may be renamed, a value never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class NoticeKind(StrEnum):
    """A kind of notice; the values are sent and logged, never changed."""

    CHANGE_ACCEPTED = "juri"
    """住民異動届受理通知 (§4.1.0.3 (580)): a filed 異動届 was accepted."""
    EX_OFFICIO = "shokken"
    """職権記載等通知書 (§4.2.0.1 (750)): the register was changed ex officio."""
    HEAD_CHANGE_REQUEST = "setainushi"
    """世帯主変更依頼通知書 and the list of households concerned (§4.0.5 (500))."""
    RESIDENT_CODE = "code"
    """住民票コード通知票 / 変更通知票 / 修正通知票 (§4.3.3 (890))."""
    MOVE_IN_NOTICE_MISSING = "michaku"
    """転入通知未着者一覧 and a 転入通知未着照会書 per destination (§4.1.3.1.4 (710))."""


@dataclass(frozen=True, slots=True)
class NoticeType:
    kind: NoticeKind
    title: str
    """Printed on every sheet (a kind with variants prints the variant's own title)."""
    section: str
    per_change: bool = True
    """Printed for one recorded change (its event id); False: for the register as a whole."""


NOTICE_TYPES: Final[tuple[NoticeType, ...]] = (
    NoticeType(NoticeKind.CHANGE_ACCEPTED, "住民異動届受理通知", "4.1.0.3"),
    NoticeType(NoticeKind.EX_OFFICIO, "職権記載等通知書", "4.2.0.1"),
    NoticeType(NoticeKind.HEAD_CHANGE_REQUEST, "世帯主変更依頼通知書", "4.0.5"),
    NoticeType(NoticeKind.RESIDENT_CODE, "住民票コード通知票", "4.3.3"),
    NoticeType(
        NoticeKind.MOVE_IN_NOTICE_MISSING, "転入通知未着者一覧", "4.1.3.1.4", per_change=False
    ),
)


def notice_type(kind: NoticeKind) -> NoticeType:
    return next(t for t in NOTICE_TYPES if t.kind is kind)


def kinds_help() -> str:
    """「juri（住民異動届受理通知）、…」: the kinds as the API and the CLI describe them."""
    return "、".join(f"{t.kind.value}（{t.title}）" for t in NOTICE_TYPES)
