"""Subscribers: the business systems (個人住民税, 国民健康保険, 児童手当, 選挙 …) that receive
resident data, each for one municipality and only the items its duty needs.

The items are the standard item names of the data migration layout's 住民 file, so a vendor
reads the same names in a migration file, a query answer, a feed entry and a webhook. The My
Number (個人番号) is one of them, and only a subscriber whose duty the number law lists
(番号法 別表) may hold it: that is declared when it is registered and checked here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.inbound.text import SUBSCRIBER_NAME
from jichitai.domain.integration.destinations import parse_webhook_url

MY_NUMBER_ITEM = "個人番号"
"""The item only a subscriber whose duty allows the My Number may receive."""

SUPPORT_ITEM = "支援措置対象フラグ"
"""Not an item of the layout's 住民 file: "1" while the person is under 支援措置 or 仮支援措置.
The standard has the 支援対象者 data go with the resident data (§7.2.3 (1190)) so that the
receiving system protects the person as well."""

KEY_ITEMS: tuple[str, ...] = ("宛名番号", "世帯番号")
"""Items every subscriber receives: without them no change can be matched to a person."""

BUSINESS_SYSTEMS: dict[str, str] = {
    "individual_resident_tax": "個人住民税",
    "fixed_asset_tax": "固定資産税",
    "light_vehicle_tax": "軽自動車税",
    "national_health_insurance": "国民健康保険",
    "late_stage_elderly_medical": "後期高齢者医療",
    "long_term_care": "介護保険",
    "national_pension": "国民年金",
    "child_allowance": "児童手当",
    "child_rearing_allowance": "児童扶養手当",
    "elections": "選挙",
    "public_assistance": "生活保護",
    "disability_welfare": "障害者福祉",
    "school_enrollment": "就学",
    "health_care": "健康管理",
    "integrated_address": "団体内統合宛名",
    "other": "その他",
}
"""The business systems of the 20 standardised areas (and ``other``), by code."""

MAX_NAME_LENGTH = SUBSCRIBER_NAME.max_length

DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
"""How long the old webhook secret keeps signing after a rotation, unless told otherwise."""
MAX_ROTATION_OVERLAP = timedelta(days=30)
"""The longest rotation window: an old secret must not live on indefinitely."""


def checked_overlap(hours: float) -> timedelta:
    """A rotation window of ``hours`` (0 retires the old secret at once), at most 30 days."""
    if not 0 <= hours <= MAX_ROTATION_OVERLAP.total_seconds() / 3600:
        raise DomainError(
            Violation(
                "subscriber.rotation_overlap_invalid",
                "旧い署名鍵を併用する時間は0時間以上"
                f"{int(MAX_ROTATION_OVERLAP.total_seconds() // 3600)}時間以内で指定してください",
                "overlap_hours",
            )
        )
    return timedelta(hours=hours)


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A business system registered to receive one municipality's resident data.

    ``key_hash`` is the SHA-256 of its API key (the key itself is shown once, when issued);
    ``webhook_secret`` signs its deliveries and is kept, as HMAC needs it on every delivery.
    During a rotation of the secret, ``previous_webhook_secret`` signs too, until
    ``previous_secret_until`` (or until it is retired explicitly).
    """

    municipality_code: str
    subscriber_id: str
    name: str
    system: str
    items: tuple[str, ...]
    my_number_allowed: bool
    key_hash: str
    webhook_url: str | None
    webhook_secret: str | None
    disabled: bool
    created_at: datetime
    updated_at: datetime
    previous_webhook_secret: str | None = None
    previous_secret_until: datetime | None = None
    withheld_duties: tuple[str, ...] = ()
    """The duties (business-system codes) for which the administrator lets this subscriber
    still receive withheld persons' items (e.g. ``elections``: protected persons stay on the
    election roll, with restricted inspection). Empty: withheld persons are only named."""

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets a delivery at ``now`` is signed with: the current one first, then the
        previous one while its rotation window is open."""
        if not self.webhook_secret:
            return ()
        if (
            self.previous_webhook_secret
            and self.previous_secret_until is not None
            and now < self.previous_secret_until
        ):
            return (self.webhook_secret, self.previous_webhook_secret)
        return (self.webhook_secret,)

    @property
    def system_label(self) -> str:
        return BUSINESS_SYSTEMS.get(self.system, self.system)

    @property
    def login(self) -> str:
        """How the access log names the subscriber (never a staff login: those have no colon)."""
        return f"subscriber:{self.subscriber_id}"

    def may_receive(self, item: str) -> bool:
        return item in self.items and (item != MY_NUMBER_ITEM or self.my_number_allowed)


def checked_items(
    requested: Iterable[str], known: Sequence[str], *, my_number_allowed: bool
) -> tuple[str, ...]:
    """The items a subscriber is registered for, in the layout's order, key items included.

    Refuses (every fault at once) a name that is not an item of the layout, and the My Number
    for a subscriber whose duty does not allow it.
    """
    known = (*known, SUPPORT_ITEM)
    wanted = {item.strip() for item in requested if item.strip()}
    problems = [
        Violation(
            "subscriber.unknown_item",
            f"項目「{item}」は中間標準レイアウトの住民ファイルにありません",
            "items",
        )
        for item in sorted(wanted - set(known))
    ]
    if MY_NUMBER_ITEM in wanted and not my_number_allowed:
        problems.append(
            Violation(
                "subscriber.my_number_not_allowed",
                "個人番号は番号法で利用が認められた事務の連携先にだけ提供できます"
                "（個人番号の利用を認める指定がありません）",
                "items",
            )
        )
    if problems:
        raise DomainError(*problems)
    wanted.update(KEY_ITEMS)
    return tuple(item for item in known if item in wanted)


def checked_withheld_duties(duties: Iterable[str], subscriber: Subscriber) -> tuple[str, ...]:
    """The duties as stored (known business-system codes, sorted, no repeats), once the
    subscriber receives ``SUPPORT_ITEM``: a system that keeps protected persons must
    know who is under 支援措置 to restrict inspection. Every fault is told at once."""
    wanted = sorted({d.strip() for d in duties if d.strip()})
    problems = [
        Violation(
            "subscriber.unknown_system",
            f"業務「{d}」は指定できません（{', '.join(BUSINESS_SYSTEMS)} のいずれか）",
            "duties",
        )
        for d in wanted
        if d not in BUSINESS_SYSTEMS
    ]
    if wanted and not subscriber.may_receive(SUPPORT_ITEM):
        problems.append(
            Violation(
                "subscriber.support_item_required",
                f"提供を止められた者を受け取る連携先は「{SUPPORT_ITEM}」も受け取る必要があります"
                "（閲覧制限のため）",
                "duties",
            )
        )
    if problems:
        raise DomainError(*problems)
    return tuple(wanted)


def checked_registration(name: str, system: str, webhook_url: str | None) -> str:
    """The name as stored (trimmed), once it is neither empty nor refused by the text rules of
    its item (``SUBSCRIBER_NAME``: characters, length), the business system is known and the
    webhook URL has a form that is allowed (``destinations.parse_webhook_url``; where it leads
    is judged by the service, which resolves the host). Every fault is told at once."""
    problems: list[Violation] = []
    try:
        checked = SUBSCRIBER_NAME.read(name, "name")
    except DomainError as error:
        problems.extend(error.violations)
        checked = ""
    else:
        if not checked:
            problems.append(
                Violation(
                    "subscriber.name_invalid",
                    f"連携先の名称は1文字以上{MAX_NAME_LENGTH}文字以内で指定してください",
                    "name",
                )
            )
    if system not in BUSINESS_SYSTEMS:
        problems.append(
            Violation(
                "subscriber.unknown_system",
                f"業務「{system}」は登録できません（{', '.join(BUSINESS_SYSTEMS)} のいずれか）",
                "system",
            )
        )
    if webhook_url is not None:
        try:
            parse_webhook_url(webhook_url)
        except DomainError as error:
            problems.extend(error.violations)
    if problems:
        raise DomainError(*problems)
    return checked
