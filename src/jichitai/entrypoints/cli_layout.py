"""``jichitai layout``: data migration in the standard intermediate layout (中間標準レイアウト).

Registered on the main command by ``cli.py`` (``app.add_typer(layout_app, name="layout")``).
Refusals follow ``cli.py``: code, Japanese message and field on standard error (as JSON with
``--json``), exit status 2. See ``docs/migration.md`` for the layout and its conventions.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jichitai.domain.common.address import OUTSIDE_MUNICIPALITY
from jichitai.domain.common.town_areas import TOWN_AREA_NOT_IN_MASTER
from jichitai.domain.errors import DomainError, Violation
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    operator_actor,
)
from jichitai.entrypoints.cli_layout_report import profile_text
from jichitai.services.migration_ids import IdMode
from jichitai.services.migration_maps import MapTexts

if TYPE_CHECKING:
    from jichitai.services.migration_import import Progress

layout_app = typer.Typer(help="データ移行（中間標準レイアウト）", no_args_is_help=True)


class Encoding(StrEnum):
    UTF8 = "utf-8"
    CP932 = "cp932"


@layout_app.command("export")
def layout_export(
    municipality: MunicipalityOption,
    out: Annotated[
        Path, typer.Option("--out", help="出力先ディレクトリ（空または存在しないこと）")
    ],
    encoding: Annotated[Encoding, typer.Option(help="文字コード")] = Encoding.UTF8,
    version: Annotated[str, typer.Option("--layout-version", help="レイアウトの版")] = "1.0",
    standard_only: Annotated[
        bool,
        typer.Option(
            "--standard-only",
            help="標準項目だけを出力する（拡張項目を除く。他社システムへの移行用。"
            "残る項目は docs/migration.md を参照）",
        ),
    ] = False,
    extensions_beside: Annotated[
        bool,
        typer.Option(
            "--extensions-beside",
            help="--standard-only で除いた拡張項目を、行の番号（宛名番号・個人履歴番号など）と"
            "ともに別ファイル（*_ext.csv）に出力する",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """団体の住民記録すべて（履歴・除票を含む）を中間標準レイアウトのCSVに出力する."""
    from jichitai.services.audit import Operation

    a = _app()
    try:
        code = a.municipalities.get(municipality).code
        started = time.perf_counter()
        result = a.layout_export.export(
            code,
            str(out),
            encoding.value,
            version,
            standard_only=standard_only,
            extensions_beside=extensions_beside,
        )
    except DomainError as e:
        _fail(e, as_json)
    elapsed = time.perf_counter() - started
    a.access_log.record(
        operator_actor(code),
        Operation.EXPORT,
        target="cli:layout_export",
        my_number_shown=True,
        person_count=result.persons,
    )
    _emit(
        {
            "municipality_code": code,
            "layout_version": result.layout_version,
            "encoding": result.encoding,
            "out": result.out_dir,
            "persons": result.persons,
            "standard_only": result.standard_only,
            "files": {f.file_name: f.rows for f in result.files},
            "extension_files": {f.file_name: f.rows for f in result.extension_files},
            "gaiji_characters": result.gaiji_characters,
            "gaiji_report": result.gaiji_report,
            "manifest": result.manifest,
            "seconds": round(elapsed, 2),
        },
        as_json,
    )


def _manifest_rows(directory: Path) -> dict[str, int]:
    """Rows per file as the manifest states them (for the ETA); empty if it cannot be read —
    the import itself reports why."""
    from jichitai.services.migration import MANIFEST_FILE

    try:
        manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        return {str(f["file"]): int(f["rows"]) for f in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


WORKERS_FROM_ROWS = 20_000
"""Below this many rows, starting worker processes (about a second) costs more than it saves."""


def _workers(directory: Path) -> int:
    """As many workers as CPUs for a large import, none for a small one."""
    rows = sum(_manifest_rows(directory).values())
    return (os.cpu_count() or 1) if rows >= WORKERS_FROM_ROWS else 0


def _peak_memory_mb(workers: int, worker_peak_kb: int) -> int:
    """Peak resident memory of this process plus, for each worker and for the server process
    they are forked from, the largest worker's peak (an upper bound: the pages they share are
    counted once each)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: KiB
    return round((own + (workers + 1) * worker_peak_kb if workers else own) / 1024)


