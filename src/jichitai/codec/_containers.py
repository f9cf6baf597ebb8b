"""Sequences, fixed tuples, sets, mappings and unions of declared item types."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Final

from jichitai.codec._errors import _bad_data, _PathError, _wrong_type
from jichitai.codec._plans import _tagged_union
from jichitai.codec._registry import _decoder, _encoder
from jichitai.codec._scalars import _SCALARS, _decode_float, _encode_float
from jichitai.codec._types import (
    _NONE_TYPE,
    _Decoder,
    _Encoder,
    _enum_value_type,
    _is_structural,
    _string_wrapper_field,
    _type_name,
)


def _sequence_codec(
    item_tp: Any, container: type[tuple[Any, ...]] | type[list[Any]]
) -> tuple[_Encoder, _Decoder]:
    encode_item = _encoder(item_tp)
    decode_item = _decoder(item_tp)
    expected = f"{container.__name__}[{_type_name(item_tp)}, ...]"

    def encode(value: Any) -> Any:
        if not isinstance(value, container):
            raise _wrong_type(expected, value)
        try:
            return [encode_item(item) for item in value]
        except _PathError as error:
            _locate(error, encode_item, value)
            raise

    def decode(data: Any) -> Any:
        if type(data) is not list:
            raise _bad_data("a list", data)
        try:
            return container(decode_item(item) for item in data)
        except _PathError as error:
            _locate(error, decode_item, data)
            raise

    return encode, decode


def _fixed_tuple_codec(item_tps: tuple[Any, ...]) -> tuple[_Encoder, _Decoder]:
    encoders = tuple(_encoder(tp) for tp in item_tps)
    decoders = tuple(_decoder(tp) for tp in item_tps)
    size = len(item_tps)

    def encode(value: Any) -> Any:
        if not isinstance(value, tuple) or len(value) != size:
            raise _wrong_type(f"a tuple of {size}", value)
        out = []
        for index, (encode_item, item) in enumerate(zip(encoders, value, strict=True)):
            try:
                out.append(encode_item(item))
            except _PathError as error:
                error.path.append(f"[{index}]")
                raise
        return out

    def decode(data: Any) -> Any:
        if type(data) is not list or len(data) != size:
            raise _bad_data(f"a list of {size}", data)
        out = []
        for index, (decode_item, item) in enumerate(zip(decoders, data, strict=True)):
            try:
                out.append(decode_item(item))
            except _PathError as error:
                error.path.append(f"[{index}]")
                raise
        return tuple(out)

    return encode, decode


def _locate(error: _PathError, function: Callable[[Any], Any], items: Any) -> None:
    """Add the index of the item that fails ``function`` (the slow path of an error)."""
    for index, item in enumerate(items):
        try:
            function(item)
        except _PathError:
            error.path.append(f"[{index}]")
            return


def _sort_key(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sorted(items: list[Any]) -> list[Any]:
    try:
        items.sort()
    except TypeError:  # mixed or unorderable encodings (objects): order by canonical text
        items.sort(key=_sort_key)
    return items


def _set_codec(
    item_tp: Any, container: type[frozenset[Any]] | type[set[Any]]
) -> tuple[_Encoder, _Decoder]:
    encode_item = _encoder(item_tp)
    decode_item = _decoder(item_tp)
    expected = f"{container.__name__}[{_type_name(item_tp)}]"

    def encode(value: Any) -> Any:
        if not isinstance(value, container):
            raise _wrong_type(expected, value)
        try:
            return _sorted([encode_item(item) for item in value])
        except _PathError as error:
            _locate(error, encode_item, sorted(value, key=repr))
            raise

    def decode(data: Any) -> Any:
        if type(data) is not list:
            raise _bad_data("a list", data)
        try:
            return container(decode_item(item) for item in data)
        except _PathError as error:
            _locate(error, decode_item, data)
            raise

    return encode, decode


def _mapping_codec(key_tp: Any, value_tp: Any) -> tuple[_Encoder, _Decoder]:
    if not (
        key_tp is str
        or (
            isinstance(key_tp, type)
            and issubclass(key_tp, Enum)
            and _enum_value_type(key_tp) is str
        )
        or (isinstance(key_tp, type) and _string_wrapper_field(key_tp) is not None)
    ):
        raise TypeError(
            f"mapping keys must be str, a string enum or a string value type, "
            f"not {_type_name(key_tp)}"
        )
    encode_key = _encoder(key_tp)
    decode_key = _decoder(key_tp)
    encode_item = _encoder(value_tp)
    decode_item = _decoder(value_tp)

    def encode(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _wrong_type("a mapping", value)
        out = {}
        for key, item in value.items():
            try:
                out[encode_key(key)] = encode_item(item)
            except _PathError as error:
                error.path.append(f"[{key!r}]")
                raise
        return out

    def decode(data: Any) -> Any:
        if type(data) is not dict:
            raise _bad_data("an object", data)
        out = {}
        for key, item in data.items():
            try:
                out[decode_key(key)] = decode_item(item)
            except _PathError as error:
                error.path.append(f"[{key!r}]")
                raise
        return out

    return encode, decode


def _optional_codec(inner: tuple[_Encoder, _Decoder]) -> tuple[_Encoder, _Decoder]:
    encode_inner, decode_inner = inner

    def encode(value: Any) -> Any:
        return None if value is None else encode_inner(value)

    def decode(data: Any) -> Any:
        return None if data is None else decode_inner(data)

    return encode, decode


_SCALAR_UNION_ORDER: Final = (bool, int, float, str)


def _scalar_union_codec(members: tuple[Any, ...]) -> tuple[_Encoder, _Decoder]:
    allowed = frozenset(members)
    expected = " | ".join(m.__name__ for m in _SCALAR_UNION_ORDER if m in allowed)

    def encode(value: Any) -> Any:
        kind = type(value)
        if kind in allowed:
            return _SCALARS[kind][0](value)
        if kind is int and float in allowed:
            return _encode_float(value)
        raise _wrong_type(expected, value)

    def decode(data: Any) -> Any:
        kind = type(data)
        if kind in allowed:
            return _SCALARS[kind][1](data)
        if kind is int and float in allowed:
            return _decode_float(data)
        raise _bad_data(expected, data)

    return encode, decode


def _union_codec(args: tuple[Any, ...]) -> tuple[_Encoder, _Decoder]:
    members = tuple(arg for arg in args if arg is not _NONE_TYPE)
    if len(members) == 1:
        inner = _encoder(members[0]), _decoder(members[0])
    elif all(_is_structural(member) for member in members):
        union = _tagged_union(members)
        inner = union.encode, union.decode
    elif all(member in _SCALAR_UNION_ORDER for member in members):
        inner = _scalar_union_codec(members)
    else:
        names = " | ".join(_type_name(arg) for arg in args)
        raise TypeError(
            f"cannot encode the union {names}: only X | None, unions of dataclasses and unions "
            "of str/int/float/bool are supported"
        )
    return _optional_codec(inner) if len(members) < len(args) else inner
