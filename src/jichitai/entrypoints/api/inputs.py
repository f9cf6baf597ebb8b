"""Checks on free input that no pydantic type expresses: control characters, sizes, header values.

A change command is decoded by the one inbound decoder every door uses
(``services/inbound.py::decode_change``), not here."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from jichitai.domain.errors import invalid

MAX_TEXT = 2000
_ALLOWED_CONTROLS = frozenset("\n")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,100}")


def _bad_text(value: str) -> str | None:
    if len(value) > MAX_TEXT:
        return "long"
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs") and ch not in _ALLOWED_CONTROLS:
            return "control"
    return None


def check_strings(value: Any, path: str = "") -> None:
    """Refuse control characters (but line feeds) and over-long strings anywhere in a body."""
    if isinstance(value, str):
        fault = _bad_text(value)
        if fault == "long":
            raise invalid("input.too_long", f"{MAX_TEXT}文字以内で入力してください", path or "body")
        if fault == "control":
            raise invalid("input.control_character", "制御文字は入力できません", path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_strings(str(key), path)
            check_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_strings(item, f"{path}[{index}]")


def query_text(value: str, field: str, max_length: int = 200) -> str:
    if len(value) > max_length:
        raise invalid("input.too_long", f"{max_length}文字以内で入力してください", field)
    check_strings(value, field)
    return value


def idempotency_key_of(value: str | None) -> str | None:
    """The ``Idempotency-Key`` header: 1-100 printable ASCII characters, or none."""
    if value is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(value):
        raise invalid(
            "request.invalid_idempotency_key",
            "Idempotency-Key は100文字以内の半角英数記号で指定してください",
            "Idempotency-Key",
        )
    return value
