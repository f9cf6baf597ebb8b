"""What a certificate request records besides the certificate: who asks for it (請求者), how
many copies (通数) and the fee (手数料).

Every door (the staff API, the counter, the command line) reads the requester and the number of
copies with ``read_request`` below, so they accept and refuse the same values; the fee is never
sent by a door: the service works it out from the municipality's fee table (``fee_for``).

Only the ``Requester`` values are stored (``certificate_issues.requester``) and sent: a member
may be renamed, a value never changed. Copies issued before revision 0014 record no requester
(NULL), one copy and no fee.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from jichitai.domain.errors import invalid


class Requester(StrEnum):
    """請求者: who asks for the certificate (住民基本台帳法 第12条, 第12条の2, 第12条の3)."""

    SELF = "self"
    """本人."""
    SAME_HOUSEHOLD = "household"
    """同一世帯の方."""
    AGENT = "agent"
    """代理人 (本人・同一世帯の方の委任を受けた方、法定代理人)."""
    THIRD_PARTY = "third_party"
    """第三者 (第12条の3: 自己の権利行使等のために必要な方)."""
    OFFICIAL = "official"
    """公用 (国又は地方公共団体の機関の請求, 第12条の2): no fee."""

    @property
    def label(self) -> str:
        return REQUESTER_LABELS[self]


REQUESTER_LABELS: Final[Mapping[Requester, str]] = {
    Requester.SELF: "本人",
    Requester.SAME_HOUSEHOLD: "同一世帯",
    Requester.AGENT: "代理人",
    Requester.THIRD_PARTY: "第三者",
    Requester.OFFICIAL: "公用",
}
"""The labels the counter, the history and the documents show, in the order offered."""


def requester_label(value: str | None) -> str | None:
    """The label of a stored requester value; None for a copy that recorded none."""
    if not value:
        return None
    try:
        return Requester(value).label
    except ValueError:
        return value


MAX_COPIES: Final = 10
"""The most copies one request may ask for (a larger number is a typing mistake more often
than a need; a second request serves it)."""
DEFAULT_FEE_PER_COPY: Final = 300
"""手数料 per copy (円) of every kind the municipality has not set otherwise."""
MAX_FEE_PER_COPY: Final = 10_000


@dataclass(frozen=True, slots=True)
class RequestTerms:
    """The requester and the number of copies, as read from any door."""

    requester: Requester = Requester.SELF
    copies: int = 1


def read_request(requester: str | None, copies: str | int | None) -> RequestTerms:
    """The request's 請求者 (a ``Requester`` value; none: 本人) and 通数 (1..``MAX_COPIES``;
    none: 1; full-width digits as typed with a Japanese IME are the same number)."""
    who = Requester.SELF
    text = (requester or "").strip()
    if text:
        try:
            who = Requester(text)
        except ValueError:
            raise invalid(
                "certificate.requester_invalid",
                "請求者は "
                + "、".join(f"{r.value}（{r.label}）" for r in Requester)
                + " から選択してください",
                "requester",
            ) from None
    return RequestTerms(who, _copies(copies))


def _copies(value: str | int | None) -> int:
    if value is None or value == "":
        return 1
    if isinstance(value, int):
        number = value
    else:
        digits = unicodedata.normalize("NFKC", value).strip()
        if not digits.isascii() or not digits.isdigit():
            raise _copies_invalid()
        number = int(digits)
    if not 1 <= number <= MAX_COPIES:
        raise _copies_invalid()
    return number


def _copies_invalid() -> Exception:
    return invalid(
        "certificate.copies_invalid",
        f"通数は1から{MAX_COPIES}までの数字で入力してください",
        "copies",
    )


def check_fee(fee: int, field: str = "fee") -> int:
    """A fee per copy an administrator sets: whole 円, 0 to ``MAX_FEE_PER_COPY``."""
    if isinstance(fee, bool) or not 0 <= fee <= MAX_FEE_PER_COPY:
        raise invalid(
            "certificate.fee_invalid",
            f"手数料は0円から{MAX_FEE_PER_COPY:,}円までで入力してください",
            field,
        )
    return fee


def fee_for(terms: RequestTerms, per_copy: int) -> int:
    """手数料 of the request: the fee per copy times the copies; 公用 is free."""
    if terms.requester is Requester.OFFICIAL:
        return 0
    return per_copy * terms.copies
