"""What comes in for the national links (issue 21, ``docs/national-links.md``), parsed value by
value as ``services/inbound.py`` parses a change, at every door (API, counter, CLI):

- the 出入国在留管理庁長官通知 the authority offers (``decode_immigration_notice``);
- the clerk's operations on the CS outbox (``services/national_ops.py``): the note of a re-send,
  a completion by hand or the switch to manual (``decode_cs_note``), the 異動事由 of a re-send
  (``decode_cs_reason``), the end of the switch to manual (``decode_cs_until``) and the items a
  reviewer completes by hand (``decode_cs_amendment``).

The entry points pass what they received as it came (the API's schemas set no length or format
of their own on these items), so that the same input gets the same refusal, code and field from
every door.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from jichitai.domain.common.identifiers import ResidenceCardNumber
from jichitai.domain.errors import Violation, invalid
from jichitai.domain.inbound.text import free_text, name_text, reading
from jichitai.domain.national.cs_lists import LIST_DAYS_MAX
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.inbound import Faults, iso_day

__all__ = [
    "CS_AMENDABLE",
    "CS_NOTE_LIMIT",
    "IMMIGRATION_NOTICE_KINDS",
    "JST",
    "decode_cs_amendment",
    "decode_cs_note",
    "decode_cs_reason",
    "decode_cs_until",
    "decode_immigration_notice",
    "decode_list_days",
    "decode_list_kind",
    "decode_list_ward",
    "full_name",
]

# -- 出入国在留管理庁長官通知 (standard §4.5.6 (960); services/immigration.py) --------------------

IMMIGRATION_NOTICE_KINDS: Final = ("在留期間更新許可", "在留資格変更許可", "在留カード番号変更")


def decode_immigration_notice(data: Any) -> dict[str, Any]:
    """One notice the authority offered, in our JSON (``docs/national-links.md``): its id, kind,
    the person's 在留カード番号 and the items it changes, each parsed; every fault reported."""
    if not isinstance(data, dict):
        raise invalid("immigration.invalid", "通知の形式が正しくありません", "notice")
    faults = Faults()
    notice_id = data.get("notice_id")
    if not isinstance(notice_id, str) or not 1 <= len(notice_id) <= 40 or not notice_id.isascii():
        faults.found.append(Violation("immigration.invalid", "通知番号がありません", "notice_id"))
    kind = data.get("kind")
    if kind not in IMMIGRATION_NOTICE_KINDS:
        faults.found.append(
            Violation("immigration.kind_unknown", f"通知種別 {kind} は取り込めません", "kind")
        )
    card = faults.run(
        "residence_card_number",
        ResidenceCardNumber.parse,
        str(data.get("residence_card_number") or ""),
    )
    given = data.get("items")
    items: dict[str, Any] = given if isinstance(given, dict) else {}
    out: dict[str, Any] = {}
    for key, label in (("residence_status", "在留資格"), ("period_of_stay", "在留期間")):
        if key in items:
            out[key] = faults.run(
                f"items.{key}", free_text, str(items[key]), f"items.{key}", label=label
            )
    if "stay_expires_on" in items:
        out["stay_expires_on"] = faults.run(
            "items.stay_expires_on", iso_day, items["stay_expires_on"], "items.stay_expires_on"
        )
    if "new_residence_card_number" in items:
        out["new_residence_card_number"] = faults.run(
            "items.new_residence_card_number",
            ResidenceCardNumber.parse,
            str(items["new_residence_card_number"]),
            "items.new_residence_card_number",
        )
    if not out:
        faults.found.append(
            Violation("immigration.items_missing", "変更する項目がありません", "items")
        )
    faults.raise_if_any()
    return {"notice_id": notice_id, "kind": kind, "residence_card_number": card, "items": out}


# -- 送信データの手入力での補完 (standard §7.1.1.1 (1090); services/national_ops.py) ------------

CS_AMENDABLE: Final = {
    "name": "氏名",
    "name_kana": "氏名のフリガナ",
    "address": "住所",
    "former_address": "前住所",
    "domicile": "本籍",
    "family_head": "筆頭者",
}
"""The items of a CS message a reviewer may complete by hand, with their labels."""


def full_name(text: str, path: str, label: str) -> str:
    """A name as a message carries it (氏 and 名 with a full-width space): each part a name."""
    parts = [p for p in re.split("[ \u3000]+", text.strip(" \u3000")) if p]
    if not parts:
        raise invalid("input.required", f"{label}を入力してください", path)
    return "\u3000".join(name_text(p, path, label=label) for p in parts)


