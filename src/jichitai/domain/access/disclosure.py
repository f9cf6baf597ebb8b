"""Who sees a 個人番号: decided here, once, from the actor (番号法 第19条, standard §10.4 (1390)).

Only roles whose duty uses the My Number see it (``Permission.VIEW_INDIVIDUAL_NUMBER``); everyone
else gets its masked form, the last four digits, so a screen can still tell that one is held.
The services apply :func:`disclose` to every record, plan, command and JSON body they hand out,
so an entry point never has a number it should not show and never decides whether to show one.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.common.identifiers import IndividualNumber, MaskedIndividualNumber

T = TypeVar("T")

MASKED_PREFIX = "********"


def sees_individual_numbers(actor: Actor) -> bool:
    """Whether ``actor``'s duty includes the 個人番号 (the one place this is decided)."""
    return actor.may(Permission.VIEW_INDIVIDUAL_NUMBER)


def disclose(actor: Actor, value: T) -> T:
    """``value`` (a record, a plan, a command, or tuples and mappings of them) as ``actor`` may
    see it: every 個人番号 in it masked unless the actor's duty includes it."""
    return value if sees_individual_numbers(actor) else masked(value)


def masked(value: T) -> T:
    """``value`` with every ``IndividualNumber`` inside it replaced by its masked form."""
    result: T = _mask(value)
    return result


def _mask(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, IndividualNumber):
        return MaskedIndividualNumber.of(value)
    if isinstance(value, tuple):
        return tuple(_mask(item) for item in value)
    if isinstance(value, list):
        return [_mask(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _mask(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for name in _holding_fields(type(value)):
            item = getattr(value, name)
            made = _mask(item)
            if made is not item:
                changed[name] = made
        return dataclasses.replace(value, **changed) if changed else value
    return value


@cache
def _holding_fields(cls: type) -> tuple[str, ...]:
    """The fields of a dataclass whose declared type may hold a 個人番号 at any depth (read once
    per class from its type hints: masking a search's records walks only these)."""
    hints = typing.get_type_hints(cls)
    return tuple(
        f.name for f in dataclasses.fields(cls) if f.init and _may_hold(hints[f.name], set())
    )


def _may_hold(tp: Any, seen: set[Any]) -> bool:
    if tp is IndividualNumber:
        return True
    if tp is Any:
        return True
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if tp in seen:
            return False
        seen.add(tp)
        hints = typing.get_type_hints(tp)
        return any(_may_hold(hints[f.name], seen) for f in dataclasses.fields(tp) if f.init)
    return any(_may_hold(arg, seen) for arg in typing.get_args(tp))


def disclose_data(actor: Actor, data: Any) -> Any:
    """A JSON body (a command as JSON) as ``actor`` may see it: each ``individual_number``
    string masked unless the actor's duty includes it."""
    return data if sees_individual_numbers(actor) else _mask_data(data)


def _mask_data(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: (
                MASKED_PREFIX + item[-4:]
                if key == "individual_number" and isinstance(item, str)
                else _mask_data(item)
            )
            for key, item in data.items()
        }
    if isinstance(data, list):
        return [_mask_data(item) for item in data]
    return data
