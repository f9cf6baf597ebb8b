"""What the integration payloads' codes and items mean: the catalogue ``/integration/v1/codes``
serves and ``docs/integration.md`` lists.

Every code table comes from the migration layout (``layouts/juki/<version>.toml`` and its
``codes/*.csv``), the one source the records are encoded with, so the catalogue cannot drift
from the data. The strings a feed change carries (``kind``, ``reason``, ``reason_group``) come
from the domain's own registries: the change-type registry (``change_types.CHANGE_TYPES``) for
``kind``, ``ChangeReason`` for ``reason`` (with the layout's 異動事由 code of each) and
``ReasonGroup``. ``version`` is a hash of everything else, so it changes exactly when a code, a
label or an item does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Final

from jichitai.domain.integration.feed import (
    PROTECTION,
    PROTECTION_GROUP,
    PROTECTION_GROUP_LABEL,
    PROTECTION_LABELS,
    TOOK_EFFECT,
)
from jichitai.domain.integration.subscribers import SUPPORT_ITEM
from jichitai.domain.migration.layout import Layout, LayoutItem
from jichitai.domain.residents.change_types import CHANGE_TYPES
from jichitai.domain.residents.reasons import ChangeReason, ReasonGroup
from jichitai.domain.residents.view import ChangeKind

__all__ = [
    "FEED_FIELDS",
    "KIND_LABELS",
    "PayloadField",
    "catalogue",
    "feed_tables",
    "record_items",
]

_OTHER_KIND_LABELS: Final = {ChangeKind.IMPORT: "データ移行（他システムからの引継ぎ）"}
KIND_LABELS: Final[dict[str, str]] = {
    **{t.kind.value: t.label for t in CHANGE_TYPES},
    **{k.value: label for k, label in _OTHER_KIND_LABELS.items()},
    TOOK_EFFECT: "予定の異動の効力発生（異動日が来た転出予定など。took_effect_of が元の異動）",
    PROTECTION: "提供停止・支援措置の設定・解除（異動ではない。対象の人を名指す）",
    "withheld": "提供を止められた人だけの異動（withheld_persons の宛名番号のほかは送らない）",
}
"""Every ``ChangeKind`` with its label: the change type's one label, or for a kind no command
makes (a migrated snapshot) its own; then the kinds of feed entry that are no 異動."""

_TYPE_NAMES: Final = {
    "text": "文字列",
    "digits": "数字列",
    "integer": "整数（10進の文字列）",
    "date": "年月日（YYYYMMDD）",
    "code": "コード",
    "flag": "フラグ（1又は0）",
    "json": "JSON（文字列に入れた正準JSON）",
}


class PayloadField:
    """One field of a feed change (not a record item): its name, JSON type, table and meaning."""

    __slots__ = ("meaning", "name", "table", "type")

    def __init__(self, name: str, type_: str, meaning: str, table: str = "") -> None:
        self.name = name
        self.type = type_
        self.meaning = meaning
        self.table = table

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type, "table": self.table, "meaning": self.meaning}


FEED_FIELDS: Final[tuple[PayloadField, ...]] = (
    PayloadField("cursor", "string", "この異動までを読んだことを示すカーソル（次の after に渡す）"),
    PayloadField("seq", "integer", "団体ごとの異動の通番（コミット順）"),
    PayloadField("event_id", "string", "異動の識別子（再送されても同じ）"),
    PayloadField("kind", "string", "異動の種類（どの処理で記録されたか）", "kind"),
    PayloadField("reason", "string", "異動事由（標準の異動事由）", "reason"),
    PayloadField("reason_label", "string", "異動事由の名称（reason 表の label と同じ）"),
    PayloadField("reason_group", "string", "異動事由の区分（記載・消除・修正）", "reason_group"),
    PayloadField("effective_on", "string (YYYY-MM-DD)", "異動日（異動の効力が生じる日）"),
    PayloadField(
        "takes_effect",
        "string",
        "planned: 記録した日より後の異動日の異動（転出予定。その日に kind took_effect が続く）、"
        "now: 記録した時点で効力がある",
    ),
    PayloadField(
        "took_effect_of",
        "object | null",
        "kind が took_effect のとき、異動日が来た予定の異動（seq, event_id）",
    ),
    PayloadField("filed_on", "string (YYYY-MM-DD) | null", "届出年月日（職権の異動では null）"),
    PayloadField("recorded_at", "string (ISO 8601)", "記録した日時（承認・確定の時刻）"),
    PayloadField(
        "corrects_event_id", "string | null", "この異動が修正・取消しの対象とした異動の event_id"
    ),
    PayloadField("persons", "string[]", "この異動で記録が変わった人の宛名番号（提供できる人のみ）"),
    PayloadField("households", "string[]", "persons の人の異動後の世帯番号"),
    PayloadField("records", "object[]", "異動後の記録（下の項目、連携先が受け取れるものだけ）"),
    PayloadField("withheld", "integer", "提供を止められた（他業務参照不可・支援措置等）人数"),
    PayloadField(
        "withheld_persons",
        "string[]",
        "提供を止められた人の宛名番号（それ以外の項目は送らない。「Withheld persons」参照）",
    ),
)
"""The fields of a feed change (``domain/integration/feed.py::feed_change``), in its order."""

SUPPORT_MEANING: Final = (
    "支援措置又は仮支援措置の対象者なら 1（登録でこの項目を受け取る連携先のみ）"
)


def feed_tables() -> dict[str, list[dict[str, str]]]:
    """The tables of the strings a feed change carries: ``kind``, ``reason``, ``reason_group``.
    Each entry's ``code`` is the string as carried (``value`` the same)."""
    return {
        "kind": [
            {"code": k.value, "value": k.value, "label": KIND_LABELS[k.value]} for k in ChangeKind
        ]
        + [{"code": k, "value": k, "label": KIND_LABELS[k]} for k in (TOOK_EFFECT, PROTECTION)],
        "reason": [
            {"code": r.value, "value": r.value, "label": r.label, "group": r.group.value}
            for r in ChangeReason
        ]
        + [
            {"code": code, "value": code, "label": label, "group": PROTECTION_GROUP}
            for code, label in PROTECTION_LABELS.items()
        ],
        "reason_group": [{"code": g.value, "value": g.value, "label": g.label} for g in ReasonGroup]
        + [{"code": PROTECTION_GROUP, "value": PROTECTION_GROUP, "label": PROTECTION_GROUP_LABEL}],
    }


