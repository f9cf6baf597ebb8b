"""End-to-end: tenant shards (ADR 0016) through the CLI and the served API.

Two databases of their own (SQLite files, or PostgreSQL databases in the PostgreSQL pass): the
catalog database (the shard ``home``) and a shard ``b``. A municipality lives on one of them;
every request goes to its shard; ``municipality move`` carries one across while the API keeps
recording its changes, and no acknowledged change is lost or written twice.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, text

from jichitai.adapters.clock import SystemClock
from jichitai.domain.residents.commands import MoveIn
from jichitai.services.register import encode_command
from tests.e2e.conftest import Cli, own_database, served
from tests.factories import a_header, a_person, a_previous_address, an_address

MOVED = "131016"  # 千代田区: on home, moved to b while changes stream in
ON_B = "271004"  # 大阪市: on b from the start
PASSWORD = "shard-test-password"
GIVEN = ["一郎", "二郎", "三郎", "四郎", "五郎", "六郎", "七郎", "八郎", "九郎", "十郎"]


@pytest.fixture(scope="module")
def shard_b(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    with own_database(tmp_path_factory) as bound:
        bound.run("db", "upgrade").check_returncode()
        yield bound


@pytest.fixture(scope="module")
def home(cli: Cli, shard_b: Cli) -> Cli:
    """The catalog database with ``b`` added: 131016 on home, 271004 on b, staff on each."""
    cli.run("db", "upgrade").check_returncode()
    added = cli.ok("shard", "add", "b", shard_b.env["JICHITAI_DATABASE_URL"])
    assert added["shard"] == "b" and added["revision"]
    cli.ok("municipality", "add", MOVED, "千代田区")
    cli.ok("municipality", "add", ON_B, "大阪市", "--shard", "b")
    for code in (MOVED, ON_B):
        for role in ("clerk", "reviewer", "auditor"):
            login = f"{role}-{code}"
            cli.ok("user", "add", "--municipality", code, login, "--role", role, stdin=PASSWORD)
    cli.ok("demo", "seed", "--municipality", ON_B, "--residents", "40")
    cli.ok("demo", "seed", "--municipality", MOVED, "--residents", "40")
    return cli


def placed(cli: Cli) -> dict[str, list[str]]:
    return {s["shard"]: s["municipalities"] for s in cli.ok("shard", "list")}


def counted(cli: Cli, code: str) -> int:
    persons: int = cli.ok("stats", "--municipality", code)["persons"]
    return persons


def test_each_municipality_lives_on_its_shard_and_is_reached_through_the_catalog(
    home: Cli, shard_b: Cli
) -> None:
    assert placed(home) == {"home": [MOVED], "b": [ON_B]}
    listed = {m["municipality_code"] for m in home.ok("municipality", "list")}
    assert listed == {MOVED, ON_B}
    assert counted(home, ON_B) > 0
    # The rows are in b's database alone: b, asked as a database of its own, holds 271004
    # and not 131016; the catalog database holds no 271004.
    own = {m["municipality_code"] for m in shard_b.ok("municipality", "list")}
    assert own == {ON_B}
    refused = home.refused("stats", "--municipality", "131024")  # a code nobody has
    assert refused[0]["code"] == "municipality.not_found"
    for listed_shard in home.ok("shard", "list"):
        assert PASSWORD not in listed_shard["url"]


def test_bad_shards_and_moves_are_refused_with_their_codes(
    home: Cli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    url = home.env["JICHITAI_DATABASE_URL"]
    assert home.refused("shard", "add", "Bad_Name", url)[0]["code"] == "shard.name"
    assert home.refused("shard", "add", "home", url)[0]["code"] == "shard.name"
    assert home.refused("shard", "add", "b", url)[0]["code"] == "shard.exists"
    with own_database(tmp_path_factory) as unmigrated:
        fresh = unmigrated.env["JICHITAI_DATABASE_URL"]
        assert home.refused("shard", "add", "fresh", fresh)[0]["code"] == "shard.not_migrated"
    assert home.refused("shard", "add", "gone", unreachable_url(home))[0]["code"] == (
        "shard.unavailable"
    )
    assert home.refused("municipality", "move", ON_B, "--to", "b")[0]["code"] == ("move.same_shard")
    assert home.refused("municipality", "move", ON_B, "--to", "nowhere")[0]["code"] == (
        "shard.not_found"
    )
    assert home.refused("municipality", "add", "012025", "函館市", "--shard", "nowhere")[0][
        "code"
    ] == ("shard.not_found")
    # A move while another move of the same municipality runs (the catalog says so).
    with catalog(home) as conn:
        conn.execute(
            text(
                "INSERT INTO shard_assignments (municipality_code, shard, moving_to, assigned_at)"
                " VALUES (:code, 'home', 'b', CURRENT_TIMESTAMP)"
            ),
            {"code": MOVED},
        )
    try:
        assert home.refused("municipality", "move", MOVED, "--to", "b")[0]["code"] == (
            "move.in_progress"
        )
    finally:
        with catalog(home) as conn:
            conn.execute(
                text("DELETE FROM shard_assignments WHERE municipality_code = :code"),
                {"code": MOVED},
            )
    assert placed(home) == {"home": [MOVED], "b": [ON_B]}  # nothing half-done


def unreachable_url(cli: Cli) -> str:
    """A database URL nothing answers at: a PostgreSQL port nobody listens on, or an SQLite
    file in a folder that does not exist."""
    if cli.env["JICHITAI_DATABASE_URL"].startswith("postgresql"):
        return "postgresql+psycopg://nobody:secret@127.0.0.1:9/none?connect_timeout=2"
    return f"sqlite:////nonexistent-{uuid.uuid4().hex}/jichitai.db"


class catalog:
    """A transaction on the catalog database, as its owner (what an operator's SQL would do)."""

    def __init__(self, cli: Cli) -> None:
        url = cli.env["JICHITAI_DATABASE_URL"]
        self._engine = create_engine(
            url if "+" in url or url.startswith("sqlite") else url.replace("://", "+psycopg://")
        )

    def __enter__(self) -> Any:
        self._context = self._engine.begin()
        return self._context.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._context.__exit__(*exc)
        self._engine.dispose()


def token(base: str, login: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": login, "password": PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def a_move_in(number: int) -> dict[str, Any]:
    today = SystemClock("Asia/Tokyo").today()  # the served process's own clock
    given = GIVEN[number % len(GIVEN)]
    # A birth date of its own for each number: a second 佐藤 with the same name and birth date
    # would be held as a possible duplicate.
    born = f"昭和{number % 60 + 2}年{number // 60 % 12 + 1}月{number // 720 % 28 + 1}日"
    command = MoveIn(
        header=a_header(effective_on=today),
        members=(a_person(name="佐藤", given=given, kana=("サトウ", "タロウ"), born=born),),
        address=an_address(f"三丁目{number + 1}番1号"),
        previous_address=a_previous_address(),
    )
    return {"command": encode_command(command)}


def record(base: str, number: int, clerk: dict[str, str], reviewer: dict[str, str]) -> str:
    """A clerk's draft approved by a reviewer; answers the approved entry's event id. Retries
    a 503 (a shard that cannot answer for a moment) after its Retry-After."""

    def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        while True:
            answer = httpx.post(url, json=body, headers=headers, timeout=60)
            if answer.status_code != 503:
                return answer
            time.sleep(float(answer.headers.get("Retry-After", "1")))

    drafted = post(f"{base}/api/v1/drafts", a_move_in(number), clerk)
    assert drafted.status_code == 201, drafted.text
    url = f"{base}/api/v1/drafts/{drafted.json()['draft']['draft_id']}/approve"
    approved = post(url, {}, reviewer)
    if approved.status_code == 422:
        codes = [e["code"] for e in approved.json()["errors"]]
        approved = post(url, {"acknowledged_alerts": codes}, reviewer)
    assert approved.status_code == 200, approved.text
    event_id: str = approved.json()["event_id"]
    return event_id


def test_a_municipality_moves_to_another_shard_while_its_changes_keep_coming(
    home: Cli, shard_b: Cli
) -> None:
    before = counted(home, MOVED)
    with served(home) as base:
        clerk = token(base, f"clerk-{MOVED}")
        reviewer = token(base, f"reviewer-{MOVED}")
        acknowledged: list[str] = []
        failures: list[BaseException] = []
        moving = threading.Event()
        stop = threading.Event()

        def stream(worker: int) -> None:
            number = worker * 1000
            try:
                while not stop.is_set():
                    acknowledged.append(record(base, number, clerk, reviewer))
                    number += 1
                    moving.set()
            except BaseException as exc:  # shown by the main thread
                failures.append(exc)

        writers = [threading.Thread(target=stream, args=(w,)) for w in range(2)]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while not moving.wait(0.1):  # the first change recorded (or a writer failed)
            assert not failures, failures
            assert time.monotonic() < deadline, "no change was recorded before the move"
        try:
            report = home.ok("municipality", "move", MOVED, "--to", "b")
            during = len(acknowledged)
            deadline = time.monotonic() + 60
            while len(acknowledged) < during + 3 and not failures:  # changes go on, on b
                assert time.monotonic() < deadline, "no change was recorded after the move"
                time.sleep(0.05)
        finally:
            stop.set()
            for writer in writers:
                writer.join(120)
        assert not failures, failures
        # The other municipality's requests were never affected, and are not now.
        other = token(base, f"clerk-{ON_B}")
        found = httpx.get(f"{base}/api/v1/residents?q=佐藤", headers=other, timeout=30)
        assert found.status_code == 200, found.text

    print(  # noqa: T201 - the figures are the test's report (docs/operations.md)
        f"\nmove of {MOVED} home → b while {len(acknowledged)} changes were approved through the"
        f" API: {report['copy_rounds']} copy round(s), {report['rows_copied']} rows, writes"
        f" frozen {report['frozen_seconds']} s, {report['export_files_identical']} export files"
        f" ({report['export_bytes']} bytes) identical, {report['seconds']} s in all"
    )
    assert report["from"] == "home" and report["to"] == "b"
    assert report["export_files_identical"] >= 1 and report["journal_entries_verified"] > 0
    assert report["frozen_seconds"] < 10
    assert placed(home) == {"home": [], "b": [MOVED, ON_B]}
    # Every acknowledged change is in the register once, on b: as many new persons as
    # approvals, each approval's entry in the journal.
    assert len(set(acknowledged)) == len(acknowledged)
    assert counted(home, MOVED) == before + len(acknowledged)
    journal = home.ok("journal", "verify", "--municipality", MOVED)
    assert journal["chain"] == "ok"
    with catalog(shard_b) as conn:
        ids = set(
            conn.execute(
                text("SELECT event_id FROM journal WHERE municipality_code = :code"),
                {"code": MOVED},
            ).scalars()
        )
    assert set(acknowledged) <= ids
    # The copy left on home is no longer served: the catalog database answers from b.
    with catalog(home) as conn:
        placement = conn.execute(
            text("SELECT placement FROM municipalities WHERE code = :code"), {"code": MOVED}
        ).scalar_one()
    assert placement == "moved"


def test_a_shard_that_does_not_answer_fails_its_municipalities_alone(
    home: Cli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    code = "011002"  # 札幌市, on a shard that goes away
    with own_database(tmp_path_factory) as doomed:
        doomed.run("db", "upgrade").check_returncode()
        home.ok("shard", "add", "doomed", doomed.env["JICHITAI_DATABASE_URL"])
        home.ok("municipality", "add", code, "札幌市", "--shard", "doomed")
        home.ok("user", "add", "--municipality", code, "clerk-sapporo", "--role", "clerk",
                stdin=PASSWORD)  # fmt: skip
    # own_database dropped (PostgreSQL) or left behind (SQLite) the database: make it unreachable.
    with catalog(home) as conn:
        conn.execute(
            text("UPDATE shards SET url = :url WHERE name = 'doomed'"),
            {"url": unreachable_url(home)},
        )
        conn.execute(
            text(
                "INSERT INTO shard_assignments (municipality_code, shard, assigned_at)"
                " VALUES ('012025', 'ghost', CURRENT_TIMESTAMP)"
            )
        )
    try:
        with served(home) as base:
            unavailable = httpx.post(
                f"{base}/api/v1/auth/token",
                data={"username": "clerk-sapporo", "password": PASSWORD},
                timeout=30,
            )
            assert unavailable.status_code == 503, unavailable.text
            (error,) = unavailable.json()["errors"]
            assert error["code"] == "shard.unavailable"
            assert "接続できません" in error["message"]
            assert int(unavailable.headers["Retry-After"]) >= 1
            # The other shards' municipalities keep working.
            other = token(base, f"clerk-{ON_B}")
            assert httpx.get(f"{base}/api/v1/residents?q=佐藤", headers=other).status_code == 200
        refused = home.refused("stats", "--municipality", code)
        assert refused[0]["code"] == "shard.unavailable"
        ghost = home.refused("stats", "--municipality", "012025")  # a catalog naming no shard
        assert ghost[0]["code"] == "shard.missing"
        listed = {s["shard"]: s for s in home.ok("shard", "list")}
        assert listed["doomed"]["revision"] == "応答なし"
    finally:
        with catalog(home) as conn:
            conn.execute(text("DELETE FROM shard_assignments WHERE shard IN ('doomed', 'ghost')"))
            conn.execute(text("DELETE FROM shards WHERE name = 'doomed'"))
