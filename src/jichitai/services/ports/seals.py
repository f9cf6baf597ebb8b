"""Ports of 印鑑登録: the seal journal and registrations in a unit of work, and the reader that
measures a seal's image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from jichitai.domain.seals.events import SealEvent
from jichitai.domain.seals.registration import SealRegistration

if TYPE_CHECKING:  # a measured image is the seal service's value
    from jichitai.services.seals import MeasuredSeal


class SealRepository(Protocol):
    """The municipality's 印鑑登録 (seal journal and registrations) within a unit of work."""

    def head(self) -> tuple[int, str]:
        """The seal journal's last (seq, hash), locked until the unit of work ends."""

    def new_registration_number(self) -> str: ...

    def append(
        self, event: SealEvent, registration: SealRegistration, image_png: bytes | None = None
    ) -> None:
        """The event, and the registration as it leaves it (a new one needs its image)."""

    def get(self, registration_number: str) -> SealRegistration | None: ...

    def active(self, atena_number: str) -> SealRegistration | None: ...

    def registrations(self, atena_number: str) -> Sequence[SealRegistration]:
        """Every registration the person ever had, newest first."""

    def image(self, registration_number: str) -> bytes | None: ...

    def events(
        self, *, registration_number: str | None = None, atena_number: str | None = None
    ) -> Sequence[SealEvent]: ...


class SealImageReader(Protocol):
    def __call__(self, data: bytes) -> MeasuredSeal:
        """Measure the image; refuse (``seal.image_*``) what cannot be measured."""