def record_items(items: Sequence[LayoutItem]) -> list[dict[str, Any]]:
    """The record items (the layout's 住民 file, then the support flag) as the catalogue lists
    them: name, type, Japanese type, length, code table, 外字 allowed, extension, meaning."""
    listed: list[dict[str, Any]] = [
        {
            "name": item.name,
            "type": item.type.value,
            "type_label": _TYPE_NAMES[item.type.value],
            "length": item.length,
            "table": item.code_table,
            "gaiji": item.gaiji,
            "extension": item.extension,
            "meaning": item.description,
        }
        for item in items
    ]
    listed.append(
        {
            "name": SUPPORT_ITEM,
            "type": "flag",
            "type_label": _TYPE_NAMES["flag"],
            "length": 1,
            "table": "",
            "gaiji": False,
            "extension": True,
            "meaning": SUPPORT_MEANING,
        }
    )
    return listed


def catalogue(layout: Layout, items: Sequence[LayoutItem]) -> dict[str, Any]:
    """Every code table and item a payload uses, with a ``version`` hash of the content."""
    tables: dict[str, list[dict[str, str]]] = {}
    for name, table in layout.code_tables.items():
        tables[name] = [
            {"code": code, "value": table.values.get(code, ""), "label": label}
            for code, label in table.labels.items()
        ]
    tables |= feed_tables()
    layout_reason = layout.code_tables.get("異動事由")
    if layout_reason is not None:
        for entry in tables["reason"]:
            entry["layout_code"] = layout_reason.code_of(entry["code"]) or ""
    body: dict[str, Any] = {
        "layout_version": layout.version,
        "tables": tables,
        "items": record_items(items),
        "feed_fields": [f.as_json() for f in FEED_FIELDS],
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {"version": hashlib.sha256(canonical.encode()).hexdigest()[:16], **body}
