"""Encoding by runtime type: ``to_primitive`` of an arbitrary value."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any

from jichitai.codec._containers import _locate, _sorted
from jichitai.codec._errors import _PathError
from jichitai.codec._registry import _REGISTRY, _encoder
from jichitai.codec._scalars import _SCALARS
from jichitai.codec._types import _Encoder, _type_name


def _dynamic_encoder(runtime_type: type) -> _Encoder:
    encoder: _Encoder = _REGISTRY.get("dynamic", runtime_type, _build_dynamic_encoder)
    return encoder


def _encode_dynamic(value: Any) -> Any:
    return _dynamic_encoder(type(value))(value)


def _encode_dynamic_list(value: Any) -> Any:
    try:
        return [_encode_dynamic(item) for item in value]
    except _PathError as error:
        _locate(error, _encode_dynamic, value)
        raise


def _encode_dynamic_set(value: Any) -> Any:
    try:
        return _sorted([_encode_dynamic(item) for item in value])
    except _PathError as error:
        _locate(error, _encode_dynamic, sorted(value, key=repr))
        raise


def _encode_dynamic_key(key: Any) -> str:
    encoded = _encode_dynamic(key)
    if type(encoded) is not str:
        raise _PathError(TypeError, f"mapping key {key!r} does not encode to a string")
    return encoded


def _encode_dynamic_mapping(value: Any) -> Any:
    out = {}
    for key, item in value.items():
        try:
            out[_encode_dynamic_key(key)] = _encode_dynamic(item)
        except _PathError as error:
            error.path.append(f"[{key!r}]")
            raise
    return out


def _build_dynamic_encoder(runtime_type: type) -> _Encoder:
    if runtime_type in _SCALARS or (
        isinstance(runtime_type, type)
        and (issubclass(runtime_type, Enum) or dataclasses.is_dataclass(runtime_type))
    ):
        return _encoder(runtime_type)
    if issubclass(runtime_type, tuple | list):
        return _encode_dynamic_list
    if issubclass(runtime_type, frozenset | set):
        return _encode_dynamic_set
    if issubclass(runtime_type, Mapping):
        return _encode_dynamic_mapping
    raise TypeError(f"cannot encode values of type {_type_name(runtime_type)}")
