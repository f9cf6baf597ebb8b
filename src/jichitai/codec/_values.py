"""Value types: enums, classes with ``to_json``/``from_json`` and single-string wrappers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from operator import attrgetter
from typing import Any

from jichitai.codec._errors import _bad_data, _failed, _wrong_type
from jichitai.codec._types import _Decoder, _Encoder, _enum_value_type


def _enum_codec(cls: type[Enum]) -> tuple[_Encoder, _Decoder]:
    value_type = _enum_value_type(cls)
    members = dict(cls._value2member_map_)
    name = cls.__qualname__

    def encode(value: Any) -> Any:
        if type(value) is cls:
            return value.value
        raise _wrong_type(name, value)

    def decode(data: Any) -> Any:
        if type(data) is value_type:
            try:
                return members[data]
            except KeyError:
                pass
        raise _bad_data(f"a value of {name}", data)

    return encode, decode


def _json_value_codec(cls: type) -> tuple[_Encoder, _Decoder]:
    name = cls.__qualname__
    to_json: Callable[[Any], Any] = getattr(cls, "to_json")  # noqa: B009 (not on `type`)
    from_json: Callable[[Any], Any] = getattr(cls, "from_json")  # noqa: B009

    def encode(value: Any) -> Any:
        if type(value) is cls:
            return to_json(value)
        raise _wrong_type(name, value)

    def decode(data: Any) -> Any:
        try:
            return from_json(data)
        except Exception as exc:
            raise _failed(f"{name}.from_json", exc) from exc

    return encode, decode


def _string_wrapper_codec(cls: type, field: dataclasses.Field[Any]) -> tuple[_Encoder, _Decoder]:
    name = cls.__qualname__
    get = attrgetter(field.name)
    keyword = field.kw_only is True
    field_name = field.name

    def encode(value: Any) -> Any:
        if type(value) is cls:
            return get(value)
        raise _wrong_type(name, value)

    def decode(data: Any) -> Any:
        if type(data) is not str:
            raise _bad_data(f"a string for {name}", data)
        try:
            return cls(**{field_name: data}) if keyword else cls(data)
        except Exception as exc:
            raise _failed(name, exc) from exc

    return encode, decode