def map_texts(gaiji_map: Path | None, code_map: Path | None) -> MapTexts:
    """The content of ``--gaiji-map`` and ``--code-map`` (UTF-8, a BOM allowed); a file that
    cannot be read is refused (``DomainError``)."""

    def text(path: Path | None, code: str, label: str) -> str:
        if path is None:
            return ""
        try:
            return path.read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise DomainError(
                Violation(f"{code}.unreadable", f"{label}が読めません: {error.strerror}", str(path))
            ) from error
        except UnicodeDecodeError as error:
            raise DomainError(
                Violation(
                    f"{code}.encoding",
                    f"{label}が UTF-8 として読めません（{error.start + 1} バイト目）",
                    str(path),
                )
            ) from error

    return MapTexts(
        text(gaiji_map, "gaiji_map", "外字対応表"), text(code_map, "code_map", "コード対応表")
    )


@contextmanager
def terminal_progress(directory: Path, enabled: bool) -> Iterator[Progress | None]:
    """A progress bar per phase and file (rows, rows/s, time left), or nothing."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} 行/秒" if speed else "- 行/秒")

    totals = _manifest_rows(directory)
    labels = {"check": "検査", "import": "検査・取込"}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond(),
        TimeRemainingColumn(),
    )
    with RichProgress(*columns) as bars:
        tasks: dict[tuple[str, str], TaskID] = {}

        def update(phase: str, file_name: str, rows: int) -> None:
            key = (phase, file_name)
            if key not in tasks:
                label = f"{labels.get(phase, phase)} {file_name}"
                tasks[key] = bars.add_task(label, total=totals.get(file_name))
            bars.update(tasks[key], completed=rows)

        yield update


GaijiMapOption = Annotated[
    Path | None,
    typer.Option(
        "--gaiji-map",
        help="外字対応表（CSV・UTF-8: 移行元コード,文字,IVS,備考）。移行元の私用領域の外字を"
        "文字情報基盤の文字（IVS付き）に置き換える。対応のない外字は取り込まない",
    ),
]
CodeMapOption = Annotated[
    Path | None,
    typer.Option(
        "--code-map",
        help="コード対応表（CSV・UTF-8: コード表,移行元コード,コード,名称）。移行元のコード値を"
        "このレイアウトのコードに読み替える（ひな形: layout code-map-template）",
    ),
]


@layout_app.command("code-map-template")
def layout_code_map_template(
    out: Annotated[
        Path | None, typer.Option("--out", help="出力先ファイル（省略時は標準出力）")
    ] = None,
    version: Annotated[str, typer.Option("--layout-version", help="レイアウトの版")] = "1.0",
    as_json: JsonOption = False,
) -> None:
    """コード対応表（--code-map）のひな形: レイアウトの全コード表の全コード（移行元コードは空欄）."""
    try:
        rows = list(_app().layout_import.code_map_template(version))
    except DomainError as e:
        _fail(e, as_json)
    if out is None:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerows(rows)
        return
    # Owner-only like every file jichitai writes (a filled-in map sits beside personal data);
    # UTF-8 with a BOM, so Excel reads it as UTF-8.
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    _app().write_private_file(str(out), text.getvalue().encode("utf-8-sig"))
    _emit({"out": str(out), "codes": len(rows) - 1}, as_json)


@layout_app.command("import")
def layout_import(
    municipality: MunicipalityOption,
    directory: Annotated[Path, typer.Argument(help="移行データのディレクトリ（export の出力）")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="検査だけして書き込まない")] = False,
    ids: Annotated[
        IdMode,
        typer.Option(
            "--ids",
            help="宛名番号・世帯番号の扱い（keep: 移行元のまま / renumber: 新しく採番し、"
            "対応表 id_map.csv を --report の場所に出力）",
        ),
    ] = IdMode.KEEP,
    report: Annotated[
        Path, typer.Option("--report", help="import_report.csv の出力先ディレクトリ")
    ] = Path(),
    version: Annotated[str, typer.Option("--layout-version", help="レイアウトの版")] = "1.0",
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="進捗（行数・行/秒・残り時間）を表示する（既定: 端末のときだけ、--json では表示しない）",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="行の検査に使う作業プロセスの数（0: このプロセスだけ。既定: 大きな移行データ"
            f"（{WORKERS_FROM_ROWS:,} 行以上）ならCPUの数、小さければ 0）",
        ),
    ] = None,
    allow_addresses_outside: Annotated[
        bool,
        typer.Option(
            "--allow-addresses-outside",
            help="住民（住民状態が住民）の住所が団体の区域外でも取り込む（該当行は"
            " import_report.csv に記録し、異動履歴にアラートとして残す）",
        ),
    ] = False,
    gaiji_map: GaijiMapOption = None,
    code_map: CodeMapOption = None,
    allow_town_areas_outside_master: Annotated[
        bool,
        typer.Option(
            "--allow-town-areas-outside-master",
            help="住民（住民状態が住民）の住所の町字が町字マスターになくても取り込む（該当行は"
            " import_report.csv に記録し、異動履歴にアラートとして残す）",
        ),
    ] = False,
    encoding: Annotated[
        Encoding | None,
        typer.Option(
            help="manifest.json の無いファイル（他システムの出力）の文字コード（BOM付きUTF-8なら省略可）"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """中間標準レイアウトの移行データを空の団体に取り込む（全件検査のうえ、全件か無し）.

    住民の住所は団体の区域内であること（除票・転入前住所・転出先住所は問わない）。
    町字マスターを取り込んだ団体では、住民の住所の町字がその異動日に効力のある町字であること。
    """
    a = _app()
    show = (sys.stdout.isatty() and not as_json) if progress is None else progress
    try:
        code = a.municipalities.get(municipality).code
        started = time.perf_counter()
        used_workers = _workers(directory) if workers is None else workers
        with terminal_progress(directory, show) as report_progress:
            result = a.layout_import.import_export(
                code,
                str(directory),
                report_dir=str(report),
                dry_run=dry_run,
                ids=ids,
                version=version,
                operator=operator_actor(code).login,
                progress=report_progress,
                workers=used_workers,
                allow_addresses_outside=allow_addresses_outside,
                allow_outside_master=allow_town_areas_outside_master,
                encoding=encoding.value if encoding else None,
                maps=map_texts(gaiji_map, code_map),
            )
    except DomainError as e:
        _fail(e, as_json)
    elapsed = time.perf_counter() - started
    codes: dict[str, int] = {}
    for fault in result.faults:
        codes[fault.code] = codes.get(fault.code, 0) + 1
    summary = {
        "municipality_code": code,
        "directory": result.directory,
        "ids": ids.value,
        "dry_run": result.dry_run,
        "written": result.written,
        "persons": result.persons,
        "snapshots": result.snapshots,
        "households": result.households,
        "suppressions": result.suppressions,
        "faults": len(result.faults),
        "faults_by_code": codes,
        "report": result.report,
        "id_map": result.id_map,
        "allow_addresses_outside": allow_addresses_outside,
        "addresses_outside": len(result.addresses_outside),
        "allow_town_areas_outside_master": allow_town_areas_outside_master,
        "town_areas_outside_master": len(result.town_areas_outside_master),
        "workers": used_workers,
        "peak_memory_mb": _peak_memory_mb(used_workers, result.worker_peak_kb),
        "seconds": round(elapsed, 2),
    }
    if result.faults:
        _emit(summary, as_json)
        for fault in result.faults[:20] if not as_json else ():
            typer.echo(
                f"{fault.file}:{fault.line} {fault.item} {fault.code} {fault.message}", err=True
            )
        if OUTSIDE_MUNICIPALITY in codes and not as_json:
            typer.echo(
                "区域外の住所の住民を承知のうえで取り込むには --allow-addresses-outside を指定"
                "してください（該当行は import_report.csv と異動履歴に記録されます）",
                err=True,
            )
        if TOWN_AREA_NOT_IN_MASTER in codes and not as_json:
            typer.echo(
                "町字マスターにない町字の住民を承知のうえで取り込むには"
                " --allow-town-areas-outside-master を指定してください（該当行は"
                " import_report.csv と異動履歴に記録されます）",
                err=True,
            )
        raise typer.Exit(code=2)
    _emit(summary, as_json)


@layout_app.command("check")
def layout_check(
    directory: Annotated[
        Path,
        typer.Argument(help="移行データのディレクトリ（他システムの出力、又は export の出力）"),
    ],
    encoding: Annotated[
        Encoding | None,
        typer.Option(
            help="manifest.json の無いファイル（他システムの出力）の文字コード（BOM付きUTF-8なら省略可）"
        ),
    ] = None,
    version: Annotated[str, typer.Option("--layout-version", help="レイアウトの版")] = "1.0",
    gaiji_map: GaijiMapOption = None,
    code_map: CodeMapOption = None,
    as_json: JsonOption = False,
) -> None:
    """移行データを取り込まずに調べる（文字コード・改行・項目・コード値・外字・履歴・世帯・日付の形）.

    データベースには触れず、団体の指定も要らない。読めないファイルがあれば終了コード 2、
    すべて読めれば（指摘があっても）0。
    """
    from jichitai.bootstrap import layout_profile

    try:
        result = layout_profile().profile(
            str(directory),
            encoding=encoding.value if encoding else None,
            version=version,
            maps=map_texts(gaiji_map, code_map),
        )
    except DomainError as e:
        _fail(e, as_json)
    if as_json:
        typer.echo(json.dumps(result.report, ensure_ascii=False, indent=2))
    else:
        typer.echo(profile_text(result.report))
    if not result.readable:
        _fail(
            DomainError(
                *(
                    Violation(f.code, f.message, f.file or str(directory), line=f.line or None)
                    for f in result.unreadable
                )
            ),
            as_json,
        )
