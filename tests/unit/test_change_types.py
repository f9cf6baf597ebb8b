"""Each change type is registered once (``domain/residents/change_types.py``) and every list of
change types is that registration: the union, the planners, the stored kinds, the labels; the
counter registers its form and draft wording against it (``changes_catalogue.py``)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, date, datetime

import pytest

from jichitai.domain.common.dates import RecordDate
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import DomainError
from jichitai.domain.residents.change_types import (
    CHANGE_TYPES,
    COMMAND_TYPES,
    change_type_named,
)
from jichitai.domain.residents.commands import (
    Birth,
    Cancel,
    ChangeCommand,
    Correct,
    Death,
    ExOfficioEntry,
    ExOfficioRemoval,
    HeadChange,
    HouseholdChange,
    HouseholdMerge,
    HouseholdSplit,
    InTownMove,
    LoseNationality,
    MoveIn,
    MoveOut,
    Naturalise,
    RecordChanges,
    RecordMoveInNotice,
    Reissue,
)
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.domain.residents.view import ChangeKind
from jichitai.entrypoints.api.present import draft as draft_body
from jichitai.entrypoints.web.changes_catalogue import (
    COUNTER_CHANGES,
    PROCESSES,
    DraftWording,
    counter_change_for,
)
from jichitai.entrypoints.web.drafts_views import items_of, process_label
from jichitai.services.inbound import decode_change
from jichitai.services.ports import Draft
from jichitai.services.register_access import DraftView
from tests.factories import (
    a_family_register,
    a_header,
    a_name,
    a_person,
    a_previous_address,
    an_address,
    foreign_details,
    moving_in,
)


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


def test_filed_changes_set_the_records_filing_date_and_the_others_do_not() -> None:
    assert {t.name for t in CHANGE_TYPES if not t.filed} == {
        "RecordMoveInNotice",
        "ExOfficioEntry",
        "ExOfficioRemoval",
        "Correct",
        "Reissue",
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


# --- the counter's part, and the one label everyone shows ------------------------------------

_HEADER = a_header()
_ATENA = AtenaNumber("0000000019")
_HOUSEHOLD = HouseholdNumber("0000000027")
_SAMPLES: dict[type, ChangeCommand] = {
    MoveIn: moving_in(),
    Birth: Birth(header=_HEADER, child=a_person(relationship="子"), household_number=_HOUSEHOLD),
    InTownMove: InTownMove(header=_HEADER, atena_numbers=(_ATENA,), address=an_address()),
    MoveOut: MoveOut(
        header=_HEADER,
        atena_numbers=(_ATENA,),
        planned_on=_HEADER.effective_on,
        onward_address=a_previous_address(),
    ),
    RecordMoveInNotice: RecordMoveInNotice(
        header=_HEADER,
        atena_number=_ATENA,
        notice_on=_HEADER.effective_on,
        confirmed_address=a_previous_address(),
        moved_in_on=_HEADER.effective_on,
    ),
    Death: Death(header=_HEADER, atena_number=_ATENA, died_on=RecordDate.of(date(2026, 11, 1))),
    ExOfficioEntry: ExOfficioEntry(header=_HEADER, members=(a_person(),), address=an_address()),
    ExOfficioRemoval: ExOfficioRemoval(header=_HEADER, atena_numbers=(_ATENA,), cause="実態調査"),
    HouseholdSplit: HouseholdSplit(header=_HEADER, atena_numbers=(_ATENA,), new_head=_ATENA),
    HouseholdMerge: HouseholdMerge(
        header=_HEADER, source_household=_HOUSEHOLD, target_household=HouseholdNumber("0000000035")
    ),
    HouseholdChange: HouseholdChange(
        header=_HEADER, atena_numbers=(_ATENA,), target_household=_HOUSEHOLD
    ),
    HeadChange: HeadChange(header=_HEADER, household_number=_HOUSEHOLD, new_head=_ATENA),
    Correct: Correct(
        header=_HEADER,
        atena_number=_ATENA,
        reason=ChangeReason.CLERICAL_CORRECTION,
        changes=RecordChanges(remarks="誤記"),
    ),
    Naturalise: Naturalise(
        header=_HEADER,
        atena_number=_ATENA,
        name=a_name("髙橋", "花子", ("タカハシ", "ハナコ")),
        family_register=a_family_register(),
    ),
    LoseNationality: LoseNationality(
        header=_HEADER,
        atena_number=_ATENA,
        name=a_name("髙橋", "花子", ("タカハシ", "ハナコ")),
        foreign=foreign_details(),
    ),
    Reissue: Reissue(header=_HEADER, atena_number=_ATENA),
    Cancel: Cancel(header=_HEADER, event_id="0190c7a4-0000-7000-8000-000000000001"),
}


def _a_draft(command: ChangeCommand) -> DraftView:
    at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    row = Draft("d-1", type(command).__name__, "pending", "{}", "clerk", at, at)
    return DraftView(row, command, {}, individual_numbers_shown=False)


def test_every_type_has_a_sample_here() -> None:
    assert set(_SAMPLES) == set(COMMAND_TYPES)


def test_the_counter_registers_a_form_and_a_draft_view_for_every_type_and_nothing_else() -> None:
    assert sorted(c.change_type.name for c in COUNTER_CHANGES) == sorted(
        t.__name__ for t in COMMAND_TYPES
    )
    for change_type in CHANGE_TYPES:
        counter = counter_change_for(change_type.command)
        assert counter is not None, change_type.name
        assert counter.change_type is change_type
        assert PROCESSES[counter.form.key] is counter.form
        assert isinstance(counter.draft, DraftWording)
        fields = {f.name for f in dataclasses.fields(change_type.command)}
        assert set(counter.draft.labels) <= fields, change_type.name


def test_the_api_the_counter_and_the_drafts_show_the_same_label_object() -> None:
    for change_type in CHANGE_TYPES:
        command = _SAMPLES[change_type.command]
        counter = counter_change_for(change_type.command)
        assert counter is not None
        assert counter.form.label is change_type.label  # the menu, the form, the confirmation
        assert process_label(command) is change_type.label  # the review screens
        assert draft_body(_a_draft(command)).kind_label is change_type.label  # the API


def test_a_move_in_from_abroad_is_a_move_in_on_the_review_screens_too() -> None:
    command = dataclasses.replace(moving_in(), from_abroad=True)
    assert process_label(command) == "転入"


def test_a_draft_names_its_items_as_its_type_words_them() -> None:
    naturalised = [item.label for item in items_of(_SAMPLES[Naturalise])]
    assert naturalised == ["対象の方", "帰化後の氏名", "帰化後の本籍・筆頭者"]
    lost = items_of(_SAMPLES[LoseNationality])
    assert [item.label for item in lost][:2] == ["対象の方", "国籍喪失後の氏名"]
    assert lost[2].label == "外国人住民の事項"  # a part of a command: the common wording
