"""The preview the counter shows before issuing: the sheets ``issue`` would print, with the same
checks, but nothing numbered, signed or recorded — logged as a view. Also the chosen members of
a household, and the confirmed alerts of a view for the seal's reads."""

from __future__ import annotations

from datetime import date

import pytest

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor, Forbidden
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.contents import certificate_lines
from jichitai.domain.certificates.kinds import CertificateKind, ItemChoice, SheetLayout
from jichitai.domain.certificates.verification import content_digest
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, NotFound
from jichitai.domain.residents.model import Sex
from jichitai.services.audit import AccessSearch, Operation
from jichitai.services.certificates import CertificateRequest
from tests.factories import (
    a_municipality,
    a_named_certifier,
    a_person,
    a_seal,
    a_valid_individual_number,
    moving_in,
)

START = date(2026, 11, 1)


@pytest.fixture
def random_seed() -> int:
    return 8


def staff(code: str, role: Role) -> Actor:
    return Actor(f"{role.value}-{code}", code, frozenset({role}), terminal="窓口1")


def a_family(app: App) -> tuple[str, list[str]]:
    code = a_municipality(app)
    a_named_certifier(app, code)
    moved = app.register.record_change(
        code,
        moving_in(
            a_person(individual_number=a_valid_individual_number(7)),
            a_person(given="花子", kana=("タカハシ", "ハナコ"), relationship="妻", sex=Sex.FEMALE),
            a_person(
                given="次郎", kana=("タカハシ", "ジロウ"), relationship="子", born="平成20年4月1日"
            ),
        ),
    )
    return code, list(moved.atena_numbers)


def test_the_preview_is_what_issue_prints_and_records_nothing_but_a_view(app: App) -> None:
    code, family = a_family(app)
    clerk = staff(code, Role.CLERK)
    items = ItemChoice(head_and_relationship=True)
    personal = SheetLayout.PERSONAL
    preview = app.certificates.preview(
        clerk,
        CertificateRequest(
            family[0],
            CertificateKind.RESIDENCE_CERTIFICATE,
            household=True,
            layout=personal,
            items=items,
            with_history=True,
        ),
    )
    assert preview.title == "住民票の写し" and len(preview.sheets) == 3
    assert preview.persons == tuple(family)
    assert preview.items == ("head_and_relationship",)
    assert app.certificates.history(clerk) == [], "nothing is recorded as issued"

    issued = app.certificates.issue(
        clerk,
        CertificateRequest(
            family[0],
            CertificateKind.RESIDENCE_CERTIFICATE,
            household=True,
            layout=personal,
            items=items,
            with_history=True,
        ),
    )
    row = app.certificates.history(clerk)[0]
    assert row.issue_code == issued.code and row.sequence == 1  # the preview took no number
    assert row.content_sha256 == content_digest(certificate_lines(preview.sheets)).hex()

    auditor = staff(code, Role.AUDITOR)
    views = app.access_log.search(auditor, AccessSearch(operation=Operation.VIEW))
    previewed = [e for e in views if e.target == "certificate_preview:juminhyo"]
    assert len(previewed) == 1 and previewed[0].user_login == clerk.login
    issues = app.access_log.search(auditor, AccessSearch(operation=Operation.ISSUE))
    assert len(issues) == 1


def test_the_preview_refuses_what_issue_refuses(app: App) -> None:
    code, family = a_family(app)
    clerk = staff(code, Role.CLERK)
    with pytest.raises(Forbidden) as number:
        app.certificates.preview(
            clerk,
            CertificateRequest(
                family[0],
                CertificateKind.RESIDENCE_CERTIFICATE,
                items=ItemChoice(individual_number=True),
            ),
        )
    assert number.value.code == "certificate.item_forbidden"
    with pytest.raises(Forbidden):
        app.certificates.preview(
            staff(code, Role.AUDITOR),
            CertificateRequest(family[0], CertificateKind.RESIDENCE_CERTIFICATE),
        )
    with pytest.raises(DomainError) as removed_only:
        app.certificates.preview(
            clerk, CertificateRequest(family[0], CertificateKind.REMOVED_RECORD_CERTIFICATE)
        )
    assert removed_only.value.code == "certificate.not_removed"
    with pytest.raises(DomainError) as card:
        app.certificates.preview(
            clerk, CertificateRequest(family[0], CertificateKind.SEAL_CERTIFICATE)
        )
    assert card.value.code == "seal.card_required"

    app.suppressions.set(
        staff(code, Role.DV_OFFICER),
        kind="dv_support",
        atena_number=family[1],
        starts_on=START,
        reason="支援措置申出",
    )
    with pytest.raises(DomainError) as blocked:
        app.certificates.preview(
            clerk,
            CertificateRequest(family[0], CertificateKind.RESIDENCE_CERTIFICATE, household=True),
        )
    assert blocked.value.code == "dv_support.blocked"
    assert app.certificates.history(clerk) == []

    reviewer = staff(code, Role.REVIEWER)
    shown = app.certificates.preview(
        reviewer,
        CertificateRequest(
            family[0],
            CertificateKind.RESIDENCE_CERTIFICATE,
            items=ItemChoice(individual_number=True),
        ),
    )
    assert any(f.label == "個人番号" for f in shown.sheets[0].persons[0].fields)
    logged = app.access_log.search(
        staff(code, Role.AUDITOR), AccessSearch(operation=Operation.VIEW, user_login=reviewer.login)
    )
    assert [e.my_number_shown for e in logged if e.target.startswith("certificate_preview")] == [
        True
    ]


