"""広域交付住民票 through the CS (standard §7.1.1.1 (1090); ``domain/national/wide_area.py``).

- ``request``: the 交付地's clerk (``issue``) sends a 広域交付要求 for an applicant to the
  住所地: a message of the outbox, sent in order with the others, relayed by the CS.
- ``answer``: the worker's step at the 住所地, after each intake. Each new 広域交付要求 is
  answered without a clerk: the 広域交付住民票情報 of the person (or the household's living
  members), or a refusal naming why by code. The request is marked ``taken`` first (so two
  workers never answer twice), with the answer's 通番 as its note. The answer is a disclosure
  of personal data to another municipality: it is written to the access log (``export``,
  target ``wide_area:<交付地>``) with the persons it names.
- The 交付地 takes the answer in with its intake (``cs inbox --kind 広域交付住民票情報``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.access.suppression import Process
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, invalid
from jichitai.domain.national.cs_messages import FORMAT
from jichitai.domain.national.unified_chars import UnifiedTable, describe, to_unified
from jichitai.domain.national.wide_area import (
    WIDE_AREA_RECORD,
    WIDE_AREA_REQUEST,
    birth_key,
    record_body,
    refusal_body,
    request_body,
    same_name,
)
from jichitai.domain.residents.model import ResidentRecord
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.inbound_wide_area import decode_wide_area_request
from jichitai.services.ports import Clock, CsEntry, CsInbox, CsInboxRow, UnitOfWork
from jichitai.services.ports.national_ops import CsOperationsStore
from jichitai.services.suppression import SuppressionService

_log = logging.getLogger("jichitai.cs")
OPERATOR = "cs-wide-area"


def _json(body: dict[str, Any]) -> str:
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()


class WideAreaService:
    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        inbox: CsInbox,
        ops: CsOperationsStore,
        suppression: SuppressionService,
        access_log: AccessLog,
        clock: Clock,
        unified: UnifiedTable,
    ) -> None:
        self._uow_for = uow_for
        self._inbox = inbox
        self._ops = ops
        self._suppression = suppression
        self._log = access_log
        self._clock = clock
        self._unified = unified

    def _common(self) -> dict[str, Any]:
        return {"format": FORMAT, "effective_on": self._clock.today().isoformat()}

    # -- the 交付地 ---------------------------------------------------------------------------

    def request(self, actor: Actor, data: Any) -> CsEntry:
        """Send a 広域交付要求 for the applicant described by ``data`` (inbound decoder)."""
        actor.require(Permission.ISSUE)
        wanted = decode_wide_area_request(data)
        if wanted.to == actor.municipality_code:
            raise invalid(
                "wide_area.own_municipality",
                "住所地が自庁です（広域交付ではなく通常の証明書交付をしてください）",
                "to",
            )
        body = request_body(wanted, self._common())
        conversion = to_unified(wanted.name, self._unified)
        body["name"] = conversion.text
        held = "、".join(describe(c) for c in conversion.unconvertible)
        scope = "世帯全員" if wanted.scope == "household" else "本人のみ"
        return self._ops.add_message(
            actor.municipality_code,
            WIDE_AREA_REQUEST,
            wanted.to,
            _json(body),
            held,
            f"広域交付要求（{scope}）",
            actor.login,
            self._clock.now(),
        )

    # -- the 住所地 ---------------------------------------------------------------------------

    def answer(self, municipality_code: str) -> int:
        """Answer every new 広域交付要求 of the municipality; how many were answered."""
        answered = 0
        for row in self._inbox.listed(municipality_code, "new", WIDE_AREA_REQUEST):
            now = self._clock.now()
            if not self._inbox.mark(
                municipality_code, row.relay_id, "taken", "回答中", now, expected="new"
            ):
                continue  # another worker has it
            try:
                entry, outcome = self._answer(row)
            except Exception:
                self._inbox.mark(municipality_code, row.relay_id, "new", "", now, expected="taken")
                raise
            self._inbox.mark(
                municipality_code,
                row.relay_id,
                "taken",
                f"{outcome}: 回答 通番 {entry.seq}-{entry.ordinal}",
                self._clock.now(),
                expected="taken",
            )
            answered += 1
        return answered

    def _answer(self, row: CsInboxRow) -> tuple[CsEntry, str]:
        try:
            request = orjson.loads(row.body)
        except orjson.JSONDecodeError:
            request = {}
        if not isinstance(request, dict):
            request = {}
        request = {
            **request,
            "sender": row.sender,
            "sender_seq": row.sender_seq,
            "sender_ordinal": row.sender_ordinal,
        }
        code = row.municipality_code
        held: tuple[str, ...] = ()
        persons: tuple[str, ...] = ()
        with self._uow_for(code) as uow:
            found = self._found(uow, request)
            if isinstance(found, str):
                body = refusal_body(request, found, self._common())
                outcome = f"拒否（{found}）"
            else:
                person, members = found
                reads = uow.read_model
                heads = [m for m in reads.household_residents(person.household_number) if m.is_head]
                head_name = heads[0].name.full if heads else ""
                body, held = record_body(
                    request, person, members, head_name, self._common(), self._unified
                )
                persons = tuple(m.atena_number.value for m in members)
                outcome = f"交付（{len(members)}名）"
        entry = self._ops.add_message(
            code,
            WIDE_AREA_RECORD,
            row.sender,
            _json(body),
            "、".join(describe(c) for c in held),
            f"広域交付要求（{row.sender} 通番{row.sender_seq}）への回答: {outcome}",
            OPERATOR,
            self._clock.now(),
        )
        self._log.record(
            Actor(OPERATOR, code, frozenset(), terminal="cs", purpose="広域交付（住基法12条の4）"),
            Operation.EXPORT,
            atena_numbers=persons,
            target=f"wide_area:{row.sender}",
            person_count=len(persons),
            outcome="ok" if persons else "refused",
            detail=outcome[:200],
        )
        _log.info("wide-area request %s/%s answered: %s", code, row.relay_id, outcome)
        return entry, outcome

    def _found(
        self, uow: UnitOfWork, request: dict[str, Any]
    ) -> tuple[ResidentRecord, list[ResidentRecord]] | str:
        """The person and the members to answer with, or the refusal's code."""
        reads = uow.read_model
        resident_code = str(request.get("resident_code", ""))
        atena = reads.atena_numbers_by_code([resident_code]).get(resident_code)
        person = reads.current(AtenaNumber(atena)) if atena else None
        if person is None:
            return "wide_area.not_found"
        if not person.is_resident:
            return "wide_area.not_resident"
        kept_name = to_unified(person.name.full, self._unified).text
        if not same_name(str(request.get("name", "")), kept_name) or str(
            request.get("birth_date", "")
        ) != birth_key(person.birth_date):
            return "wide_area.not_matched"
        if request.get("scope") == "household":
            members = sorted(
                reads.household_residents(person.household_number),
                key=lambda m: (m.display_order, m.atena_number.value),
            )
        else:
            members = [person]
        pairs = [(m.atena_number.value, m.household_number.value) for m in members]
        try:
            self._suppression.guard(uow, Process.ISSUE, pairs)
        except DomainError:
            return "wide_area.protected"
        return person, members
