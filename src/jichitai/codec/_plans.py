"""Dataclasses encoded field by field (the class plan) and tagged unions of them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, Final

from jichitai.codec._errors import _bad_data, _failed, _PathError, _wrong_type
from jichitai.codec._registry import _REGISTRY, _decoder, _encoder
from jichitai.codec._types import (
    _Decoder,
    _Encoder,
    _hints,
    _init_fields,
    _is_structural,
    _type_name,
)

TAG: Final = "type"
"""The key naming the class of a tagged-union value."""

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


def _class_plan(cls: type) -> _ClassPlan:
    plan: _ClassPlan = _REGISTRY.get("plan", cls, _ClassPlan.build)
    return plan
