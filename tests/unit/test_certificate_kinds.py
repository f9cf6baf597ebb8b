"""Each certificate kind is registered once (``domain/certificates/kinds.py``), and the counter's
lists, the service's checks (behind the API and the CLI) and the titles printed on the sheets
are that registration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from jichitai.domain.certificates.contents import ResidentCertificateRequest, resident_sheets
from jichitai.domain.certificates.kinds import (
    CERTIFICATE_TYPES,
    OPTIONAL_ITEMS,
    CertificateKind,
    ItemChoice,
    SheetLayout,
    certificate_type,
)
from jichitai.domain.certificates.move_out import move_out_sheets
from jichitai.domain.certificates.seal_certificate import seal_certificate_sheets
from jichitai.domain.common.address import Address
from jichitai.domain.residents.commands import MoveOut
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.seals.registration import Impression, SealRegistration
from jichitai.entrypoints.web.certificates_forms import KIND_CHOICES, CertificateOptions
from tests.factories import a_header, a_household, a_person
from tests.fakes import TODAY, FakeRegister, record

STORED_VALUES = {"juminhyo", "johyo", "kisai-jiko", "inkan", "tenshutsu"}
"""In the issue history and in API clients' requests: renaming a member must not change them."""


def test_every_kind_is_registered_once_and_nothing_else() -> None:
    assert [t.kind for t in CERTIFICATE_TYPES] == list(CertificateKind)
    for kind in CertificateKind:
        assert certificate_type(kind).kind is kind


def test_the_stored_values_are_kept() -> None:
    assert {k.value for k in CertificateKind} == STORED_VALUES


def test_every_kind_has_a_title_a_counter_label_a_certification_and_its_choices() -> None:
    for t in CERTIFICATE_TYPES:
        assert t.title.strip() and t.label.strip() and t.certification.strip(), t.kind
        assert set(t.layouts) <= set(SheetLayout), t.kind
        assert t.items <= set(OPTIONAL_ITEMS), t.kind
        assert t.is_record_copy == bool(t.items), t.kind
    assert len({t.title for t in CERTIFICATE_TYPES}) == len(CERTIFICATE_TYPES)


def test_the_copies_of_records_and_the_kinds_with_a_form_of_their_own() -> None:
    copies = {t.kind for t in CERTIFICATE_TYPES if t.is_record_copy}
    assert copies == {
        CertificateKind.RESIDENCE_CERTIFICATE,
        CertificateKind.REMOVED_RECORD_CERTIFICATE,
        CertificateKind.RECORDED_MATTERS_CERTIFICATE,
    }
    move_out = certificate_type(CertificateKind.MOVE_OUT_CERTIFICATE)
    assert move_out.carries_individual_number and move_out.reissuable
    assert not certificate_type(CertificateKind.SEAL_CERTIFICATE).reissuable


def test_a_kind_carries_only_the_items_it_may() -> None:
    asked = ItemChoice(domicile=True, furigana=True)
    copy = certificate_type(CertificateKind.RESIDENCE_CERTIFICATE)
    assert copy.chosen_items(asked) == asked
    seal = certificate_type(CertificateKind.SEAL_CERTIFICATE)
    assert seal.chosen_items(asked) == ItemChoice()


def test_the_counter_lists_the_registered_kinds_under_their_labels() -> None:
    assert KIND_CHOICES is CERTIFICATE_TYPES
    for t in CERTIFICATE_TYPES:
        options = CertificateOptions(kind=t.kind)
        assert options.title is t.title
        assert options.is_resident_kind == t.is_record_copy


# --- the titles the sheets print ------------------------------------------------------------


@pytest.fixture
def moved_out() -> tuple[ResidentRecord, ResidentRecord]:
    """A resident (as today) and the same person with a move-out filed for next week."""
    fake = FakeRegister()
    _, [atena] = a_household(fake, a_person())
    living = fake.current(atena)
    planned = TODAY + timedelta(days=5)
    record(
        fake,
        MoveOut(
            header=a_header(effective_on=planned, filed_on=TODAY),
            atena_numbers=(atena,),
            planned_on=planned,
            onward_address=Address.municipality_only("大阪府", "大阪市北区"),
        ),
    )
    leaving = fake.current(atena)
    assert living is not None and leaving is not None
    return living, leaving


def test_the_sheets_print_the_registered_titles(
    moved_out: tuple[ResidentRecord, ResidentRecord],
) -> None:
    living, leaving = moved_out
    for kind in (
        CertificateKind.RESIDENCE_CERTIFICATE,
        CertificateKind.RECORDED_MATTERS_CERTIFICATE,
    ):
        [sheet] = resident_sheets(ResidentCertificateRequest(kind), [living], TODAY)
        assert sheet.title is certificate_type(kind).title
    removed = replace(living, status=leaving.status, removed_on=date(2026, 1, 1))
    kind = CertificateKind.REMOVED_RECORD_CERTIFICATE
    [sheet] = resident_sheets(ResidentCertificateRequest(kind), [removed], TODAY)
    assert sheet.title is certificate_type(kind).title
    [sheet] = move_out_sheets(leaving, TODAY)
    assert sheet.title is certificate_type(CertificateKind.MOVE_OUT_CERTIFICATE).title
    registration = SealRegistration(
        atena_number=living.atena_number.value,
        registration_number="00000042",
        registered_on=date(2026, 4, 1),
        impression=Impression(15.0, 14.8),
        image_sha256="cd" * 32,
    )
    [sheet] = seal_certificate_sheets(living, registration)
    assert sheet.title is certificate_type(CertificateKind.SEAL_CERTIFICATE).title
