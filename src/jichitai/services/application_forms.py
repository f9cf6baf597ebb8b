"""The 住民異動届 (application form) of a draft, printed for the resident's signature.

At a counter that does not make residents write (書かない窓口) the clerk enters the change and the
resident signs a printout of what was entered. The entry point lays the draft out as an
``ApplicationForm`` (texts only, as the resident reads them); this service checks that the
actor works with drafts, has the form drawn (the PDF adapter, injected) and writes the print to
the access log with the persons on it, as every print of personal data must be (印刷ログ).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.services.audit import AccessLog, Operation


@dataclass(frozen=True, slots=True)
class FormPerson:
    """One person on the form. ``atena_number`` is None for a person who becomes a resident by
    this change (no number yet); it is logged, never printed."""

    name: str
    name_kana: str
    birth_date: str
    sex: str
    relationship: str
    role: str = "異動者"
    atena_number: str | None = None
    domicile: str = ""
    """本籍, where the change carries it for this person (empty: not printed)."""
    family_head: str = ""
    """筆頭者, beside the 本籍."""


@dataclass(frozen=True, slots=True)
class ApplicationForm:
    """What the form says, every value already in the words and calendar the resident reads."""

    reference: str
    """The draft's 受付番号: the counter finds the draft again from the printed form."""
    municipality_name: str
    process: str
    effective_on: str
    filed_on: str
    printed_on: str
    items: tuple[tuple[str, str], ...]
    """The facts of the change besides the persons (new address, 前住所, 転出予定日 …)."""
    persons: tuple[FormPerson, ...]
    draft_id: str = ""
    """The draft's key, which the access log names (the reference when not given)."""
    notifier: tuple[tuple[str, str], ...] = ()
    """The 届出人's items as written (label, value): name, address, telephone."""
    notifier_relation: str = ""
    """What fills 「届出人と異動者との関係」 (本人, 代理人（委任） …); empty: the choices printed."""


FormRenderer = Callable[[ApplicationForm], bytes]


class ApplicationForms:
    def __init__(self, access_log: AccessLog, render: FormRenderer) -> None:
        self._log = access_log
        self._render = render

    def pdf(self, actor: Actor, form: ApplicationForm) -> bytes:
        """The form as PDF bytes; the print is logged with every person on it."""
        if not actor.may(Permission.APPROVE_DRAFT):
            actor.require(Permission.SUBMIT_DRAFT)
        document = self._render(form)
        numbers = tuple(p.atena_number for p in form.persons if p.atena_number)
        self._log.record(
            actor,
            Operation.PRINT,
            atena_numbers=numbers,
            target=f"application_form:draft:{form.draft_id or form.reference}",
            person_count=max(len(form.persons), len(set(numbers))),
        )
        return document
