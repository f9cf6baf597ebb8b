"""Each change type is registered once (``domain/residents/change_types.py``) and every list of
change types is that registration: the union, the planners, the stored kinds, the labels."""

from __future__ import annotations

import typing

import pytest

from jichitai.domain.errors import DomainError
from jichitai.domain.residents.change_types import (
    CHANGE_TYPES,
    COMMAND_TYPES,
    change_type_named,
)
from jichitai.domain.residents.commands import ChangeCommand
from jichitai.domain.residents.view import ChangeKind
from jichitai.services.inbound import decode_change


def test_every_member_of_the_command_union_is_registered_and_nothing_else() -> None:
    union = typing.get_args(ChangeCommand)
    assert union == COMMAND_TYPES
    assert len(set(COMMAND_TYPES)) == len(COMMAND_TYPES)


def test_every_registered_type_has_a_planner_a_kind_and_a_label() -> None:
    for change_type in CHANGE_TYPES:
        assert callable(change_type.planner), change_type.name
        assert isinstance(change_type.kind, ChangeKind), change_type.name
        assert change_type.label.strip(), change_type.name
        assert change_type_named(change_type.name) is change_type


def test_every_stored_kind_but_the_migrations_belongs_to_exactly_one_type() -> None:
    kinds = [t.kind for t in CHANGE_TYPES]
    assert sorted(kinds) == sorted(set(ChangeKind) - {ChangeKind.IMPORT})


def test_no_two_types_share_a_label() -> None:
    labels = [t.label for t in CHANGE_TYPES]
    assert len(set(labels)) == len(labels)


def test_only_a_move_out_may_be_dated_in_the_future() -> None:
    assert [t.name for t in CHANGE_TYPES if t.effective_on_may_be_future] == ["MoveOut"]
    assert {t.name for t in CHANGE_TYPES if t.supersedes_pending} == {
        "RecordMoveInNotice",
        "Cancel",
    }


def test_the_inbound_decoder_knows_the_registered_commands_and_names_them_in_order() -> None:
    for change_type in CHANGE_TYPES:
        with pytest.raises(DomainError) as refused:
            decode_change({"type": change_type.name})
        assert "command.type" not in {v.field for v in refused.value.violations}
    with pytest.raises(DomainError) as unknown:
        decode_change({"type": "Adopt"})
    (violation,) = unknown.value.violations
    assert violation.field == "command.type"
    assert violation.message.endswith("、".join(t.name for t in CHANGE_TYPES))


def test_an_unknown_name_has_no_registration() -> None:
    assert change_type_named("Adopt") is None
