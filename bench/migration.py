"""Migration benchmark: persons per second through ``jichitai layout import``, beside a raw insert.

    jichitai bench migration --persons 1000000                 (or: make bench)
    scripts/with-postgres.sh jichitai bench migration --persons 1000000

1. Template. A fresh SQLite register in a temporary directory, seeded with the demo generator
   (``--template`` residents, about 2,000: households, foreign residents, unknown dates, rare
   characters, histories, removed records) and exported with the application's own layout export
   service (UTF-8) — exactly what ``jichitai layout export`` writes.
2. Generation. The big export is the template replicated whole: copy k = 0, 1, 2, … of every
   住民 row (one per history snapshot, grouped by 宛名番号) and every 世帯 row, with the numbers
   rewritten so that each copy is a distinct, valid register: 宛名番号, 世帯番号 and
   世帯主_宛名番号 get new serials (template person i → serial k·T + i + 1, household j →
   k·H + j + 1) with their M11W2-7 check digit, 個人番号 and 住民票コード get new unique
   numbers with their check digits — all through ``jichitai.domain.common.identifiers`` — and
   在留カード番号 / 特別永住者証明書番号 new unique ones (the import refuses one number on two
   living residents, as the counter does). The
   mapping is one function template number → new number per copy, so history rows, households
   and heads stay consistent. Only whole copies are written: ``ceil(persons / T)`` copies, and
   the actual number of persons is reported. Each template row is parsed once with ``csv`` and
   rendered once by ``csv.writer`` (CRLF) with the number cells left as slots; a copy is the
   rendered text with the slots filled (number cells are plain ASCII, never quoted), encoded, hashed
   and appended — the output is streamed, never held whole. ``manifest.json`` is written as the
   exporter writes it (rows, bytes, SHA-256 per file; the 外字 report of a UTF-8 export is its
   header only, copied from the template with its hash).
3. Import. The real command in a subprocess —
   ``jichitai layout import --municipality CODE DIR --json --no-progress --report DIR`` — against
   a database that was upgraded and given the municipality in this process beforehand. Its wall
   clock (start-up included) gives persons/s. Peak memory: the largest sum, sampled every 0.25 s,
   of the PSS (proportional set size) of the import process and every process below it (its
   worker processes, their fork server, the resource tracker) — the memory the import really
   holds, a page shared by n processes counted 1/n in each. Also printed: the import process's
   own ``ru_maxrss`` (``os.wait4`` on that one child) and the command's ``peak_memory_mb`` (its
   peak plus, per worker and for the fork server, the largest worker's: an upper bound that
   counts shared pages once per process). The command uses its default number of workers (as
   many as CPUs for an import this size). It must answer ``written: true`` with no fault, else
   the benchmark fails with its output.
4. Baseline, same run, same database: the raw driver inserts the same rows (both CSV files of
   the big export, read with ``csv.reader`` and streamed) into bare tables with as many TEXT
   columns, in one transaction, and the tables are dropped afterwards. SQLite: ``sqlite3``
   ``executemany`` in batches of 10,000 into the same file (WAL, ``synchronous=NORMAL`` as the
   application opens it). PostgreSQL: psycopg 3 ``COPY … FROM STDIN`` with ``write_row``, the
   fast path there. rows/s = rows / seconds; ratio = persons/s ÷ baseline rows/s.

5. The foreign vendor's form (issue 18, ``bench/migration_vendor.py``): the big export rewritten
   as another system writes it — cp932, the layout's standard items only, no ``manifest.json``,
   one 氏 in a hundred with a private-use 外字 (U+E000–U+E00F) and every character cp932 cannot
   write as one too, with the matching ``--gaiji-map`` file, one row in ten with 和暦 dates and
   padded names — imported with ``--encoding cp932 --gaiji-map FILE`` into an empty
   municipality (a fresh SQLite file beside the first when the benchmark made its own; else the
   same database, another municipality), timed and measured as step 3. It must yield as many
   persons, snapshots and households. Printed: its line, the ratio vendor/current persons/s, and
   the target (``≥ 0.80``) met or missed.

The database is ``--database-url``, else ``JICHITAI_DATABASE_URL`` when it names PostgreSQL,
else an SQLite file in the temporary directory. A PostgreSQL database is upgraded and given a
municipality code it does not have yet; the imported register stays there (run it on a
throwaway cluster: ``scripts/with-postgres.sh``).

The last line is the figure:
``migration: <persons/s> persons/s; peak memory <MB> MB; baseline raw insert <rows/s> rows/s; ratio <r>;
vendor <persons/s> persons/s; vendor/current <r>``
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from bench.migration_vendor import write_vendor
from bench.support import BenchFailed, descendants, executable, seed_demo
from sqlalchemy.engine import make_url

from jichitai.adapters.private_files import open_private, private_dir, write_private
from jichitai.adapters.standard_layout.csv_export import GAIJI_REPORT, MANIFEST
from jichitai.bootstrap import bootstrap
from jichitai.config import Settings
from jichitai.domain.common.identifiers import (
    AtenaNumber,
    HouseholdNumber,
    ResidentCode,
    individual_number_check_digit,
)
from jichitai.domain.common.municipality import municipality_check_digit

CODE = "131016"
NAME = "東京都千代田区"
LAYOUT_VERSION = "1.0"
JUMIN = "juki_jumin.csv"
SETAI = "juki_setai.csv"
BATCH = 10_000
INDIVIDUAL_BASE = 20_000_000_000  # first 11 digits of the generated 個人番号
RESIDENT_CODE_BASE = 3_000_000_000  # first 10 digits of the generated 住民票コード
TEN_DIGITS = re.compile(r"(?<![0-9])[0-9]{10}(?![0-9])")
TARGET_VENDOR_RATIO = 0.80  # the vendor form's persons/s ÷ the current import's (issue 18)
SLOT = "\x01"  # stands for a number cell while a template row is rendered (never in the data)


class SeededRandom:
    """Digits for 住民票コード from a seed, so the template is the same every run."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def digits(self, count: int) -> str:
        return "".join(self._random.choice("0123456789") for _ in range(count))


