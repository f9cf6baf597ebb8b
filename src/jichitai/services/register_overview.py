"""What an entry point reads of the register as a whole, never of one person: counts, the 町字
its residents live in, and the journal's integrity.

None of it shows personal data, so none is written to the access log; each still checks the
actor's right, so that no entry point reaches the unchecked ``RegisterService`` or
``RegisterQueries`` (``tests/unit/test_entrypoints_checked.py``): a person's data is read only
through ``RegisterAccess``.
"""

from __future__ import annotations

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.services.ports import RegisterStats
from jichitai.services.queries import RegisterQueries
from jichitai.services.register import RegisterService


class RegisterOverview:
    def __init__(self, register: RegisterService, queries: RegisterQueries) -> None:
        self._register = register
        self._queries = queries

    def stats(self, actor: Actor) -> RegisterStats:
        """Counts of persons, households and removed records, and of changes by reason, as of
        today (``VIEW_MUNICIPALITY``)."""
        actor.require(Permission.VIEW_MUNICIPALITY)
        return self._queries.stats(actor.municipality_code)

    def town_areas(self, actor: Actor, place: str, start: str = "", limit: int = 50) -> list[str]:
        """町字 of the residents' addresses beginning with ``start``, for completing an address
        in a change being entered (``SUBMIT_DRAFT``; ``RegisterQueries.town_areas``)."""
        actor.require(Permission.SUBMIT_DRAFT)
        return self._queries.town_areas(actor.municipality_code, place, start, limit)

    def verify_journal(self, actor: Actor) -> int:
        """Recompute every hash of the journal; the number of entries (an auditor's check,
        ``READ_ACCESS_LOG``, as the access log's own; ``RegisterService.verify_chain``)."""
        actor.require(Permission.READ_ACCESS_LOG)
        return self._register.verify_chain(actor.municipality_code)
