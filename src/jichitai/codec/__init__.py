"""A typed codec between the register's frozen dataclasses and JSON-compatible values.

The journal stores full snapshots (``ResidentRecord``), command drafts and the hash chain through
this module. ``to_primitive`` turns a value into dicts, lists, strings, numbers, booleans and
``None``; ``from_primitive`` rebuilds the typed value from the declared type. ``canonical_json``
is the byte-stable text that is hashed.

Mapping of types (the declared type drives decoding, so nothing but the tag of a union is stored
about types):

* dataclass: an object of its ``init`` fields by name. A field whose value equals its default
  (or what its ``default_factory`` returns) is **omitted**; decoding leaves it out of the
  constructor call, so the dataclass restores it. Unknown keys and missing required keys are
  errors. Fields with ``init=False`` are derived and not stored.
* value types with ``to_json()`` / classmethod ``from_json()`` (``RecordDate``, ``PersonName``,
  ``Address`` …): whatever those return / accept.
* single-string wrappers: a dataclass whose only ``init`` field is ``value: str`` or ``text: str``
  (``AtenaNumber``, ``ResidentCode``, ``Relationship``, ``MunicipalityCode`` …) is the plain
  string. Decoding calls the constructor (``cls(value)``), **not** ``parse``: stored values were
  validated when they were entered, and the constructor's own invariant checks still run. In
  particular a ``ResidentCode`` is not re-checked against a check-digit rule (as
  ``ResidentCode.parse(..., rule=RESIDENT_CODE_UNCHECKED)``), and a ``Relationship`` is rebuilt as
  ``Relationship(text)`` without re-parsing.
* ``Enum`` with all-``str`` or all-``int`` values (``StrEnum`` in practice): the value.
* ``str``, ``int``, ``bool``, ``float`` (finite only), ``None``: themselves.
* ``datetime.date``: ``"YYYY-MM-DD"``; ``datetime.datetime``: ISO 8601 with its UTC offset; naive
  datetimes are refused. Decoding gives a fixed-offset ``timezone`` (equal as an instant).
* ``tuple[X, ...]``, ``tuple[X, Y]``, ``list[X]``: a list. ``frozenset[X]``, ``set[X]``: a list
  sorted by the encoded items (so the output does not depend on set iteration order).
* ``Mapping[K, X]`` / ``dict[K, X]`` with ``K`` a ``str``, a string enum or a string wrapper: an
  object (decoded as a ``dict``).
* ``X | None``: ``None`` or the encoding of ``X``.
* a union of several dataclasses (``ChangeCommand``): ``{"type": <class name>, ...fields}``; see
  :func:`encode_tagged` / :func:`decode_tagged`. A union of scalars (``int | str``) is decoded by
  the JSON type. Other unions are refused.

Errors: an unsupported type (at any depth) or a value that does not match its declared type is a
``TypeError`` when encoding; bad data is a ``ValueError`` when decoding. Both name the path at
fault, e.g. ``ResidentRecord.foreign.aliases[0].entered_on: expected an ISO date …``.

Speed: type hints are resolved once per class (``typing.get_type_hints``) into an encode/decode
plan that is cached; plans are built under a lock and published only when complete, so the codec
is safe to use from several threads.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from operator import attrgetter
from typing import Any, Final, TypeVar, overload

__all__ = [
    "TAG",
    "canonical_json",
    "decode_tagged",
    "encode_tagged",
    "from_primitive",
    "to_primitive",
]

T = TypeVar("T")

TAG: Final = "type"
"""The key naming the class of a tagged-union value."""

_Encoder = Callable[[Any], Any]
_Decoder = Callable[[Any], Any]

_NONE_TYPE: Final = type(None)
_STRING_WRAPPER_FIELDS: Final = frozenset({"value", "text"})


# -- errors ------------------------------------------------------------------------------------


class _PathError(Exception):
    """Raised inside the codec; containers add their path segment on the way out."""

    def __init__(self, kind: type[Exception], reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.path: list[str] = []  # innermost segment first

    def public(self, root: str) -> Exception:
        return self.kind(f"{root}{''.join(reversed(self.path))}: {self.reason}")


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


def _wrong_type(expected: str, value: object) -> _PathError:
    return _PathError(TypeError, f"expected {expected}, got {type(value).__qualname__}")


def _bad_data(expected: str, data: object) -> _PathError:
    shown = repr(data)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return _PathError(ValueError, f"expected {expected}, got {shown}")


def _failed(action: str, exc: Exception) -> _PathError:
    error = _PathError(ValueError, f"{action} failed: {type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error


# -- plan caches -------------------------------------------------------------------------------


class _Registry:
    """Caches of encoders and decoders by declared type; built under a lock, published whole.

    A dataclass plan registers itself before its fields are planned (so recursive types work);
    everything built during one outermost call is published together once all of it is
    complete, so another thread never sees a half-built plan.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.depth = 0
        self.published: dict[tuple[str, Any], Any] = {}
        self.staged: dict[tuple[str, Any], Any] = {}

    def get(self, kind: str, key: Any, build: Callable[[Any], Any]) -> Any:
        cache_key = (kind, key)
        try:
            return self.published[cache_key]
        except KeyError:
            pass
        except TypeError:  # an unhashable annotation (e.g. Annotated metadata)
            raise TypeError(f"cannot encode values of type {_type_name(key)}") from None
        with self.lock:
            found = self.published.get(cache_key, self.staged.get(cache_key))
            if found is not None:
                return found
            self.depth += 1
            try:
                built = build(key)
                self.staged[cache_key] = built
            except BaseException:
                self.depth -= 1
                if self.depth == 0:
                    self.staged.clear()
                raise
            self.depth -= 1
            if self.depth == 0:
                self.published.update(self.staged)
                self.staged.clear()
            return built

    def stage(self, kind: str, key: Any, value: Any) -> None:
        """Make ``value`` visible to the build in progress (this thread holds the lock)."""
        self.staged[(kind, key)] = value


