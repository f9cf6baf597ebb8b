"""Journal entries the system appends of its own accord, no 異動: ``took_effect``
(``services/effective_dates.py``) and ``protection`` (``services/protection.py``).

Such an entry writes no snapshot, has no place, terminal or notes, is never ex officio and
corrects nothing; its payload is canonical JSON (sorted keys, no spaces, characters as they
are) and names no 個人番号, so it is stored as it is. The caller holds the chain head's lock
(``journal_head``) and commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime

from jichitai.services.event_ids import new_event_id
from jichitai.services.journal_hash import entry_hash
from jichitai.services.ports import IdSource, JournalEntry, RegisterJournal


def append_system_entry(
    repo: RegisterJournal,
    ids: IdSource,
    *,
    head: tuple[int, str],
    idempotency_key: str,
    kind: str,
    reason: str,
    reason_group: str,
    effective_on: date,
    filed_on: date | None,
    operator: str,
    now: datetime,
    payload: Mapping[str, object],
) -> JournalEntry:
    """Append, after ``head`` (the seq and hash of the chain's last entry), the entry of
    ``kind`` recorded ``now``; the entry as appended."""
    seq, prev_hash = head
    recorded_at = now.astimezone(UTC)
    draft = JournalEntry(
        seq=seq + 1,
        event_id=new_event_id(ids, recorded_at),
        idempotency_key=idempotency_key,
        kind=kind,
        reason=reason,
        reason_group=reason_group,
        effective_on=effective_on,
        filed_on=filed_on,
        recorded_at=recorded_at,
        operator=operator,
        place="",
        terminal="",
        notes="",
        ex_officio=False,
        corrects_event_id=None,
        payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        prev_hash=prev_hash,
        entry_hash="",
    )
    entry = replace(draft, entry_hash=entry_hash(draft))
    repo.append(entry, [], {})
    return entry
