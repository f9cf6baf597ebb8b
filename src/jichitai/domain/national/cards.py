"""The cards of a person as the card management system (J-LIS カード管理システム) reports them
(standard §7.1.1.3 (1110)): 個人番号カード and 住基カード, their status, and whether the person
holds a card (所有しているかどうか)."""

from __future__ import annotations

from datetime import date

CARD_LABELS = {"my_number": "個人番号カード", "juki": "住基カード"}
STATUS_LABELS = {
    "applied": "交付申請中",
    "issued": "発行済（未交付）",
    "delivered": "交付済",
    "suspended": "一時停止",
    "revoked": "廃止",
    "returned": "返納",
}
HELD = frozenset({"delivered", "suspended"})
"""Statuses in which the card is in the person's hands (a suspended card is still held)."""


def holds(status: str, expires_on: date | None, today: date) -> bool:
    """Whether the person holds the card: handed to her, not given back or revoked, not
    expired."""
    return status in HELD and (expires_on is None or expires_on >= today)