_REGISTRY: Final = _Registry()


def _encoder(tp: Any) -> _Encoder:
    encoder: _Encoder = _REGISTRY.get("encode", tp, _build_encoder)
    return encoder


def _decoder(tp: Any) -> _Decoder:
    decoder: _Decoder = _REGISTRY.get("decode", tp, _build_decoder)
    return decoder


def _class_plan(cls: type) -> _ClassPlan:
    plan: _ClassPlan = _REGISTRY.get("plan", cls, _ClassPlan.build)
    return plan


def _dynamic_encoder(runtime_type: type) -> _Encoder:
    encoder: _Encoder = _REGISTRY.get("dynamic", runtime_type, _build_dynamic_encoder)
    return encoder


# -- type classification -----------------------------------------------------------------------


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


# -- scalars -----------------------------------------------------------------------------------


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


# -- value types -------------------------------------------------------------------------------


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


# -- dataclasses -------------------------------------------------------------------------------


_NO_DEFAULT: Final = object()


class _ClassPlan:
    """How one dataclass is encoded and decoded, field by field."""

    __slots__ = (
        "cls",
        "decoders",
        "encode_fields",
        "getter",
        "name",
        "required",
    )

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.name = cls.__qualname__
        self.encode_fields: tuple[tuple[str, _Encoder, Any], ...] = ()
        self.decoders: dict[str, _Decoder] = {}
        self.required: frozenset[str] = frozenset()
        self.getter: Callable[[Any], tuple[Any, ...]] = lambda _: ()

    @staticmethod
    def build(cls: type) -> _ClassPlan:
        if not _is_structural(cls):
            raise TypeError(f"{_type_name(cls)} is not a dataclass encoded field by field")
        plan = _ClassPlan(cls)
        _REGISTRY.stage("plan", cls, plan)  # visible to recursive fields
        hints = _hints(cls)
        fields = _init_fields(cls)
        encode_fields: list[tuple[str, _Encoder, Any]] = []
        required: set[str] = set()
        for field in fields:
            hint = hints[field.name]
            try:
                encoder = _encoder(hint)
                decoder = _decoder(hint)
            except TypeError as exc:
                raise TypeError(f"{plan.name}.{field.name}: {exc}") from exc
            if field.default is not dataclasses.MISSING:
                default: Any = field.default
            elif field.default_factory is not dataclasses.MISSING:
                default = field.default_factory()
            else:
                default = _NO_DEFAULT
                required.add(field.name)
            encode_fields.append((field.name, encoder, default))
            plan.decoders[field.name] = decoder
        plan.encode_fields = tuple(encode_fields)
        plan.required = frozenset(required)
        names = [field.name for field in fields]
        if len(names) == 1:
            single = attrgetter(names[0])
            plan.getter = lambda obj: (single(obj),)
        elif names:
            plan.getter = attrgetter(*names)
        return plan

    def encode(self, obj: Any) -> dict[str, Any]:
        if type(obj) is not self.cls:
            raise _wrong_type(self.name, obj)
        out: dict[str, Any] = {}
        for (name, encode, default), value in zip(
            self.encode_fields, self.getter(obj), strict=True
        ):
            if type(value) is type(default) and value == default:
                continue  # decoding restores the default
            try:
                out[name] = encode(value)
            except _PathError as error:
                error.path.append("." + name)
                raise
        return out

    def decode(self, data: Any) -> Any:
        if type(data) is not dict:
            raise _bad_data(f"an object for {self.name}", data)
        decoders = self.decoders
        kwargs: dict[str, Any] = {}
        for key, item in data.items():
            try:
                decode = decoders[key]
            except KeyError:
                error = _PathError(ValueError, f"unknown field of {self.name}")
                error.path.append(f".{key}" if type(key) is str else f"[{key!r}]")
                raise error from None
            try:
                kwargs[key] = decode(item)
            except _PathError as error:
                error.path.append("." + key)
                raise
        if not kwargs.keys() >= self.required:
            missing = ", ".join(sorted(self.required - kwargs.keys()))
            raise _PathError(ValueError, f"missing required field(s) of {self.name}: {missing}")
        try:
            return self.cls(**kwargs)
        except Exception as exc:
            raise _failed(self.name, exc) from exc


