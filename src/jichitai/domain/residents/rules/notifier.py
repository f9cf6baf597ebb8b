"""Rules on the 届出人 and the 本人確認 a change records (header items, both optional).

A notifier other than the person or the 世帯主 (a 代理人, another) is named; a document
recorded as 「その他」 says which; a change made ex officio (職権) has no notifier.
"""

from __future__ import annotations

from jichitai.domain.residents.commands import ChangeHeader, IdentityDocument, NotifierKind
from jichitai.domain.residents.rules.checks import Checks


def check_notifier(header: ChangeHeader, checks: Checks) -> None:
    notifier = header.notifier
    if notifier is not None:
        if notifier.kind in (NotifierKind.AGENT, NotifierKind.OTHER) and not notifier.name:
            checks.error(
                "notifier.name_required",
                f"届出人が{notifier.kind.label}のときは届出人の氏名を入力してください",
                "notifier.name",
            )
        if notifier.relation and notifier.kind is not NotifierKind.AGENT:
            checks.error(
                "notifier.relation_not_agent",
                "異動する方との関係は届出人が代理人のときに入力します",
                "notifier.relation",
            )
        if header.ex_officio:
            checks.error(
                "notifier.ex_officio",
                "職権による異動には届出人を入力しません",
                "notifier.kind",
            )
    check = header.identity_check
    if check is not None and check.document is IdentityDocument.OTHER and not check.detail:
        checks.error(
            "identity_check.detail_required",
            "本人確認の書類が「その他」のときは書類の名前を入力してください",
            "identity_check.detail",
        )
