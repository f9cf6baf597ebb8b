"""The codec's public functions (re-exported by ``jichitai.codec``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar, overload

from jichitai.codec._dynamic import _dynamic_encoder
from jichitai.codec._errors import _PathError
from jichitai.codec._plans import TAG, _tagged_union
from jichitai.codec._registry import _decoder
from jichitai.codec._types import _type_name, _union_args

__all__ = [
    "TAG",
    "canonical_json",
    "decode_tagged",
    "encode_tagged",
    "from_primitive",
    "to_primitive",
]

T = TypeVar("T")


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