class _TaggedUnion:
    """``{"type": ClassName, ...fields}`` for a union of dataclasses."""

    __slots__ = ("by_name", "by_type", "names")

    def __init__(self, members: Sequence[Any]) -> None:
        if not members:
            raise TypeError("a tagged union needs at least one member")
        self.by_type: dict[type, tuple[str, _ClassPlan]] = {}
        self.by_name: dict[str, _ClassPlan] = {}
        for member in members:
            if not _is_structural(member):
                raise TypeError(
                    f"tagged union member {_type_name(member)} is not a dataclass encoded field "
                    "by field"
                )
            name = member.__name__
            if name in self.by_name and self.by_name[name].cls is not member:
                raise TypeError(f"tagged union has two members named {name}")
            if any(field.name == TAG for field in _init_fields(member)):
                raise TypeError(f"{_type_name(member)} has a field named {TAG!r}, the union tag")
            plan = _class_plan(member)
            self.by_type[member] = (name, plan)
            self.by_name[name] = plan
        self.names = ", ".join(self.by_name)

    @staticmethod
    def build(members: tuple[Any, ...]) -> _TaggedUnion:
        return _TaggedUnion(members)

    def encode(self, value: Any) -> dict[str, Any]:
        try:
            name, plan = self.by_type[type(value)]
        except KeyError:
            raise _wrong_type(f"one of {self.names}", value) from None
        out: dict[str, Any] = {TAG: name}
        out.update(plan.encode(value))
        return out

    def decode(self, data: Any) -> Any:
        if type(data) is not dict:
            raise _bad_data(f"an object tagged with {TAG!r}", data)
        tag = data.get(TAG)
        plan = self.by_name.get(tag) if type(tag) is str else None
        if plan is None:
            error = _bad_data(f"one of {self.names}", tag)
            error.path.append("." + TAG)
            raise error
        return plan.decode({key: item for key, item in data.items() if key != TAG})


def _tagged_union(members: Sequence[Any]) -> _TaggedUnion:
    union: _TaggedUnion = _REGISTRY.get("tagged", tuple(members), _TaggedUnion.build)
    return union


