"""A register written before 個人番号 were sealed (revision 0023, ADR 0015): after the migration
``encrypt-existing`` seals its snapshots and drafts and fills the keyed hashes, so the person is
found by the number again and no table but the append-only journal holds it in clear."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from jichitai.adapters.db.migrate import downgrade, upgrade
from jichitai.domain.residents.commands import MoveIn
from tests.apps import wire
from tests.factories import (
    a_header,
    a_municipality,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)
from tests.integration.test_schema import _separate_database


def move_in(seed: int, given: str) -> MoveIn:
    return MoveIn(
        header=a_header(),
        members=(a_person(given=given, individual_number=a_valid_individual_number(seed)),),
        address=an_address(),
        previous_address=a_previous_address(),
    )


def test_encrypt_existing_brings_a_register_from_before_0023_to_the_sealed_form(
    database_url: str, tmp_path: Path
) -> None:
    with _separate_database(database_url, tmp_path) as engine:
        upgrade(engine)
        app = wire(engine, tmp_path / "keys")
        code = a_municipality(app, "46", "試験市")
        number = a_valid_individual_number(31).value
        drafted = a_valid_individual_number(32).value
        atena = app.register.record_change(code, move_in(31, "一郎")).atena_numbers[0]
        app.register.save_draft(code, move_in(32, "二郎"))
        cipher = app.my_number_keys.cipher(code)

        # As the register was before 0023: the clear number in the projection, the snapshots
        # and the draft (the journal is append-only: its entry stays as written).
        downgrade(engine, "0022")
        with engine.begin() as conn:
            for table, column, key in (
                ("resident_history", "record", "atena_number"),
                ("drafts", "command", "draft_id"),
            ):
                rows = conn.execute(text(f"SELECT {key}, {column} FROM {table}")).all()
                for k, value in rows:
                    conn.execute(
                        text(f"UPDATE {table} SET {column} = :v WHERE {key} = :k"),
                        {"v": cipher.open_json(value), "k": k},
                    )
            conn.execute(text("UPDATE residents SET individual_number = :n"), {"n": number})
        upgrade(engine)
        assert app.queries.search(code, number) == []  # no hash yet: run encrypt-existing

        done = app.encrypt_existing(code)
        assert (done.snapshots, done.drafts, done.hashes) == (1, 1, 1)
        assert done.journal_entries_clear == 0
        assert [r.atena_number.value for r in app.queries.search(code, number)] == [atena]
        assert app.encrypt_existing(code) == done.__class__(code, 0, 0, 0, 0)  # once is enough
        with engine.connect() as conn:
            for table, column in (("resident_history", "record"), ("drafts", "command")):
                stored = " ".join(conn.execute(text(f"SELECT {column} FROM {table}")).scalars())
                assert number not in stored and drafted not in stored
        assert drafted in app.register.drafts(code)[0].command
        assert app.register.verify_chain(code) == 1