# -- 1. template ---------------------------------------------------------------------------------


def make_template(directory: Path, residents: int, seed: int) -> tuple[int, float]:
    """Seed a template register and export it (UTF-8) to ``directory``: (persons, seconds)."""
    started = time.perf_counter()
    app = bootstrap(
        Settings(database_url=f"sqlite:///{directory.parent / 'template.db'}"),
        random=SeededRandom(seed),
    )
    try:
        app.upgrade_database()
        app.municipalities.add(CODE, NAME)
        seed_demo(app, CODE, residents, seed, app.clock.today())
        result = app.layout_export.export(CODE, str(directory), "utf-8", LAYOUT_VERSION)
    finally:
        app.engine.dispose()
    if result.gaiji_characters:
        raise BenchFailed(f"a UTF-8 export reported {result.gaiji_characters} 外字 characters")
    return result.persons, time.perf_counter() - started


# -- 2. generation -------------------------------------------------------------------------------


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, strict=True))
    return rows[0], rows[1:]


class _Numbers:
    """Template numbers in order of first appearance → their index (0, 1, …)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, value: str) -> None:
        if value and value not in self.index:
            self.index[value] = len(self.index)

    def __len__(self) -> int:
        return len(self.index)


@dataclass(frozen=True)
class _Rendered:
    """A template file rendered once: per row the text pieces around its number slots, and per
    slot which numbering (kind) and which template number (index) it holds."""

    header: bytes
    pieces: list[list[str]]
    slots: list[list[tuple[int, int]]]


def _render(
    header: list[str], rows: list[list[str]], columns: dict[int, tuple[int, _Numbers]]
) -> _Rendered:
    """Render ``rows`` with ``csv.writer`` (CRLF), each number cell of ``columns`` a slot."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    head = buffer.getvalue().encode("utf-8")
    pieces: list[list[str]] = []
    slots: list[list[tuple[int, int]]] = []
    for row in rows:
        if any(SLOT in cell for cell in row):
            raise BenchFailed("the template holds the slot character U+0001")
        cells = list(row)
        row_slots: list[tuple[int, int]] = []
        for column, (kind, numbers) in columns.items():
            if cells[column]:
                row_slots.append((kind, numbers.index[cells[column]]))
                cells[column] = SLOT
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        parts = buffer.getvalue().split(SLOT)
        assert len(parts) == len(row_slots) + 1
        pieces.append(parts)
        slots.append(row_slots)
    return _Rendered(head, pieces, slots)


# The numberings: each copy maps template index i to a new number of its kind.
ATENA, HOUSEHOLD, INDIVIDUAL, RESIDENT_CODE, CARD = range(5)


def _new_number(kind: int, value: int) -> str:
    if kind == ATENA:
        return AtenaNumber.from_serial(value + 1).value
    if kind == HOUSEHOLD:
        return HouseholdNumber.from_serial(value + 1).value
    if kind == INDIVIDUAL:
        body = f"{INDIVIDUAL_BASE + value:011d}"
        return body + individual_number_check_digit(body)
    if kind == RESIDENT_CODE:
        return ResidentCode.from_random_digits(f"{RESIDENT_CODE_BASE + value:010d}").value
    return f"AB{value:08d}CD"  # 在留カード番号 / 特別永住者証明書番号: unique like the others


class _Sink:
    """An output file: bytes appended, counted and hashed."""

    def __init__(self, path: Path) -> None:
        self._file: BinaryIO = open_private(path)  # an export's worth of (synthetic) persons
        self.sha256 = hashlib.sha256()
        self.bytes = 0
        self.rows = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.bytes += len(data)
        self._file.write(data)

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class Generated:
    persons: int
    copies: int
    rows: dict[str, int]
    bytes: int
    seconds: float


def _check_no_other_references(
    header: list[str], rows: list[list[str]], mapped: set[int], numbers: list[_Numbers]
) -> None:
    """Fail if a column that is not rewritten names a template 宛名番号 or 世帯番号."""
    for row in rows:
        for column, cell in enumerate(row):
            if column in mapped or not cell:
                continue
            for found in TEN_DIGITS.findall(cell):
                if any(found in n.index for n in numbers):
                    raise BenchFailed(
                        f"column {header[column]} holds the number {found}: the generator"
                        " would have to rewrite it too"
                    )