# -- containers and unions ---------------------------------------------------------------------


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


# -- building from a declared type -------------------------------------------------------------


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


def _build_encoder(tp: Any) -> _Encoder:
    encoder, decoder = _codec(tp)
    _REGISTRY.stage("decode", tp, decoder)
    return encoder


def _build_decoder(tp: Any) -> _Decoder:
    encoder, decoder = _codec(tp)
    _REGISTRY.stage("encode", tp, encoder)
    return decoder


# -- encoding by runtime type (to_primitive of an arbitrary value) -----------------------------


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


# -- public API --------------------------------------------------------------------------------


def to_primitive(obj: object) -> Any:
    """``obj`` as JSON-compatible values (dict, list, str, int, float, bool, None).

    The runtime type of ``obj`` drives the encoding; inside a dataclass, the declared field types
    do (a dataclass value must be of exactly its declared class). Raises ``TypeError`` for an
    unsupported type, naming the path.
    """
    try:
        encoder = _dynamic_encoder(type(obj))
        return encoder(obj)
    except _PathError as error:
        raise error.public(type(obj).__qualname__) from error.__cause__


@overload
def from_primitive(tp: type[T], data: Any) -> T: ...


@overload
def from_primitive(tp: Any, data: Any) -> Any: ...


def from_primitive(tp: Any, data: Any) -> Any:
    """The value of type ``tp`` that ``data`` (from :func:`to_primitive`) encodes.

    ``tp`` is a class or a type expression such as ``tuple[Coverage, ...]`` or
    ``ResidentCode | None``. Raises ``ValueError`` naming the path for bad data, and
    ``TypeError`` when ``tp`` is not supported.
    """
    decoder = _decoder(tp)
    try:
        return decoder(data)
    except _PathError as error:
        raise error.public(_root_name(tp, data)) from error.__cause__


def _root_name(tp: Any, data: Any) -> str:
    """The name an error path starts with: the type, or the tag of a tagged-union value."""
    tag = data.get(TAG) if type(data) is dict else None
    members = _union_args(tp)
    if type(tag) is not str or members is None:
        return _type_name(tp)
    named = any(isinstance(member, type) and member.__name__ == tag for member in members)
    return tag if named else _type_name(tp)


def encode_tagged(obj: object) -> dict[str, Any]:
    """``{"type": <class name>, ...fields}``: a member of a union of dataclasses (a command)."""
    cls = type(obj)
    try:
        encoded = _tagged_union((cls,)).encode(obj)
    except _PathError as error:
        raise error.public(cls.__qualname__) from error.__cause__
    return encoded


def decode_tagged(union_members: Sequence[type[T]], data: Any) -> T:
    """Decode ``{"type": <class name>, ...}`` as whichever of ``union_members`` it names.

    For ``ChangeCommand``: ``decode_tagged(typing.get_args(ChangeCommand), data)``.
    """
    union = _tagged_union(tuple(union_members))
    try:
        decoded: T = union.decode(data)
    except _PathError as error:
        tag = data.get(TAG) if type(data) is dict else None
        root = tag if type(tag) is str and tag in union.by_name else "tagged value"
        raise error.public(root) from error.__cause__
    return decoded


def canonical_json(obj: object) -> str:
    """The canonical text of ``obj``, for hashing (the journal's hash chain).

    ``json.dumps(to_primitive(obj), ensure_ascii=False, sort_keys=True, separators=(",", ":"))``:
    keys sorted by code point, no whitespace, non-ASCII characters written as themselves (no
    ``\\u`` escapes, no Unicode normalisation: 髙, 𠮷 and variation selectors are kept as
    stored). The text depends only on the value, so it is stable across runs, processes and
    machines; hash its UTF-8 encoding.

    Stability also holds across schema growth: a new field with a default is omitted while it
    holds its default, so adding one does not change the text of existing values. Changing a
    field's default, renaming a field or an enum value, or changing a value type's ``to_json``
    does change it (and therefore the hashes): treat those as format changes.
    """
    return json.dumps(
        to_primitive(obj),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )
