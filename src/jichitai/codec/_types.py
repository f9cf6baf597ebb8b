"""What kind of type a declared type is, and its readable name (no codec is built here)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any, Final

_Encoder = Callable[[Any], Any]
_Decoder = Callable[[Any], Any]

_NONE_TYPE: Final = type(None)
_STRING_WRAPPER_FIELDS: Final = frozenset({"value", "text"})


def _type_name(tp: Any) -> str:
    """A short readable name: ``tuple[AtenaNumber, ...]``, ``ResidentCode | None``."""
    if tp is None or tp is _NONE_TYPE:
        return "None"
    if tp is Ellipsis:
        return "..."
    if isinstance(tp, type):
        return tp.__qualname__
    members = _union_args(tp)
    if members is not None:
        if len(members) > 3:
            shown = " | ".join(_type_name(member) for member in members[:2])
            return f"{shown} | … ({len(members)} types)"
        return " | ".join(_type_name(member) for member in members)
    origin = typing.get_origin(tp)
    if isinstance(origin, type):
        args = ", ".join(_type_name(arg) for arg in typing.get_args(tp))
        return f"{origin.__qualname__}[{args}]"
    return repr(tp).replace("typing.", "")


def _is_json_value_type(cls: type) -> bool:
    return callable(getattr(cls, "to_json", None)) and callable(getattr(cls, "from_json", None))


def _init_fields(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.init]


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception as exc:  # NameError for an unresolvable forward reference, mostly
        raise TypeError(f"cannot resolve the type hints of {_type_name(cls)}: {exc}") from exc


def _string_wrapper_field(cls: type) -> dataclasses.Field[Any] | None:
    """The ``value``/``text`` field of a single-string wrapper dataclass, else ``None``."""
    if not dataclasses.is_dataclass(cls):
        return None
    fields = _init_fields(cls)
    if len(fields) != 1 or fields[0].name not in _STRING_WRAPPER_FIELDS:
        return None
    if _hints(cls).get(fields[0].name) is not str:
        return None
    return fields[0]


def _is_structural(tp: Any) -> bool:
    """A dataclass encoded field by field (not a value type, not a string wrapper)."""
    return (
        isinstance(tp, type)
        and dataclasses.is_dataclass(tp)
        and not issubclass(tp, Enum)
        and not _is_json_value_type(tp)
        and _string_wrapper_field(tp) is None
    )


def _enum_value_type(cls: type[Enum]) -> type:
    kinds = {type(member.value) for member in cls}
    if kinds == {str} or kinds == {int}:
        return kinds.pop()
    raise TypeError(f"enum {_type_name(cls)} needs all-str or all-int values to be encoded")


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(tp)
    return None