def generate(template: Path, out: Path, persons: int) -> Generated:
    """Replicate the template export into ``out`` until it holds at least ``persons`` persons."""
    started = time.perf_counter()
    jumin_header, jumin = _read_csv(template / JUMIN)
    setai_header, setai = _read_csv(template / SETAI)
    atena, household, individual, resident_code = _Numbers(), _Numbers(), _Numbers(), _Numbers()
    card = _Numbers()
    j = {
        name: jumin_header.index(name)
        for name in (
            "宛名番号",
            "世帯番号",
            "個人番号",
            "住民票コード",
            "在留カード番号",
            "特別永住者証明書番号",
        )
    }
    s = {name: setai_header.index(name) for name in ("世帯番号", "世帯主_宛名番号")}
    for row in setai:
        household.add(row[s["世帯番号"]])
    for row in jumin:
        atena.add(row[j["宛名番号"]])
        household.add(row[j["世帯番号"]])
        individual.add(row[j["個人番号"]])
        resident_code.add(row[j["住民票コード"]])
        card.add(row[j["在留カード番号"]])
        card.add(row[j["特別永住者証明書番号"]])
    for row in setai:
        head = row[s["世帯主_宛名番号"]]
        if head and head not in atena.index:
            raise BenchFailed(f"世帯主_宛名番号 {head} names no person of the template")
    _check_no_other_references(jumin_header, jumin, set(j.values()), [atena, household])
    _check_no_other_references(setai_header, setai, set(s.values()), [atena, household])
    files = {
        JUMIN: _render(
            jumin_header,
            jumin,
            {
                j["宛名番号"]: (ATENA, atena),
                j["世帯番号"]: (HOUSEHOLD, household),
                j["個人番号"]: (INDIVIDUAL, individual),
                j["住民票コード"]: (RESIDENT_CODE, resident_code),
                j["在留カード番号"]: (CARD, card),
                j["特別永住者証明書番号"]: (CARD, card),
            },
        ),
        SETAI: _render(
            setai_header,
            setai,
            {s["世帯番号"]: (HOUSEHOLD, household), s["世帯主_宛名番号"]: (ATENA, atena)},
        ),
    }
    sizes = [len(atena), len(household), len(individual), len(resident_code), len(card)]
    per_copy = len(atena)
    if per_copy == 0:
        raise BenchFailed("the template has no person")
    copies = math.ceil(persons / per_copy)
    manifest: dict[str, Any] = json.loads((template / MANIFEST).read_text(encoding="utf-8"))
    # The layout's other files (支援措置等) are written with their header only: the generated
    # persons carry no suppression settings (their 措置ID would have to be renumbered per copy).
    others = [entry["file"] for entry in manifest["files"] if entry["file"] not in files]
    private_dir(out)
    sinks = {name: _Sink(out / name) for name in [*files, *others]}
    try:
        for name, rendered in files.items():
            sinks[name].write(rendered.header)
        for name in others:
            header, _ = _read_csv(template / name)
            sinks[name].write(_render(header, [], {}).header)
        for k in range(copies):
            # This copy's numbers, one list per numbering, indexed by the template index.
            numbers = [
                [_new_number(kind, k * size + i) for i in range(size)]
                for kind, size in enumerate(sizes)
            ]
            for name, rendered in files.items():
                chunk: list[str] = []
                for parts, row_slots in zip(rendered.pieces, rendered.slots, strict=True):
                    chunk.append(parts[0])
                    for (kind, index), part in zip(row_slots, parts[1:], strict=True):
                        chunk.append(numbers[kind][index])
                        chunk.append(part)
                sinks[name].write("".join(chunk).encode("utf-8"))
                sinks[name].rows += len(rendered.pieces)
    finally:
        for sink in sinks.values():
            sink.close()
    for entry in manifest["files"]:
        sink = sinks[entry["file"]]
        entry.update(rows=sink.rows, bytes=sink.bytes, sha256=sink.sha256.hexdigest())
    if manifest["gaiji_report"]["characters"] != 0:
        raise BenchFailed("the template's 外字 report is not empty (a UTF-8 export should be)")
    write_private(out / GAIJI_REPORT, (template / GAIJI_REPORT).read_bytes())
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    write_private(out / MANIFEST, text.encode("utf-8"))
    return Generated(
        persons=copies * per_copy,
        copies=copies,
        rows={name: sink.rows for name, sink in sinks.items()},
        bytes=sum(sink.bytes for sink in sinks.values()),
        seconds=time.perf_counter() - started,
    )


# -- 3. import -----------------------------------------------------------------------------------


def _candidate_codes() -> Iterator[str]:
    yield CODE
    # Else 東京都 codes from the top (13999 …: no municipality has them), registered under the
    # template's name: the same register moved into a new tenant, so its residents' addresses
    # lie in it (the import refuses them otherwise, see docs/migration.md).
    for serial in range(999, 0, -1):
        body = f"13{serial:03d}"
        yield body + municipality_check_digit(body)


def prepare_database(url: str) -> str:
    """Upgrade the database and add a municipality it does not have yet: its code."""
    app = bootstrap(Settings(database_url=url))
    try:
        app.upgrade_database()
        taken = {m.code for m in app.municipalities.all()}
        code = next((c for c in _candidate_codes() if c not in taken), None)
        if code is None:
            raise BenchFailed("every candidate municipality code is taken in that database")
        app.municipalities.add(code, NAME)
    finally:
        app.engine.dispose()
    return code


@dataclass(frozen=True)
class Imported:
    summary: dict[str, Any]
    seconds: float
    peak_mb: float  # the process tree's proportional set size (see PssSampler)
    main_peak_mb: float  # the import process's own ru_maxrss
    bound_mb: float  # the command's own upper bound (peak_memory_mb)


