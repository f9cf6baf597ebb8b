"""The queue of drafts names the residents its drafts are about by 氏名（宛名番号）: read for the
whole queue at once (a number of statements that does not grow with the drafts) and logged in
one access-log entry naming every person shown, a person under 支援措置 left out of both."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from jichitai.bootstrap import App
from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.residents.commands import InTownMove
from jichitai.services.audit import AccessSearch, Operation
from tests.api.conftest import Tenant, a_move_in, auth, command_json
from tests.factories import a_header, an_address
from tests.web.test_counter_http import log_in

DRAFTS = 20
SURNAMES = (("佐藤", "サトウ"), ("鈴木", "スズキ"), ("田中", "タナカ"), ("伊藤", "イトウ"))


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the connections ``engine`` lends out run inside the block: those of
    SQLAlchemy Core and those run on the driver's cursor (``adapters/db/raw.py``) alike, counted
    by the driver (sqlite3's trace callback; a psycopg cursor class of the connection's)."""
    seen: list[str] = []

    def lent(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(
                lambda sql: None if sql.startswith("--") else seen.append(sql)
            )
            return
        base = dbapi_connection.cursor_factory

        class Counting(base):  # type: ignore[misc, valid-type]
            def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
                seen.append(str(query))
                return super().execute(query, *args, **kwargs)

            def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
                seen.append(str(query))
                return super().executemany(query, *args, **kwargs)

        record.info["cursor_factory"] = base
        dbapi_connection.cursor_factory = Counting

    def returned(dbapi_connection: Any, record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(None)
        elif "cursor_factory" in record.info:
            dbapi_connection.cursor_factory = record.info.pop("cursor_factory")

    event.listen(engine, "checkout", lent)
    event.listen(engine, "checkin", returned)
    try:
        yield seen
    finally:
        event.remove(engine, "checkout", lent)
        event.remove(engine, "checkin", returned)


def residents(app: App, tenant: Tenant, count: int) -> list[str]:
    """``count`` residents more in the tenant's town (couples moving in)."""
    numbers: list[str] = []
    for i in range((count + 1) // 2):
        surname, kana = SURNAMES[i % len(SURNAMES)]
        moved_in = a_move_in(100 + i, f"{surname}{i}", kana)
        numbers.extend(app.register.record_change(tenant.code, moved_in).atena_numbers)
    return numbers[:count]


def moves(http: TestClient, tenant: Tenant, atena_numbers: list[str]) -> None:
    """One draft of a move within the town per person, entered through the staff API."""
    headers = auth(http, tenant.login(Role.CLERK))
    for number in atena_numbers:
        move = InTownMove(
            header=a_header(),
            atena_numbers=(AtenaNumber(number),),
            address=an_address("五丁目6番7号"),
        )
        answer = http.post("/api/v1/drafts", json={"command": command_json(move)}, headers=headers)
        assert answer.status_code == 201, answer.text


def queue_statements(http: TestClient, engine: Engine) -> tuple[str, int, int]:
    """The queue's page; the statements it ran, and those of them but the access log's index
    rows (one per person an entry names, written by one ``executemany``, which sqlite3's trace
    reports row by row)."""
    with statements(engine) as seen:
        queue = http.get("/ui/drafts")
    assert queue.status_code == 200
    index_rows = [s for s in seen if s.startswith("INSERT INTO access_log_persons")]
    return queue.text, len(seen), len(seen) - len(index_rows)


def test_the_queue_reads_its_residents_at_once_and_logs_them_in_one_entry(
    app: App, http: TestClient, tenant: Tenant, clean_db: Engine
) -> None:
    head, wife = tenant.atena_numbers
    app.suppressions.set(
        Actor(tenant.login(Role.DV_OFFICER), tenant.code, frozenset({Role.DV_OFFICER})),
        kind="dv_support",
        atena_number=wife,
        starts_on=date(2026, 11, 1),
        reason="支援措置申出",
    )
    others = residents(app, tenant, DRAFTS - 2)
    moves(http, tenant, [head, wife])
    log_in(http, tenant, Role.REVIEWER)
    _, two, two_less_index = queue_statements(http, clean_db)
    moves(http, tenant, others)
    page, twenty, twenty_less_index = queue_statements(http, clean_db)

    figures = (
        f"/ui/drafts: {two} statements with 2 drafts ({two_less_index} less the index rows),"
        f" {twenty} with {DRAFTS} ({twenty_less_index})"
    )
    assert twenty_less_index == two_less_index, figures
    assert f"（{head}）" in page and f"宛名番号 {wife}" in page
    for number in others:
        assert f"（{number}）" in page

    auditor = Actor(tenant.login(Role.AUDITOR), tenant.code, frozenset({Role.AUDITOR}))
    found = app.access_log.search(
        auditor,
        AccessSearch(user_login=tenant.login(Role.REVIEWER), operation=Operation.VIEW, limit=100),
    )
    assert [(e.target, len(e.atena_numbers)) for e in found] == [
        ("drafts", DRAFTS - 1),
        ("drafts", 1),
    ], "one entry a queue, naming every person shown: the one under 支援措置 is not"
    assert set(found[0].atena_numbers) == {head, *others}
    assert found[1].atena_numbers == (head,)
