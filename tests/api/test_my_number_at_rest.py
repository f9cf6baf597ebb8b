"""個人番号 at rest (ADR 0015): a dump of the database holds no readable 個人番号, while the
register still finds a person by it and gives it to those allowed to see it.

Every text column of every table (``tables.metadata``) is read back after the register has
recorded a 転入 with a 個人番号, kept a draft with another, corrected a person with a third and
issued a certificate printing one, and none of the numbers may be found in it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import String, Text, select

from jichitai.adapters.db import tables as t
from jichitai.adapters.db.sealing import bind_keys
from jichitai.adapters.security.my_number_keys import MyNumberKeyError
from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.certificates.kinds import CertificateKind, ItemChoice
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import RuleViolations
from jichitai.domain.residents.commands import Correct, MoveIn, RecordChanges
from jichitai.domain.residents.reasons import ChangeReason
from jichitai.services.certificates import CertificateRequest
from tests.api.conftest import Tenant, a_move_in, auth
from tests.api.test_integration_api import feed, key, subscribe
from tests.apps import wire
from tests.factories import (
    a_header,
    a_municipality,
    a_named_certifier,
    a_person,
    a_previous_address,
    a_valid_individual_number,
    an_address,
)


def dumped_text(app: App) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text value the database holds."""
    out = []
    with app.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in conn.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value:
                        out.append((table.name, column.name, str(value)))
    return out


def test_a_dump_holds_no_readable_my_number_yet_search_feed_and_certificate_have_it(
    app: App, client: TestClient, tenant: Tenant
) -> None:
    code = tenant.code
    head = tenant.atena_numbers[0]
    moved_in = a_valid_individual_number(7).value  # the tenant's head (tests/api/conftest.py)
    drafted = a_valid_individual_number(8).value
    corrected = a_valid_individual_number(9).value
    app.register.save_draft(code, a_move_in(number_seed=8, surname="佐藤", kana="サトウ"))
    app.register.record_change(
        code,
        Correct(
            header=a_header(),
            atena_number=AtenaNumber(tenant.atena_numbers[1]),
            reason=ChangeReason.INDIVIDUAL_NUMBER_EX_OFFICIO_ENTRY,
            changes=RecordChanges(individual_number=a_valid_individual_number(9)),
        ),
    )
    a_named_certifier(app, code)
    reviewer = Actor(f"reviewer-{code}", code, frozenset({Role.REVIEWER}), terminal="窓口1")
    app.certificates.issue(
        reviewer,
        CertificateRequest(
            head,
            CertificateKind.RESIDENCE_CERTIFICATE,
            items=ItemChoice(individual_number=True),
        ),
    )

    # The register itself still reads them: the record, the search, the draft, the chain.
    assert app.queries.current(code, head).individual_number.value == moved_in  # type: ignore[union-attr]
    staff = auth(client, tenant.login(Role.REVIEWER))
    searched = client.get("/api/v1/residents", params={"q": moved_in}, headers=staff)
    assert searched.status_code == 200, searched.text
    assert [r["atena_number"] for r in searched.json()["results"]] == [head]
    by_corrected = client.get("/api/v1/residents", params={"q": corrected}, headers=staff)
    assert [r["atena_number"] for r in by_corrected.json()["results"]] == [tenant.atena_numbers[1]]
    draft = app.register.drafts(code)[0]
    assert drafted in draft.command and json.loads(draft.command)
    assert app.register.verify_chain(code) == 2  # the chain covers the sealed payloads

    # A subscriber with the duty gets the number in the feed and finds the person by it.
    tax = subscribe(app, code, ("個人番号", "氏_日本人"), my_number=True)
    records = [r for c in feed(client, tax)["changes"] for r in c["records"]]
    assert {r["個人番号"] for r in records} >= {moved_in, corrected}
    by_number = client.get("/integration/v1/persons", params={"q": moved_in}, headers=key(tax))
    assert [r["宛名番号"] for r in by_number.json()["records"]] == [head]

    # Then the dump: after every write and every read above (searches are logged too).
    numbers = {moved_in, drafted, corrected}
    found = [
        (table, column)
        for table, column, value in dumped_text(app)
        if any(n in value for n in numbers)
    ]
    assert found == []
    sealed = [(tb, c) for tb, c, v in dumped_text(app) if "enc:v1:" in v]
    assert {("resident_history", "record"), ("journal", "payload"), ("drafts", "command")} <= set(
        sealed
    )


def test_a_move_in_with_a_number_already_held_is_refused(app: App, tenant: Tenant) -> None:
    """The duplicate check of a 転入 searches the keyed hash (``find_by_identifiers``)."""
    outcomes = app.register.record_changes(tenant.code, [a_move_in(number_seed=7, surname="佐藤")])
    assert isinstance(outcomes[0], RuleViolations)
    assert outcomes[0].code == "person.duplicate_live"


def test_a_register_with_data_is_not_given_new_keys_from_an_empty_key_directory(
    app: App, tenant: Tenant, tmp_path: Path
) -> None:
    """A server pointed at the wrong key directory fails loudly rather than sealing with new
    keys and finding nobody by 個人番号."""
    elsewhere = wire(app.engine, tmp_path / "other-keys")
    try:
        with pytest.raises(MyNumberKeyError) as refused:
            elsewhere.queries.current(tenant.code, tenant.atena_numbers[0])
        assert "鍵ディレクトリ" in str(refused.value)
        assert not (tmp_path / "other-keys" / "my_number" / tenant.code).exists()
        # A register with nothing sealed yet gets its keys, even after changes without 個人番号.
        fresh = a_municipality(elsewhere, "13", "新市")
        without = MoveIn(
            header=a_header(),
            members=(a_person(),),
            address=an_address(),
            previous_address=a_previous_address(),
        )
        elsewhere.register.record_change(fresh, without)
        assert not (tmp_path / "other-keys" / "my_number" / fresh).exists()
        elsewhere.register.record_change(fresh, a_move_in(number_seed=13, surname="二"))
        assert (tmp_path / "other-keys" / "my_number" / fresh / "search.json").exists()
    finally:
        bind_keys(app.engine, app.my_number_keys)  # the test's own application's keys again
