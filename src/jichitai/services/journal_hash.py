"""The hash that chains the journal's entries (every writer of the journal computes it here)."""

from __future__ import annotations

import hashlib

import orjson

from jichitai.services.ports import JournalEntry


def entry_hash(entry: JournalEntry) -> str:
    """SHA-256 over the previous hash, the entry's fields and its payload.

    The hashed text is ``prev_hash``, the canonical JSON of every field but the payload (sorted
    keys, no spaces, characters as stored), a line feed, then the payload text itself (already
    canonical JSON, as stored: its 個人番号 sealed, ADR 0015): each stored column of the entry is
    covered exactly once.
    """
    fields = {
        "seq": entry.seq,
        "event_id": entry.event_id,
        "idempotency_key": entry.idempotency_key,
        "kind": entry.kind,
        "reason": entry.reason,
        "reason_group": entry.reason_group,
        "effective_on": entry.effective_on.isoformat(),
        "filed_on": entry.filed_on.isoformat() if entry.filed_on else None,
        "recorded_at": entry.recorded_at.isoformat(),
        "operator": entry.operator,
        "place": entry.place,
        "terminal": entry.terminal,
        "notes": entry.notes,
        "ex_officio": entry.ex_officio,
        "corrects_event_id": entry.corrects_event_id,
    }
    text = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(entry.prev_hash.encode())
    digest.update(text)
    digest.update(b"\n")
    digest.update(entry.payload.encode())
    return digest.hexdigest()
