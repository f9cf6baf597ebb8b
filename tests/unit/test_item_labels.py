"""Every item of every change type, and of the record, has a Japanese label (domain/residents/labels.py)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.residents.change_types import CHANGE_TYPES
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.domain.residents.labels import ITEM_LABELS, OWN_LABELS, item_label
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.residents.relationships import Relationship

# Value types shown as one text (a date, a number, a 続柄): their own fields are no items.
_VALUES = (RecordDate, Relationship)


def _is_value(kind: type) -> bool:
    if kind in _VALUES:
        return True
    names = {f.name for f in dataclasses.fields(kind)}
    return names == {"value"}


def _types_in(hint: object) -> Iterator[type]:
    origin = typing.get_origin(hint)
    if origin is None:
        if isinstance(hint, type):
            yield hint
        return
    for arg in typing.get_args(hint):
        yield from _types_in(arg)


def _items(owner: type, seen: set[type]) -> Iterator[tuple[type, str]]:
    if owner in seen:
        return
    seen.add(owner)
    hints = typing.get_type_hints(owner)
    for field in dataclasses.fields(owner):
        yield owner, field.name
        for kind in _types_in(hints[field.name]):
            if dataclasses.is_dataclass(kind) and not _is_value(kind):
                yield from _items(kind, seen)


def _commands() -> list[type]:
    union = ChangeCommand
    assert isinstance(union, types.UnionType)
    return list(typing.get_args(union))


def test_the_walk_reaches_nested_items() -> None:
    found = {(owner.__name__, name) for owner, name in _items(_commands()[0], set())}
    assert ("NewPerson", "birth_date") in found
    assert ("ForeignResidentDetails", "residence_status") in found
    assert ("Alias", "entered_in") in found
    assert ("Address", "town_area") in found
    assert ("ChangeHeader", "effective_on") in found


def test_every_item_of_every_change_type_has_a_label() -> None:
    assert {t.command for t in CHANGE_TYPES} == set(_commands())
    seen: set[type] = set()
    missing = [
        f"{owner.__name__}.{name}"
        for command in _commands()
        for owner, name in _items(command, seen)
        if not item_label(owner, name)
    ]
    assert missing == []


def test_every_item_of_the_record_has_a_label() -> None:
    missing = [
        f"{owner.__name__}.{name}"
        for owner, name in _items(ResidentRecord, set())
        if not item_label(owner, name)
    ]
    assert missing == []


def test_labels_are_japanese_words_not_field_names() -> None:
    labels = [*ITEM_LABELS.values(), *(v for own in OWN_LABELS.values() for v in own.values())]
    assert all(label and not label.isascii() and "_" not in label for label in labels)


def test_an_item_of_its_own_meaning_is_labelled_by_its_owner() -> None:
    from jichitai.domain.residents.model import Alias, Coverage

    assert item_label(Alias, "name") == "通称"
    assert item_label(Coverage, "kind") == "資格の種類"
    assert item_label(None, "planned_on") == "転出予定日"
