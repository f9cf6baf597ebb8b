"""The encoder and decoder of a declared type: which codec builds them."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any

from jichitai.codec._containers import (
    _fixed_tuple_codec,
    _mapping_codec,
    _sequence_codec,
    _set_codec,
    _union_codec,
)
from jichitai.codec._plans import _class_plan
from jichitai.codec._registry import _decoder, _encoder
from jichitai.codec._scalars import _SCALARS
from jichitai.codec._types import (
    _Decoder,
    _Encoder,
    _is_json_value_type,
    _string_wrapper_field,
    _type_name,
    _union_args,
)
from jichitai.codec._values import _enum_codec, _json_value_codec, _string_wrapper_codec


def _codec(tp: Any) -> tuple[_Encoder, _Decoder]:
    scalar = _SCALARS.get(tp) if isinstance(tp, type) or tp is None else None
    if scalar is not None:
        return scalar
    if isinstance(tp, type):
        if issubclass(tp, Enum):
            return _enum_codec(tp)
        if _is_json_value_type(tp):
            return _json_value_codec(tp)
        wrapped = _string_wrapper_field(tp)
        if wrapped is not None:
            return _string_wrapper_codec(tp, wrapped)
        if dataclasses.is_dataclass(tp):
            plan = _class_plan(tp)
            return plan.encode, plan.decode
        raise TypeError(f"cannot encode values of type {_type_name(tp)}")
    union = _union_args(tp)
    if union is not None:
        return _union_codec(union)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _encoder(args[0]), _decoder(args[0])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence_codec(args[0], tuple)
    if origin is tuple and args:
        return _fixed_tuple_codec(() if args == ((),) else args)
    if origin is list and len(args) == 1:
        return _sequence_codec(args[0], list)
    if origin is frozenset and len(args) == 1:
        return _set_codec(args[0], frozenset)
    if origin is set and len(args) == 1:
        return _set_codec(args[0], set)
    if origin in (dict, Mapping) and len(args) == 2:
        return _mapping_codec(args[0], args[1])
    raise TypeError(f"cannot encode values of type {_type_name(tp)}")
