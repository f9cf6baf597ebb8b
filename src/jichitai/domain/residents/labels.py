"""The Japanese label of every item a change or a record holds: one table every door derives from.

The review screens (a draft in words), the inbound decoder's messages (a free-text item named in
a refusal), the confirmation page and the resident page's history all name an item by
``item_label(owner, name)``: the field ``name`` of the dataclass ``owner`` (a command,
``NewPerson``, ``RecordChanges``, ``ForeignResidentDetails``, ``Address`` …, or the record
``ResidentRecord`` and its ``MoveOutDetails``). Most names mean the same wherever they appear
and are labelled once in ``ITEM_LABELS``; the few that mean something else in one place
(``Alias.name`` is a 通称, ``Coverage.kind`` a kind of insurance) are labelled in
``OWN_LABELS``. ``tests/unit/test_item_labels.py`` walks every command of the ``ChangeCommand``
union, and the record, and fails on an item without a label.

The wording follows the standard's item names (住民基本台帳事務処理要領 and the 標準仕様書):
消除の事由, 転出予定日, 在留カード等の番号 ….
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from jichitai.domain.residents.commands import (
    Correct,
    HouseholdChange,
    HouseholdMerge,
    IdentityCheck,
    InTownMove,
    MoveIn,
    MoveOut,
    Notifier,
    RecordMoveInNotice,
)
from jichitai.domain.residents.model import (
    Alias,
    Coverage,
    MoveOutDetails,
    ResidentRecord,
)

ITEM_LABELS: Final[Mapping[str, str]] = {
    # the header every change carries (ChangeHeader)
    "header": "異動の共通事項",
    "effective_on": "異動日",
    "filed_on": "届出日",
    "operator": "入力者",
    "place": "入力場所",
    "terminal": "入力端末",
    "notes": "留意事項",
    "ex_officio": "職権による異動",
    "acknowledged_alerts": "入力時に確認したアラート",
    "expected_versions": "入力時の世帯の版",
    "expected_histories": "入力時の履歴番号",
    "notifier": "届出人",
    "identity_check": "本人確認",
    # the persons and households a change names
    "members": "異動する方",
    "child": "生まれた子",
    "atena_numbers": "対象の方",
    "atena_number": "対象の方",
    "new_head": "新しい世帯主",
    "household_number": "世帯番号",
    "source_household": "合併する世帯",
    "target_household": "異動先の世帯",
    "relationships": "続柄",
    # addresses and dates of the change itself
    "address": "住所",
    "previous_address": "前住所",
    "previous_address_unreported": "前住所の届出なし",
    "from_abroad": "国外からの転入",
    "abroad": "国外への転出",
    "special": "特例転出・特例転入",
    "planned_on": "転出予定日",
    "onward_address": "転出先",
    "notice_on": "転入通知を受けた日",
    "confirmed_address": "転入先の住所（転入通知）",
    "confirmed_on": "転入した日（転入通知）",
    "moved_in_on": "転入した日（転入通知）",
    "died_on": "死亡日",
    "cause": "消除の事由",
    "reason": "異動の事由",
    "changes": "修正する事項",
    "corrects_event_id": "修正の対象となる異動",
    "event_id": "取り消す異動",
    "remake": "再製",
    "clear": "削除する事項",
    # a person's items (NewPerson, RecordChanges, ResidentRecord)
    "kind": "住民の種別",
    "status": "状態",
    "name": "氏名",
    "birth_date": "生年月日",
    "sex": "性別",
    "relationship": "続柄",
    "family_register": "本籍・筆頭者",
    "former_surname": "旧氏",
    "individual_number": "個人番号",
    "resident_code": "住民票コード",
    "foreign": "外国人住民の事項",
    "became_resident_on": "住民となった日",
    "address_set_on": "住所を定めた日",
    "electoral_roll": "選挙人名簿",
    "coverages": "被保険者資格等",
    "remarks": "備考",
    "memo": "メモ",
    "returning_as": "再転入（以前の宛名番号）",
    "alias": "通称",
    "hidden_from_other_systems": "他業務への提供をしない",
    "display_order": "世帯内の表示順",
    "history_number": "履歴番号",
    "move_out": "転出の予定",
    "removal_reason": "消除の事由",
    "removed_on": "消除日",
    "removal_event_date": "事由の生じた日",
    # items of the record as shown (a reading, a period kept)
    "name_kana": "フリガナ",
    "retained_until": "保存期間の満了日",
    # a foreign resident's items (ForeignResidentDetails)
    "nationality": "国籍・地域",
    "category": "外国人住民の区分",
    "became_foreign_resident_on": "外国人住民となった日",
    "residence_status": "在留資格",
    "period_of_stay": "在留期間等",
    "stay_expires_on": "在留期間の満了の日",
    "residence_card_number": "在留カード等の番号",
    "special_permanent_certificate_number": "特別永住者証明書の番号",
    "alien_registration_on": "外国人登録日",
    "aliases": "通称",
    # an address's parts (Address)
    "prefecture": "都道府県",
    "city": "市区町村",
    "town_area": "町字",
    "lot_text": "番地",
    "address_supplement": "方書",
    "town_code": "町字コード",
    "postcode": "郵便番号",
    "country": "国名",
    "overseas_text": "国外住所",
    "raw": "住所",
    # a name's parts (PersonName)
    "family": "氏",
    "given": "名",
    "family_kana": "氏のフリガナ",
    "given_kana": "名のフリガナ",
    "kana_confirmed": "フリガナ確認",
    "roman": "氏名（ローマ字）",
    # 本籍・筆頭者 (FamilyRegister)
    "domicile": "本籍",
    "head": "筆頭者",
}
"""Item name → label, for every owner that does not label the name its own way."""

OWN_LABELS: Final[Mapping[type, Mapping[str, str]]] = {
    MoveIn: {"members": "転入する方", "household_number": "転入先の世帯"},
    InTownMove: {"atena_numbers": "転居する方", "household_number": "転居先の世帯"},
    MoveOut: {"atena_numbers": "転出する方"},
    RecordMoveInNotice: {"atena_number": "転出した方"},
    HouseholdChange: {"atena_numbers": "世帯を移る方"},
    HouseholdMerge: {"relationships": "合併後の続柄"},
    Correct: {"reason": "修正の事由"},
    Notifier: {
        "kind": "届出人の区分",
        "name": "届出人の氏名",
        "address": "届出人の住所",
        "telephone": "届出人の電話番号",
        "relation": "異動する方との関係",
    },
    IdentityCheck: {"document": "本人確認の書類", "detail": "本人確認の補足"},
    Alias: {
        "name": "通称",
        "entered_on": "通称を記載した日",
        "entered_in": "通称を記載した市区町村",
        "deleted_on": "通称を削除した日",
        "deleted_in": "通称を削除した市区町村",
    },
    Coverage: {
        "kind": "資格の種類",
        "start_on": "資格を取得した日",
        "end_on": "資格を喪失した日",
        "number": "番号",
        "category": "種別",
        "category_changed_on": "種別が変わった日",
    },
    MoveOutDetails: {"filed_on": "転出の届出日", "special": "特例転出"},
    ResidentRecord: {"reason": "異動の事由"},
}
"""Owner → item name → label, where an item means something of its own in that owner."""


def item_label(owner: type | None, name: str) -> str | None:
    """The label of item ``name`` of ``owner`` (None: any owner); None if it has none."""
    if owner is not None:
        own = OWN_LABELS.get(owner)
        if own is not None and name in own:
            return own[name]
    return ITEM_LABELS.get(name)


def label_of(owner: type | None, name: str) -> str:
    """``item_label``, falling back to the name itself (never expected: a test finds it first)."""
    return item_label(owner, name) or name