def decode_cs_amendment(data: Any) -> dict[str, str]:
    """The items a reviewer typed for a CS message (``{"name": "吉田　太郎", …}``), each checked by
    its kind as the register checks it (a name as a name, a reading as a reading, the rest as
    one line of text); every fault reported."""
    if not isinstance(data, dict) or not data:
        raise invalid("cs.items_missing", "補完する項目を入力してください", "items")
    faults = Faults()
    out: dict[str, str] = {}
    for key, value in data.items():
        path = f"items.{key}"
        label = CS_AMENDABLE.get(str(key))
        if label is None:
            faults.found.append(
                Violation("cs.item_unknown", f"項目 {str(key)[:40]} は補完できません", path)
            )
            continue
        if not isinstance(value, str):
            faults.found.append(
                Violation("input.shape", f"{label}は文字列で入力してください", path)
            )
            continue
        if key in ("name", "family_head"):
            made = faults.run(path, full_name, value, path, label)
        elif key == "name_kana":
            made = faults.run(
                path, lambda v, p: "\u3000".join(reading(x, p) for x in v.split()), value, path
            )
        else:
            made = faults.run(path, free_text, value.strip(" \u3000"), path, label=label)
            if made == "":
                faults.found.append(Violation("input.required", f"{label}を入力してください", path))
        if made:
            out[str(key)] = made
    faults.raise_if_any()
    return out


# -- the clerk's operations on the CS outbox (services/national_ops.py) ----------------------------

CS_NOTE_LIMIT: Final = 200
JST: Final = timezone(timedelta(hours=9))


def decode_cs_note(value: Any) -> str:
    """A note on a message or on the switch to manual: one line of at most ``CS_NOTE_LIMIT``
    characters ("" when none)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid("input.shape", "メモは文字列で入力してください", "note")
    text = value.strip()
    if len(text) > CS_NOTE_LIMIT or any(c in text for c in "\r\n\t\x00"):
        raise invalid("cs.note_invalid", f"メモは改行なしの{CS_NOTE_LIMIT}文字以内です", "note")
    return text


def decode_cs_reason(value: Any) -> ChangeReason | None:
    """The 異動事由 a message is re-sent with (None or "": unchanged)."""
    if value is None or value == "":
        return None
    try:
        return ChangeReason(value)
    except ValueError:
        raise invalid(
            "cs.reason_unknown", f"異動事由 {str(value)[:40]} は指定できません", "reason"
        ) from None


def decode_cs_until(value: Any, now: datetime) -> datetime | None:
    """The end of the switch to manual: an ISO date and time after ``now`` (one without a time
    zone is Japan time); None or "": until switched back."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip()[:40])
        except ValueError:
            raise invalid(
                "cs.until_invalid",
                "期限は日時（例: 2026-12-08T09:00）で指定してください",
                "until",
            ) from None
    if not isinstance(value, datetime):
        raise invalid("input.shape", "期限は日時で指定してください", "until")
    until = value if value.tzinfo is not None else value.replace(tzinfo=JST)
    if until <= now:
        raise invalid("cs.until_invalid", "期限は今より後の日時です", "until")
    return until


# -- the filters of the printed CS lists (services/cs_lists.py) ---------------------------------


def decode_list_kind(value: str | None, known: tuple[str, ...]) -> str | None:
    """A list's 種別: one of ``known``, or None (every kind) when not given."""
    if value is None or not value.strip():
        return None
    kind = value.strip()
    if kind not in known:
        raise invalid(
            "list.kind_unknown",
            f"種別 {kind[:20]} は指定できません（{'、'.join(known)}）",
            "kind",
        )
    return kind


def decode_list_days(value: str | int | None) -> int | None:
    """How many days back a list reaches (1 to ``LIST_DAYS_MAX``), as typed or as a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    days = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= days <= LIST_DAYS_MAX:
        raise invalid(
            "list.days_out_of_range",
            f"期間は 1 日から {LIST_DAYS_MAX} 日までの日数で指定してください（{text[:10]}）",
            "days",
        )
    return days


def decode_list_ward(value: str | None) -> str | None:
    """A 指定都市's 行政区 (a name ending in 区), or None (the whole city)."""
    if value is None or not value.strip():
        return None
    ward = value.strip()
    if not ward.endswith("区") or len(ward) > 10 or any(c.isspace() for c in ward):
        raise invalid(
            "list.ward_invalid", f"行政区 {ward[:10]} は指定できません（例: 北区）", "ward"
        )
    return ward
