"""``adapters/private_files.py`` on the real file system: 0600 files and 0700 folders whatever
the umask, files that already exist tightened, SQLite's companions made with the database's
mode. (The commands that use it are tested end to end in ``tests/e2e/test_private_files.py``.)"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from jichitai.adapters.db.engine import create_engine_for
from jichitai.adapters.private_files import (
    open_private,
    private_database_file,
    private_dir,
    replace_private,
    write_private,
)

UMASKS = [0o000, 0o022, 0o077, 0o277]
"""Permissive, usual, strict, and one that takes the owner's own write bit away."""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=UMASKS, ids=lambda m: f"umask{m:03o}")
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_folders_made_are_owner_only_and_existing_ones_are_left_alone(
    umask: int, tmp_path: Path
) -> None:
    tmp_path.chmod(0o755)
    made = private_dir(tmp_path / "a" / "b" / "c")
    assert made == tmp_path / "a" / "b" / "c" and made.is_dir()
    assert [oct(mode(tmp_path / p)) for p in ("a", "a/b", "a/b/c")] == [oct(0o700)] * 3
    assert mode(tmp_path) == 0o755  # not made here: the owner's choice
    private_dir(made)  # again: nothing to do
    assert mode(made) == 0o700


def test_a_file_is_created_owner_only_and_an_existing_one_is_tightened_when_overwritten(
    umask: int, tmp_path: Path
) -> None:
    new = tmp_path / "new.csv"
    with open_private(new, "w", newline="") as out:
        out.write("宛名番号\r\n")
    assert new.read_bytes() == "宛名番号\r\n".encode() and mode(new) == 0o600
    old = tmp_path / "old.bin"
    old.write_bytes(b"a longer file than the new one")
    old.chmod(0o666)
    write_private(old, b"new")
    assert old.read_bytes() == b"new" and mode(old) == 0o600
    with pytest.raises(FileExistsError):
        write_private(old, b"again", exclusive=True)
    assert old.read_bytes() == b"new"


def test_a_replaced_file_is_owner_only_and_nothing_is_left_beside_it(
    umask: int, tmp_path: Path
) -> None:
    target = tmp_path / "issuer.json"
    target.write_text("{}", encoding="utf-8")
    target.chmod(0o644)
    replace_private(target, b'{"mayor_name": "\xe5\xb1\xb1\xe7\x94\xb0"}')
    assert mode(target) == 0o600 and sorted(p.name for p in tmp_path.iterdir()) == ["issuer.json"]


def test_a_database_is_made_owner_only_before_sqlite_opens_it(umask: int, tmp_path: Path) -> None:
    database = tmp_path / "register.db"
    private_database_file(database)
    assert database.read_bytes() == b"" and mode(database) == 0o600
    # Left by an earlier run, readable by others: the database and its companions.
    for suffix in ("", "-wal", "-shm"):
        tmp_path.joinpath(f"register.db{suffix}").touch(0o644)
        tmp_path.joinpath(f"register.db{suffix}").chmod(0o644)
    private_database_file(database)
    assert {p.name: oct(mode(p)) for p in tmp_path.iterdir()} == {
        "register.db": oct(0o600),
        "register.db-wal": oct(0o600),
        "register.db-shm": oct(0o600),
    }
    private_database_file(tmp_path / "missing" / "register.db")  # SQLite will say why
    assert not (tmp_path / "missing").exists()


def test_sqlite_makes_its_wal_and_shm_with_the_database_files_mode(
    umask: int, tmp_path: Path
) -> None:
    database = tmp_path / "register.db"
    engine = create_engine_for(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            # While a connection is open, SQLite keeps the WAL and the shared memory beside it.
            assert {p.name: oct(mode(p)) for p in tmp_path.iterdir()} == {
                "register.db": oct(0o600),
                "register.db-wal": oct(0o600),
                "register.db-shm": oct(0o600),
            }
    finally:
        engine.dispose()


def test_tightening_before_a_new_connection_leaves_the_open_connections_locks_alone(
    tmp_path: Path,
) -> None:
    """The pool runs the check before every new connection, while this process may hold
    SQLite's locks on the files: opening and closing any descriptor of them would drop every
    POSIX lock of the process on it, and another process could then take the database from
    under the open connection (here: switch it out of WAL mode while it reads)."""
    database = tmp_path / "register.db"
    private_database_file(database)
    reader = sqlite3.connect(database, isolation_level=None)
    try:
        reader.execute("PRAGMA journal_mode=WAL")
        reader.execute("CREATE TABLE t (x)")
        reader.execute("INSERT INTO t VALUES (1)")
        reader.execute("BEGIN")
        assert reader.execute("SELECT x FROM t").fetchall() == [(1,)]
        private_database_file(database)  # as a second pooled connection opens
        other = subprocess.run(
            [sys.executable, "-c", SWITCH_OUT_OF_WAL, str(database)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert "database is locked" in other.stderr, other.stdout
        assert reader.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        reader.close()


SWITCH_OUT_OF_WAL = """
import sqlite3, sys
other = sqlite3.connect(sys.argv[1], timeout=0.1, isolation_level=None)
print(other.execute("PRAGMA journal_mode=DELETE").fetchone())
"""
