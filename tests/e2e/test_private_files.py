"""Files with personal data are owner-only, whatever the umask the command runs with.

Each command runs under a permissive umask (000, and the usual 022): every file it writes that
can hold personal data — the SQLite database and its WAL and shared-memory files, a layout
export, an import's report and id map, a certificate PDF, the key directory's keys, issuer data
and seals — must be 0600, and every folder it makes for them 0700, also when it overwrites a
file that was readable by others.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx2 as httpx
import pytest
from PIL import Image

from jichitai.domain.common.municipality import municipality_check_digit
from tests.e2e.conftest import Cli, own_database, served

CODE = "131016"  # 千代田区
TARGET = "13102" + municipality_check_digit("13102")
"""A second tenant registered under the same name: the same municipality's register moved into
a new tenant, as a migration does (its residents' addresses lie in it)."""
NAME = "東京都千代田区"
POSTGRES = os.environ.get("JICHITAI_DATABASE_URL", "").startswith("postgresql")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(root: Path) -> dict[str, int]:
    """Every file and folder under ``root`` (``root`` included) with its permission bits."""
    found = {".": mode(root)}
    for path in sorted(root.rglob("*")):
        found[str(path.relative_to(root))] = mode(path)
    return found


def assert_owner_only(root: Path) -> None:
    expected = {
        name: 0o700 if (root / name).is_dir() else 0o600 for name in modes(root) if name != "."
    }
    assert {k: oct(v) for k, v in modes(root).items() if k != "."} == {
        k: oct(v) for k, v in expected.items()
    }


@pytest.fixture(scope="module", params=[0o000, 0o022], ids=lambda m: f"umask{m:03o}")
def permissive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cli]:
    """A CLI of its own, run with the umask given, whose key directory does not exist yet."""
    with own_database(tmp_path_factory) as bound:
        keys = tmp_path_factory.mktemp("private") / "new" / "keys"
        bound.env["JICHITAI_KEY_DIR"] = str(keys)
        cli = replace(bound, umask=request.param)
        assert cli.run("db", "upgrade").returncode == 0
        cli.ok("municipality", "add", CODE, NAME)
        cli.ok("demo", "seed", "-m", CODE, "--residents", "20", "--seed", "3")
        yield cli


def keys_of(cli: Cli) -> Path:
    return Path(cli.env["JICHITAI_KEY_DIR"])


def sqlite_file(cli: Cli) -> Path:
    return Path(cli.env["JICHITAI_DATABASE_URL"].removeprefix("sqlite:///"))


def seal_png() -> bytes:
    image = Image.new("RGB", (300, 300), "white")
    image.paste((200, 0, 0), (20, 20, 280, 280))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.mark.skipif(POSTGRES, reason="the database file is SQLite's")
def test_the_sqlite_database_and_its_wal_and_shm_files_are_owner_only(
    permissive: Cli, tmp_path: Path
) -> None:
    fresh = replace(permissive, env=dict(permissive.env))
    database = tmp_path / "register.db"
    fresh.env["JICHITAI_DATABASE_URL"] = f"sqlite:///{database}"
    # `serve` on a database that does not exist yet: it refuses to serve it, but SQLite has
    # made the file by then, owner-only.
    refused = fresh.run("serve", "--port", "1")
    assert refused.returncode == 2 and "database.not_upgraded" in refused.stderr
    assert mode(database) == 0o600
    database.unlink()
    assert fresh.run("db", "upgrade").returncode == 0
    assert mode(database) == 0o600
    # A database left readable by others (an earlier version, a copy) is tightened.
    database.chmod(0o644)
    assert fresh.run("db", "upgrade").returncode == 0
    assert mode(database) == 0o600
    # The served register: SQLite makes -wal and -shm with the database's own mode.
    served_db = sqlite_file(permissive)
    assert mode(served_db) == 0o600
    with served(permissive) as base:
        answer = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "nobody", "password": "x" * 12}
        )
        assert answer.status_code == 401
        wal = served_db.with_name(served_db.name + "-wal")
        shm = served_db.with_name(served_db.name + "-shm")
        assert (oct(mode(wal)), oct(mode(shm))) == (oct(0o600), oct(0o600))


def test_the_key_directory_issuer_data_and_seals_are_owner_only(
    permissive: Cli, tmp_path: Path
) -> None:
    seal = tmp_path / "seal.png"
    seal.write_bytes(seal_png())
    permissive.ok(
        "municipality", "issuer", "-m", CODE, "--mayor-name", "千代田　太郎", "--seal", str(seal)
    )
    keys = keys_of(permissive)
    own = keys / "municipalities" / CODE
    assert {p.name for p in own.iterdir()} >= {
        "key.pem", "cert.pem", "issuer.json", "official_seal.png",
    }  # fmt: skip
    assert_owner_only(keys.parent)  # "new" and everything under it was made by the command


def test_a_layout_export_is_owner_only(permissive: Cli, tmp_path: Path) -> None:
    out = tmp_path / "made" / "by" / "export"
    exported = permissive.ok("layout", "export", "-m", CODE, "--out", str(out))
    assert exported["persons"] > 0
    assert sorted(p.name for p in out.iterdir()) == [
        "gaiji_report.csv", "juki_jumin.csv", "juki_setai.csv", "juki_shien_sochi.csv",
        "manifest.json",
    ]  # fmt: skip
    assert_owner_only(tmp_path / "made")


def test_import_reports_and_id_maps_are_owner_only_even_over_readable_files(
    permissive: Cli, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    permissive.ok("layout", "export", "-m", CODE, "--out", str(export))
    permissive.ok("municipality", "add", TARGET, NAME)
    made = tmp_path / "new"
    dry = permissive.ok(
        "layout", "import", "-m", TARGET, str(export), "--dry-run", "--report",
        str(made / "reports"),
    )  # fmt: skip
    assert dry["faults"] == 0 and Path(dry["report"]) == made / "reports" / "import_report.csv"
    assert_owner_only(made)
    # A report and an id map already there, readable (and writable) by everyone, are overwritten
    # owner-only.
    kept = tmp_path / "kept"
    kept.mkdir()
    for name in ("import_report.csv", "id_map.csv"):
        (kept / name).write_text("old\r\n", encoding="utf-8")
        (kept / name).chmod(0o666)
    done = permissive.ok(
        "layout", "import", "-m", TARGET, str(export), "--ids", "renumber", "--report", str(kept)
    )
    assert done["written"] is True and Path(done["id_map"]) == kept / "id_map.csv"
    with (kept / "id_map.csv").open(encoding="utf-8", newline="") as id_map:
        assert next(csv.reader(id_map)) == ["種別", "移行元の番号", "新しい番号"]
    assert {name: oct(m) for name, m in modes(kept).items() if name != "."} == {
        "import_report.csv": oct(0o600),
        "id_map.csv": oct(0o600),
    }


def test_a_certificate_written_by_the_cli_is_owner_only(permissive: Cli, tmp_path: Path) -> None:
    new = tmp_path / "juminhyo.pdf"
    permissive.ok("certificate", "issue", "-m", CODE, "--person", "0000000019", "--out", str(new))
    assert new.read_bytes().startswith(b"%PDF") and mode(new) == 0o600
    readable = tmp_path / "again.pdf"
    readable.write_bytes(b"an older file")
    readable.chmod(0o644)
    permissive.ok(
        "certificate", "issue", "-m", CODE, "--person", "0000000019", "--out", str(readable)
    )
    assert readable.read_bytes().startswith(b"%PDF") and mode(readable) == 0o600
