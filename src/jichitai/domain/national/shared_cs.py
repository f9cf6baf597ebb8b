"""住基ネット共同利用 (standard §7.1.1.1 (1090): 住基ネット共同利用に対応し、住基ネットCSサーバで受信
した電文を、構成自治体に振り分ける機能を有すること).

Small municipalities may share one CS server: what other municipalities send to any member
arrives in the shared CS's one mailbox, known by its **group code** (the 地方公共団体コード of
the municipality that runs it), each message naming its addressee (``to``). The intake fetches
the group's mailbox once and hands each message to the member it names
(``services/cs_inbox.py``). A message naming no member stays with the group's first served
member, listed ``unmatched`` for its clerk.

Configured as ``GROUP=MEMBER,MEMBER;GROUP=…`` (``JICHITAI_CS_SHARED``, and the stand-in's
``--shared``): each code six digits, a municipality in one group at most.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Groups = tuple[tuple[str, tuple[str, ...]], ...]


def _code(text: str) -> str:
    code = text.strip()
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise ValueError(f"地方公共団体コードは6桁の数字です: {code[:12]!r}")
    return code


def parse_groups(text: str) -> Groups:
    """``GROUP=M1,M2;GROUP2=…`` as ((group, (members…)), …); ``ValueError`` with the fault."""
    groups: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for part in (p for p in text.split(";") if p.strip()):
        group, sep, members = part.partition("=")
        if not sep:
            raise ValueError(f"共同利用の指定は GROUP=MEMBER,MEMBER です: {part.strip()[:40]!r}")
        codes = tuple(dict.fromkeys(_code(m) for m in members.split(",") if m.strip()))
        if not codes:
            raise ValueError(f"共同利用の構成団体がありません: {group.strip()[:12]!r}")
        twice = seen.intersection(codes)
        if twice:
            raise ValueError(f"二つの共同利用に属する団体があります: {', '.join(sorted(twice))}")
        seen.update(codes)
        groups.append((_code(group), codes))
    return tuple(groups)


def group_of(code: str, groups: Groups) -> str:
    """The mailbox a message addressed to ``code`` lands in: its group's, else its own."""
    for group, members in groups:
        if code in members:
            return group
    return code


def mailboxes(served: Iterable[str], groups: Groups) -> list[tuple[str, tuple[str, ...]]]:
    """(mailbox, the served municipalities it holds messages for), each served code once: a
    group's mailbox for its members served here, a municipality's own mailbox otherwise."""
    out: dict[str, list[str]] = {}
    for code in served:
        out.setdefault(group_of(code, groups), []).append(code)
    return [(box, tuple(codes)) for box, codes in out.items()]


def addressee(to: str, members: Sequence[str]) -> str | None:
    """The member a message of the mailbox goes to; None when it names none of them."""
    return to if to in members else None
