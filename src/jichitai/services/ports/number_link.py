"""Ports of the number links (番号連携, standard §7.1.2): the number-generation service reached
through the CS (J-LIS: 個人番号, 符号, 電子証明書のシリアル番号, 住民票コードの空きコード), and
the municipality's stock of free 住民票コード and record of what it obtained."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class NumberServiceUnreachable(Exception):
    """The number-generation service did not answer: try again later."""


class NumberServiceRefused(Exception):
    """The service refused the request (``code``, ``message``: its answer)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class NumberService(Protocol):
    """The national side (through the CS). Each call is one request and its answer."""

    def free_codes(self, municipality_code: str, count: int) -> Sequence[str]:
        """A block of unused 住民票コード for the municipality (§4.3.1)."""

    def change_number(self, municipality_code: str, resident_code: str) -> str:
        """A new 個人番号 for the holder of ``resident_code`` (番号変更, §7.1.2.1)."""

    def obtain(self, municipality_code: str, kind: str, resident_code: str) -> str:
        """The 符号 (``kind`` "fugo", §7.1.2.2) or the serial number of the 利用者証明用電子証明書
        (``kind`` "serial", §7.1.2.4) of the holder of ``resident_code``."""

    def healthy(self) -> bool:
        """Whether the service answers (住基ネットの稼働状況)."""

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class NumberLinkRecord:
    """One request to the number-generation service and its outcome, as the clerk lists it."""

    request_id: str
    atena_number: str
    kind: str
    status: str
    value: str
    error: str
    requested_at: datetime
    requested_by: str


class NumberLinkRepository(Protocol):
    """The municipality's stock of free 住民票コード and its number-link records, in the unit of
    work's transaction."""

    def stock_size(self) -> int: ...

    def stock_add(self, codes: Sequence[str], at: datetime) -> int:
        """Add codes not already in stock; how many were added."""

    def stock_take(self, code: str) -> bool:
        """Remove ``code`` from the stock; False when another transaction took it first."""

    def stock_code_at(self, index: int) -> str | None:
        """The stock's ``index``-th code in code order (a random draw picks the index)."""

    def stock_batches(self) -> Sequence[tuple[datetime, int, str, str]]:
        """The stock by when it was taken in: (received at, how many are left, the lowest and
        the highest code), oldest first."""

    def add_record(self, record: NumberLinkRecord) -> None: ...

    def records(self, atena_number: str | None) -> Sequence[NumberLinkRecord]:
        """The records (of one person), oldest first."""
