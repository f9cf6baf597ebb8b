"""The current-state projection's searchable columns (``residents``), derived from a snapshot.

Kept apart from the repository (no SQLAlchemy here): the data migration's worker processes make
these rows next to the checks of each row, and a worker should not load what it does not use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jichitai.adapters.db.values import same_value
from jichitai.domain.residents.model import ResidentRecord


def projection_row(
    municipality_code: str,
    record: ResidentRecord,
    value: Callable[[Any], Any] = same_value,
    *,
    search_hash: Callable[[str], str],
) -> dict[str, Any]:
    """The searchable columns of the current-state projection, derived from a snapshot.

    The 個人番号 is stored as its keyed hash (``search_hash``, ADR 0015), never in clear."""
    foreign = record.foreign
    return {
        "municipality_code": municipality_code,
        "atena_number": record.atena_number.value,
        "history_number": record.history_number,
        "household_number": record.household_number.value,
        "kind": record.kind.value,
        "status": record.status.value,
        "sex": record.sex.value,
        "relationship": record.relationship.text,
        "name_text": record.name.full[:200],
        "kana_key": record.name.kana_key[:200],
        "kanji_key": record.name.kanji_key[:200],
        "birth_sort": value(record.birth_date.approximation),
        "birth_text": record.birth_date.display()[:60],
        "address_text": record.address.display()[:400],
        "address_key": record.address.search_key()[:400],
        "individual_number_hash": (
            search_hash(record.individual_number.value) if record.individual_number else None
        ),
        "resident_code": record.resident_code.value if record.resident_code else None,
        "residence_card_number": (
            foreign.residence_card_number.value
            if foreign and foreign.residence_card_number
            else None
        ),
        "removed_on": value(record.removed_on),
        "hidden_from_other_systems": value(record.hidden_from_other_systems),
    }