def test_a_seal_certificate_preview_carries_the_impression(app: App) -> None:
    code, family = a_family(app)
    clerk = staff(code, Role.CLERK)
    registration = app.seals.register(clerk, family[0], a_seal(15.0))
    card = registration.registration_number
    preview = app.certificates.preview(
        clerk,
        CertificateRequest(family[0], CertificateKind.SEAL_CERTIFICATE, seal_card_number=card),
    )
    assert preview.title == "印鑑登録証明書"
    assert set(preview.impressions) == {card}
    assert preview.impressions[card].startswith(b"\x89PNG")
    with pytest.raises(DomainError) as wrong:
        app.certificates.preview(
            clerk,
            CertificateRequest(family[0], CertificateKind.SEAL_CERTIFICATE, seal_card_number="1"),
        )
    assert wrong.value.code == "seal.card_mismatch"


def test_chosen_members_are_certified_in_the_order_given_and_only_of_the_household(
    app: App,
) -> None:
    code, family = a_family(app)
    clerk = staff(code, Role.CLERK)
    two = app.certificates.issue(
        clerk,
        CertificateRequest(
            family[0],
            CertificateKind.RESIDENCE_CERTIFICATE,
            members=(family[2], family[1], family[2]),
        ),
    )
    assert app.certificates.history(clerk)[0].persons == (family[2], family[1])
    assert two.pages == 1
    alone = app.certificates.preview(
        clerk,
        CertificateRequest(family[0], CertificateKind.RESIDENCE_CERTIFICATE, members=(family[1],)),
    )
    assert alone.persons == (family[1],)

    stranger = app.register.record_change(code, moving_in(a_person(name="鈴木"))).atena_numbers[0]
    with pytest.raises(DomainError) as outsider:
        app.certificates.preview(
            clerk,
            CertificateRequest(
                family[0], CertificateKind.RESIDENCE_CERTIFICATE, members=(family[0], stranger)
            ),
        )
    assert outsider.value.code == "certificate.not_in_household"
    assert outsider.value.field == "persons"
    with pytest.raises(NotFound):
        app.certificates.preview(
            clerk,
            CertificateRequest(
                family[0],
                CertificateKind.RESIDENCE_CERTIFICATE,
                members=(AtenaNumber.from_serial(99999).value,),
            ),
        )
    assert len(app.certificates.history(clerk)) == 1


def test_the_seal_reads_take_the_confirmed_alerts_of_a_view(app: App) -> None:
    code, family = a_family(app)
    clerk = staff(code, Role.CLERK)
    number = app.seals.register(clerk, family[1], a_seal(15.0)).registration_number
    app.suppressions.set(
        staff(code, Role.DV_OFFICER),
        kind="dv_support",
        atena_number=family[1],
        starts_on=START,
        reason="支援措置申出",
    )
    with pytest.raises(DomainError) as asked:
        app.seals.of_person(clerk, family[1])
    assert [v.code for v in asked.value.violations] == ["dv_support.notice"]
    with pytest.raises(DomainError):
        app.seals.image(clerk, number)
    seen = frozenset({"dv_support.notice"})
    assert app.seals.of_person(clerk, family[1], acknowledged=seen).active is not None
    assert app.seals.image(clerk, number, acknowledged=seen).startswith(b"\x89PNG")
