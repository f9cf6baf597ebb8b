"""``str``, ``int``, ``bool``, ``float``, ``None``, ``date`` and ``datetime``."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Final

from jichitai.codec._errors import _bad_data, _PathError, _wrong_type
from jichitai.codec._types import _NONE_TYPE, _Decoder, _Encoder


def _encode_str(value: Any) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    raise _wrong_type("str", value)


def _decode_str(data: Any) -> Any:
    if type(data) is str:
        return data
    raise _bad_data("a string", data)


def _encode_int(value: Any) -> Any:
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise _wrong_type("int", value)


def _decode_int(data: Any) -> Any:
    if type(data) is int:
        return data
    raise _bad_data("an integer", data)


def _encode_bool(value: Any) -> Any:
    if type(value) is bool:
        return value
    raise _wrong_type("bool", value)


def _decode_bool(data: Any) -> Any:
    if type(data) is bool:
        return data
    raise _bad_data("a boolean", data)


def _encode_float(value: Any) -> Any:
    if type(value) is float or (isinstance(value, int | float) and not isinstance(value, bool)):
        number = float(value)
        if math.isfinite(number):
            return number
        raise _PathError(ValueError, f"cannot encode the non-finite float {number!r}")
    raise _wrong_type("float", value)


def _decode_float(data: Any) -> Any:
    if (type(data) is float and math.isfinite(data)) or type(data) is int:
        return float(data)
    raise _bad_data("a finite number", data)


def _encode_none(value: Any) -> Any:
    if value is None:
        return None
    raise _wrong_type("None", value)


def _decode_none(data: Any) -> Any:
    if data is None:
        return None
    raise _bad_data("null", data)


def _encode_date(value: Any) -> Any:
    if type(value) is date:
        return value.isoformat()
    raise _wrong_type("date", value)


def _decode_date(data: Any) -> Any:
    if type(data) is str and len(data) == 10 and data[4] == "-" and data[7] == "-":
        try:
            return date.fromisoformat(data)
        except ValueError:
            pass
    raise _bad_data("an ISO date 'YYYY-MM-DD'", data)


def _encode_datetime(value: Any) -> Any:
    if not isinstance(value, datetime):
        raise _wrong_type("datetime", value)
    if value.utcoffset() is None:
        raise _PathError(TypeError, f"refusing a naive datetime {value.isoformat()!r}")
    return value.isoformat()


def _decode_datetime(data: Any) -> Any:
    if type(data) is str:
        try:
            parsed = datetime.fromisoformat(data)
        except ValueError:
            pass
        else:
            if parsed.utcoffset() is not None:
                return parsed
    raise _bad_data("an ISO 8601 date-time with a UTC offset", data)


_SCALARS: Final[dict[Any, tuple[_Encoder, _Decoder]]] = {
    str: (_encode_str, _decode_str),
    int: (_encode_int, _decode_int),
    bool: (_encode_bool, _decode_bool),
    float: (_encode_float, _decode_float),
    None: (_encode_none, _decode_none),
    _NONE_TYPE: (_encode_none, _decode_none),
    date: (_encode_date, _decode_date),
    datetime: (_encode_datetime, _decode_datetime),
}