class PssSampler(threading.Thread):
    """The memory of a process and everything below it (worker processes, their fork server),
    sampled every ``interval`` seconds: the sum of their PSS (proportional set size, from
    ``/proc/PID/smaps_rollup``: a page shared by n processes counts 1/n in each, so the sum is
    the memory the tree really holds). ``peak_kb`` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            total = sum(_pss_kb(pid) for pid in {self.pid, *descendants(self.pid)})
            self.peak_kb = max(self.peak_kb, total)


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # ended meanwhile
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _tail(path: Path, limit: int = 3000) -> str:
    text = path.read_text("utf-8", errors="replace") if path.exists() else ""
    return text[-limit:] or f"({path.name}: empty)"


def run_import(
    url: str,
    code: str,
    export: Path,
    work: Path,
    *,
    options: Sequence[str] = (),
    label: str = "import",
) -> Imported:
    """``jichitai layout import`` (with ``options``) in a subprocess: its summary, wall seconds
    and peak memory. ``label`` names its report directory and output files in ``work``."""
    report = work / f"{label}-report"
    out, err = work / f"{label}.stdout", work / f"{label}.stderr"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JICHITAI_")}
    env["JICHITAI_DATABASE_URL"] = url
    command = [
        executable("jichitai"),
        *("layout", "import", "--municipality", code, str(export)),
        *("--json", "--no-progress", "--report", str(report), *options),
    ]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr)
        sampler = PssSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        seconds = time.perf_counter() - started
        sampler.stopped.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss: kilobytes on Linux, bytes on macOS.
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    try:
        summary: dict[str, Any] = json.loads(out.read_text("utf-8"))
    except ValueError:
        summary = {}
    if process.returncode != 0 or summary.get("written") is not True or summary.get("faults"):
        faults = report / "import_report.csv"
        raise BenchFailed(
            f"jichitai layout import exited with status {process.returncode}"
            f"\n--- stdout ---\n{_tail(out)}\n--- stderr ---\n{_tail(err)}"
            + (f"\n--- {faults.name} ---\n{_tail(faults)}" if faults.exists() else "")
        )
    bound_mb = float(summary.get("peak_memory_mb") or 0)
    return Imported(summary, seconds, sampler.peak_kb / 1024, peak_mb, bound_mb)


# -- 4. baseline ---------------------------------------------------------------------------------


def _rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        yield from reader


def _width(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        return len(next(csv.reader(f)))


def _bare_tables(export: Path) -> dict[str, tuple[str, int]]:
    """File → (bare table name, columns): a name of its own so nothing of the database clashes."""
    tag = uuid.uuid4().hex[:8]
    return {
        name: (f"bench_bare_{tag}_{name.removesuffix('.csv')}", _width(export / name))
        for name in (JUMIN, SETAI)
    }


def _columns(width: int, kind: str = "") -> str:
    return ", ".join(f"c{i:03d}{kind}" for i in range(1, width + 1))


def baseline_sqlite(database: str, export: Path) -> tuple[int, float]:
    """Raw ``sqlite3`` executemany of the export's rows in one transaction: (rows, seconds)."""
    tables = _bare_tables(export)
    conn = sqlite3.connect(database, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for table, width in tables.values():
            conn.execute(f"CREATE TABLE {table} ({_columns(width, ' TEXT')})")
        rows = 0
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for name, (table, width) in tables.items():
            sql = f"INSERT INTO {table} VALUES ({', '.join('?' * width)})"
            source = _rows(export / name)
            while batch := list(itertools.islice(source, BATCH)):
                conn.executemany(sql, batch)
                rows += len(batch)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        for table, _ in tables.values():
            conn.execute(f"DROP TABLE {table}")
    finally:
        conn.close()
    return rows, seconds


def baseline_postgresql(url: str, export: Path) -> tuple[int, float]:
    """psycopg 3 ``COPY … FROM STDIN`` of the export's rows in one transaction: (rows, seconds)."""
    import psycopg  # only needed here (installed with the project)

    tables = _bare_tables(export)
    plain = url.replace("+psycopg", "", 1)
    with psycopg.connect(plain) as conn:
        for table, width in tables.values():
            conn.execute(f"CREATE TABLE {table} ({_columns(width, ' TEXT')})")
        conn.commit()
        try:
            rows = 0
            started = time.perf_counter()
            with conn.cursor() as cursor:
                for name, (table, width) in tables.items():
                    with cursor.copy(f"COPY {table} ({_columns(width)}) FROM STDIN") as copy:
                        for row in _rows(export / name):
                            copy.write_row(row)
                            rows += 1
            conn.commit()
            seconds = time.perf_counter() - started
        finally:
            conn.rollback()
            for table, _ in tables.values():
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.commit()
    return rows, seconds


# -- 5. the foreign vendor's form ----------------------------------------------------------------


def _vendor_url(url: str, directory: Path) -> str:
    """The benchmark's own SQLite file: the vendor form goes into a fresh file beside it (an
    empty database, as the current import had); any other database: the same one."""
    if url == f"sqlite:///{directory / 'import.db'}":
        return f"sqlite:///{directory / 'vendor.db'}"
    return url


def run_vendor(url: str, directory: Path, persons: int, current: Imported, rate: float) -> float:
    """Write the vendor form of the export, import it into an empty municipality with
    ``--encoding cp932 --gaiji-map``, print its line and the target: its persons/s."""
    gaiji_map = directory / "vendor-gaiji-map.csv"
    vendor = write_vendor(directory / "export", directory / "vendor", gaiji_map)
    print(
        f"vendor form: cp932, standard items only, no manifest.json:"
        f" {vendor.rows.get(JUMIN, 0):,} 住民 rows + {vendor.rows.get(SETAI, 0):,} 世帯 rows,"
        f" {vendor.bytes / 1e6:,.0f} MB; {vendor.gaiji_surnames:,} 氏 with a private-use 外字,"
        f" {vendor.gaiji_map_entries} 外字 map entries; {vendor.wareki_rows:,} rows with 和暦"
        f" dates and padded names; written in {vendor.seconds:.1f} s"
    )
    vendor_url = _vendor_url(url, directory)
    code = prepare_database(vendor_url)
    imported = run_import(
        vendor_url,
        code,
        directory / "vendor",
        directory,
        options=("--encoding", "cp932", "--gaiji-map", str(gaiji_map)),
        label="vendor-import",
    )
    for key in ("persons", "snapshots", "households"):
        if imported.summary.get(key) != current.summary.get(key):
            raise BenchFailed(
                f"the vendor import counted {imported.summary.get(key)} {key},"
                f" the current one {current.summary.get(key)}"
            )
    vendor_rate = persons / imported.seconds
    ratio = vendor_rate / rate
    own = imported.summary.get("seconds")
    print(
        f"vendor import: jichitai layout import --encoding cp932 --gaiji-map"
        f" (municipality {code}): {imported.summary.get('persons', 0):,} persons,"
        f" {imported.summary.get('snapshots', 0):,} snapshots,"
        f" {imported.summary.get('households', 0):,} households in"
        f" {imported.seconds:.1f} s wall"
        + (f" ({own} s by its own clock)" if own is not None else "")
        + f": {vendor_rate:,.0f} persons/s; peak memory {imported.peak_mb:,.0f} MB"
        + f" (PSS of the process tree with {imported.summary.get('workers', 0)} worker"
        + f" processes; the import process alone {imported.main_peak_mb:,.0f} MB;"
        + f" the command's upper bound {imported.bound_mb:,.0f} MB);"
        + f" vendor/current {ratio:.2f}"
    )
    verdict = "met" if ratio >= TARGET_VENDOR_RATIO else "missed"
    print(f"target vendor/current ≥ {TARGET_VENDOR_RATIO:.2f}: {verdict} ({ratio:.2f})")
    return vendor_rate


# -- the run -------------------------------------------------------------------------------------


def _database_url(database_url: str | None, directory: Path) -> str:
    if database_url:
        url = database_url
    else:
        env = os.environ.get("JICHITAI_DATABASE_URL", "").strip()
        url = env if env.startswith("postgresql") else f"sqlite:///{directory / 'import.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def run(
    *, persons: int, template: int = 2_000, database_url: str | None = None, seed: int = 1
) -> None:
    """Make the template, generate, import, measure the baseline, print the figures (last line)."""
    if persons < 1 or template < 1:
        raise SystemExit("bench migration: --persons and --template must be at least 1")
    try:
        with tempfile.TemporaryDirectory(prefix="jichitai-bench-migration-") as tmp:
            directory = Path(tmp)
            url = _database_url(database_url, directory)
            kind = make_url(url).get_backend_name()
            if kind not in ("sqlite", "postgresql"):
                raise BenchFailed(f"unsupported database {kind!r} (sqlite or postgresql)")

            template_persons, seconds = make_template(directory / "template", template, seed)
            print(
                f"template: {template_persons:,} persons seeded and exported (UTF-8)"
                f" in {seconds:.1f} s"
            )

            generated = generate(directory / "template", directory / "export", persons)
            rows = sum(generated.rows.values())
            print(
                f"generation: {generated.copies:,} {'copy' if generated.copies == 1 else 'copies'}"
                f" of the template = {generated.persons:,}"
                f" persons; {generated.rows[JUMIN]:,} 住民 rows + {generated.rows[SETAI]:,} 世帯"
                f" rows, {generated.bytes / 1e6:,.0f} MB in {generated.seconds:.1f} s"
            )

            code = prepare_database(url)
            imported = run_import(url, code, directory / "export", directory)
            rate = generated.persons / imported.seconds
            own = imported.summary.get("seconds")
            print(
                f"import: jichitai layout import (municipality {code}):"
                f" {imported.summary.get('persons', 0):,} persons,"
                f" {imported.summary.get('snapshots', 0):,} snapshots,"
                f" {imported.summary.get('households', 0):,} households in"
                f" {imported.seconds:.1f} s wall"
                + (f" ({own} s by its own clock)" if own is not None else "")
                + f": {rate:,.0f} persons/s; peak memory {imported.peak_mb:,.0f} MB"
                + f" (PSS of the process tree with {imported.summary.get('workers', 0)} worker"
                + f" processes; the import process alone {imported.main_peak_mb:,.0f} MB;"
                + f" the command's upper bound {imported.bound_mb:,.0f} MB)"
            )
            if imported.summary.get("persons") != generated.persons:
                raise BenchFailed(
                    f"the import counted {imported.summary.get('persons')} persons,"
                    f" {generated.persons} were generated"
                )

            vendor_rate = run_vendor(url, directory, generated.persons, imported, rate)

            if kind == "sqlite":
                database = make_url(url).database
                if not database:
                    raise BenchFailed(f"no SQLite file in {url}")
                base_rows, base_seconds = baseline_sqlite(database, directory / "export")
                method = "sqlite3 executemany"
            else:
                base_rows, base_seconds = baseline_postgresql(url, directory / "export")
                method = "psycopg COPY FROM STDIN"
            if base_rows != rows:
                raise BenchFailed(f"the baseline inserted {base_rows} rows, not {rows}")
            baseline = base_rows / base_seconds
            ratio = rate / baseline
            print(
                f"baseline: {method} into bare TEXT tables, one transaction: {base_rows:,} rows"
                f" in {base_seconds:.1f} s: {baseline:,.0f} rows/s (ratio {ratio:.4f})"
            )
            print(f"database: {kind}")
            print(
                f"migration: {rate:,.0f} persons/s; peak memory {imported.peak_mb:,.0f} MB;"
                f" baseline raw insert {baseline:,.0f} rows/s; ratio {ratio:.2f};"
                f" vendor {vendor_rate:,.0f} persons/s; vendor/current {vendor_rate / rate:.2f}"
            )
    except BenchFailed as failure:
        print(f"bench migration failed: {failure}", file=sys.stderr)
        raise SystemExit(1) from failure
