"""``jichitai bench …``: the benchmarks of ``bench/`` (run from a source checkout only: ``bench/``
is not packaged), each printing its figure and a ratio against a baseline of the same run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

bench_app = typer.Typer(help="ベンチマーク", no_args_is_help=True)


def _from_source(module: str) -> None:
    """Puts the checkout on the path for ``bench/<module>.py``, or exits: not from a checkout."""
    root = Path(__file__).resolve().parents[3]
    if not (root / "bench" / f"{module}.py").exists():
        typer.echo("ベンチマークはソースのチェックアウトからのみ実行できます", err=True)
        raise typer.Exit(code=2)
    sys.path.insert(0, str(root))


@bench_app.command("register")
def bench_register(
    residents: Annotated[int, typer.Option(help="住民数")] = 100_000,
    changes: Annotated[int, typer.Option(help="計測する異動の件数")] = 20_000,
    seed: Annotated[int, typer.Option()] = 1,
    batch: Annotated[int, typer.Option(help="1トランザクションあたりの異動件数 (一括入力)")] = 100,
) -> None:
    """登録性能の計測 (bench/register.py を実行する。ソースから実行した場合のみ)."""
    _from_source("register")
    from bench.register import run  # bench/ is not packaged: found on the path set above

    run(residents=residents, changes=changes, seed=seed, batch=batch)


@bench_app.command("town-areas")
def bench_town_areas(
    areas: Annotated[int, typer.Option(help="町字マスターの町字の数")] = 5_000,
    checks: Annotated[int, typer.Option(help="計測する検査の回数")] = 5_000,
) -> None:
    """町字マスターの検査の性能の計測 (bench/town_areas.py を実行する。ソースから実行した場合のみ)."""
    _from_source("town_areas")
    from bench.town_areas import run  # bench/ is not packaged: found on the path set above

    run(areas=areas, checks=checks)


@bench_app.command("cells")
def bench_cells(
    rows: Annotated[int, typer.Option(help="項目値を検査する行数")] = 100_000,
    records: Annotated[int, typer.Option(help="行全体を検査する行数")] = 20_000,
    template: Annotated[int, typer.Option(help="ひな形の住民数")] = 300,
) -> None:
    """移行の項目値の検査の性能の計測 (bench/cells.py を実行する。ソースから実行した場合のみ)."""
    _from_source("cells")
    from bench.cells import run  # bench/ is not packaged: found on the path set above

    run(rows=rows, records=records, template=template)


@bench_app.command("api")
def bench_api(
    residents: Annotated[int, typer.Option(help="住民数")] = 10_000,
    users: Annotated[int, typer.Option(help="同時に操作する職員の数 (locust のユーザー数)")] = 50,
    duration: Annotated[int, typer.Option(help="計測する秒数")] = 30,
    seed: Annotated[int, typer.Option()] = 1,
    think: Annotated[
        float,
        typer.Option(
            help="各職員が次の操作までに待つ平均秒数 (0: 応答を受けたらすぐ次を送る)", min=0
        ),
    ] = 0.0,
) -> None:
    """APIの性能の計測 (bench/api.py を実行する。ソースから実行した場合のみ)."""
    _from_source("api")
    from bench.api import run  # bench/ is not packaged: found on the path set above

    run(residents=residents, users=users, duration=duration, seed=seed, think_seconds=think)


@bench_app.command("ui")
def bench_ui(
    residents: Annotated[int, typer.Option(help="住民数", min=1)] = 100_000,
    requests: Annotated[
        int, typer.Option(help="計測する回数（住民の画面・検索画面・APIを各1回で1回）", min=2)
    ] = 1_000,
    warmup: Annotated[int, typer.Option(help="計測前に捨てる回数", min=0)] = 50,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """窓口画面の描画性能の計測 (bench/ui.py を実行する。ソースから実行した場合のみ)."""
    _from_source("ui")
    from bench.ui import run  # bench/ is not packaged: found on the path set above

    run(residents=residents, requests=requests, warmup=warmup, seed=seed)


@bench_app.command("migration")
def bench_migration(
    persons: Annotated[
        int,
        typer.Option(help="移行データの住民数（ひな形を丸ごと複製するため、少し多くなる）", min=1),
    ] = 1_000_000,
    template: Annotated[
        int, typer.Option(help="ひな形の団体に登録する住民数の目安", min=1)
    ] = 2_000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="取込先のデータベース（既定: JICHITAI_DATABASE_URL が PostgreSQL ならそれ、"
            "そうでなければ一時的な SQLite ファイル）",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="乱数の種 (ひな形のデータ)")] = 1,
) -> None:
    """データ移行（layout import）の性能の計測 (bench/migration.py を実行する。ソースから実行した場合のみ)."""
    _from_source("migration")
    from bench.migration import run  # bench/ is not packaged: found on the path set above

    run(persons=persons, template=template, database_url=database_url, seed=seed)


@bench_app.command("feed")
def bench_feed(
    changes: Annotated[int, typer.Option(help="計測する異動の件数", min=1)] = 50_000,
    residents: Annotated[int, typer.Option(help="最初に登録する住民数", min=1)] = 3_000,
    batch: Annotated[int, typer.Option(help="1トランザクションあたりの異動件数", min=1)] = 100,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="使うデータベースサーバ（既定: JICHITAI_DATABASE_URL が PostgreSQL ならその"
            "サーバに新しいデータベースを作る。そうでなければ一時的な SQLite ファイル）",
        ),
    ] = None,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """異動差分フィードと Webhook の性能の計測 (bench/feed.py を実行する。ソースから実行した場合のみ)."""
    _from_source("feed")
    from bench.feed import run  # bench/ is not packaged: found on the path set above

    run(changes=changes, residents=residents, batch=batch, database_url=database_url, seed=seed)


@bench_app.command("certificates")
def bench_certificates(
    count: Annotated[int, typer.Option(help="発行する証明書の部数", min=1)] = 500,
    residents: Annotated[int, typer.Option(help="住民数の目安", min=1)] = 300,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """証明書発行の性能の計測 (bench/certificates.py を実行する。ソースから実行した場合のみ)."""
    _from_source("certificates")
    from bench.certificates import run  # bench/ is not packaged: found on the path set above

    run(count=count, residents=residents, seed=seed)


@bench_app.command("storage")
def bench_storage(
    residents: Annotated[int, typer.Option(help="住民数", min=1)] = 20_000,
    changes: Annotated[int, typer.Option(help="計測する転居の件数", min=1)] = 5_000,
    reads: Annotated[
        int, typer.Option(help="計測する閲覧（アクセスログ1件）の件数", min=1)
    ] = 2_000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="使う PostgreSQL サーバ（既定: JICHITAI_DATABASE_URL）。新しいデータベースを作って計測する",
        ),
    ] = None,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """住民1人・異動1件あたりの容量と WAL の計測 (bench/storage.py を実行する。PostgreSQL のみ)."""
    _from_source("storage")
    from bench.storage import run  # bench/ is not packaged: found on the path set above

    run(residents=residents, changes=changes, reads=reads, seed=seed, database_url=database_url)


@bench_app.command("cluster")
def bench_cluster(
    clients: Annotated[int, typer.Option(help="シャードごとのクライアント数", min=1)] = 4,
    seconds: Annotated[float, typer.Option(help="各段階の計測時間（秒）", min=1)] = 20.0,
    state: Annotated[
        str | None,
        typer.Option(help="起動済みの scripts/cluster.sh の状態ディレクトリ（既定: 起動して停止）"),
    ] = None,
) -> None:
    """本番相当の構成での計測: 1・2シャードの本登録/秒と API p99、フェイルオーバーの書き込み停止時間、復元速度
    (bench/cluster.py を実行する。ソースから実行した場合のみ)."""
    _from_source("cluster")
    from bench.cluster import main
    from bench.support import BenchFailed

    try:
        main(clients=clients, seconds=seconds, state=state)
    except BenchFailed as failed:
        typer.echo(f"ベンチマークを実行できません: {failed}", err=True)
        raise typer.Exit(code=2) from None
