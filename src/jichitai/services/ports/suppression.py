"""Ports of suppressions (抑止) and DV support measures (支援措置): where their settings are kept."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Protocol

from jichitai.domain.access.suppression import Suppression


class SuppressionRepository(Protocol):
    """One municipality's suppression settings within a unit of work
    (``UnitOfWork.suppressions``)."""

    def add(self, setting: Suppression) -> None: ...

    def get(self, suppression_id: str) -> Suppression | None: ...

    def update(self, setting: Suppression, *, expected_version: int) -> None:
        """Replace the stored setting, whose version must still be ``expected_version``
        (``setting.version`` is the new one); otherwise raise ``ConflictError``."""

    def for_targets(
        self,
        atena_numbers: Collection[str],
        household_numbers: Collection[str],
        *,
        include_lifted: bool = False,
    ) -> Sequence[Suppression]:
        """The settings on any of these persons or households, in one query, oldest first."""

    def person_exists(self, atena_number: str) -> bool:
        """The person is on the register (resident or removed, 除票 included)."""

    def household_exists(self, household_number: str) -> bool: ...

    def due_feed(self, on: date) -> Sequence[Suppression]:
        """The settings not lifted whose ``starts_on`` is on or before ``on`` and whose
        beginning the feed has not yet been told (``services/protection.py``), oldest first."""

    def mark_feed_told(self, suppression_id: str, seq: int) -> None:
        """Record that the setting's beginning was told by the journal entry ``seq`` (0: there
        was nothing to tell: it concerns no feed, or nobody)."""
