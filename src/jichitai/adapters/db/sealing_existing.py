"""``jichitai keys encrypt-existing``: a register written before 個人番号 were sealed (revision
0023, ADR 0015) brought to the sealed form, in one transaction per municipality.

It seals the ``individual_number`` members of every snapshot (``resident_history``) and draft
still holding them in clear, and fills the projection's keyed hash from each person's current
snapshot. Journal entries are not rewritten: the journal is append-only (triggers, and on
PostgreSQL the application role has no UPDATE), and its hash chain is the register's evidence;
the entries appended before 0023 keep the numbers they were written with, counted in the
answer (docs/operations.md "個人番号 at rest" says what to do about them). Running it again
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.register_rows import decode_record
from jichitai.adapters.security.my_number_keys import MyNumberKeys

_CLEAR = '"individual_number":"'


@dataclass(frozen=True, slots=True)
class Resealed:
    municipality_code: str
    snapshots: int
    drafts: int
    hashes: int
    journal_entries_clear: int
    """Entries appended before revision 0023 that still hold a clear 個人番号 (append-only)."""


def _unsealed(text: str) -> bool:
    return _CLEAR in text and any(not part.startswith("enc:v1:") for part in text.split(_CLEAR)[1:])


def encrypt_existing(engine: Engine, keys: MyNumberKeys, code: str) -> Resealed:
    cipher = keys.cipher(code)
    h, r, d, j = t.resident_history.c, t.residents.c, t.drafts.c, t.journal.c
    with engine.begin() as conn:
        snapshots = 0
        for atena, number, text in conn.execute(
            select(h.atena_number, h.history_number, h.record).where(
                h.municipality_code == code, h.record.contains(_CLEAR)
            )
        ).all():
            if _unsealed(text):
                conn.execute(
                    t.resident_history.update()
                    .where(
                        h.municipality_code == code,
                        h.atena_number == atena,
                        h.history_number == number,
                    )
                    .values(record=cipher.seal_json(text))
                )
                snapshots += 1
        drafts = 0
        for draft_id, command in conn.execute(
            select(d.draft_id, d.command).where(
                d.municipality_code == code, d.command.contains('"individual_number"')
            )
        ).all():
            sealed = cipher.seal_json(command)
            if sealed != command:
                conn.execute(
                    t.drafts.update()
                    .where(d.municipality_code == code, d.draft_id == draft_id)
                    .values(command=sealed)
                )
                drafts += 1
        hashes = 0
        current = t.residents.join(
            t.resident_history,
            (h.municipality_code == r.municipality_code)
            & (h.atena_number == r.atena_number)
            & (h.history_number == r.history_number),
        )
        for atena, text, old in conn.execute(
            select(r.atena_number, h.record, r.individual_number_hash)
            .select_from(current)
            .where(r.municipality_code == code)
        ).all():
            record = decode_record(cipher.open_json(text))
            number = record.individual_number
            new = cipher.search_hash(number.value) if number is not None else None
            if new != old:
                conn.execute(
                    t.residents.update()
                    .where(r.municipality_code == code, r.atena_number == atena)
                    .values(individual_number_hash=new)
                )
                hashes += 1
        clear = sum(
            1
            for (payload,) in conn.execute(
                select(j.payload).where(j.municipality_code == code, j.payload.contains(_CLEAR))
            )
            if _unsealed(payload)
        )
    return Resealed(code, snapshots, drafts, hashes, clear)
