"""The ``jichitai`` command: thin wrappers over the services.

Refusals print the error's code, Japanese message and field (as JSON with ``--json``) on
standard error and exit with status 2; nothing is written when a command is refused.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from typing import Annotated, Any

import typer

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.residents.search import MAX_SEARCH_RESULTS, SearchBy
from jichitai.entrypoints import cli_cs_inbox  # noqa: F401  (its commands join cs_app)
from jichitai.entrypoints.cli_address import address_app
from jichitai.entrypoints.cli_audit import audit_app
from jichitai.entrypoints.cli_bench import bench_app
from jichitai.entrypoints.cli_certificates import certificate_app, municipality_issuer
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    console_actor,
)
from jichitai.entrypoints.cli_cs_fill import cs_amend  # noqa: F401  (cs amend, error lists)
from jichitai.entrypoints.cli_cs_ops import cs_resend  # noqa: F401  (registers cs resend …)
from jichitai.entrypoints.cli_immigration import immigration_app
from jichitai.entrypoints.cli_integration import feed_app, subscriber_app, worker
from jichitai.entrypoints.cli_keys import keys_app
from jichitai.entrypoints.cli_layout import layout_app
from jichitai.entrypoints.cli_national_check import card_app  # also adds `cs check`
from jichitai.entrypoints.cli_notices import notice_app
from jichitai.entrypoints.cli_number import number_app
from jichitai.entrypoints.cli_seals import seal_app
from jichitai.entrypoints.cli_shards import municipality_move, shard_app
from jichitai.entrypoints.cli_standin import cs_app, standin_app

app = typer.Typer(
    help="jichitai: 住民記録システム (resident register) の管理コマンド", no_args_is_help=True
)
db_app = typer.Typer(help="データベース", no_args_is_help=True)
municipality_app = typer.Typer(help="団体（テナント）", no_args_is_help=True)
demo_app = typer.Typer(help="デモデータ", no_args_is_help=True)
resident_app = typer.Typer(help="住民の検索・照会", no_args_is_help=True)
journal_app = typer.Typer(help="異動履歴（ジャーナル）", no_args_is_help=True)
user_app = typer.Typer(help="職員（ユーザー）", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(municipality_app, name="municipality")
app.add_typer(demo_app, name="demo")
app.add_typer(resident_app, name="resident")
app.add_typer(journal_app, name="journal")
app.add_typer(bench_app, name="bench")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(layout_app, name="layout")
app.add_typer(subscriber_app, name="subscriber")
app.add_typer(feed_app, name="feed")
app.add_typer(certificate_app, name="certificate")
app.add_typer(seal_app, name="seal")
app.add_typer(address_app, name="address")
app.add_typer(keys_app, name="keys")
app.add_typer(shard_app, name="shard")
app.add_typer(cs_app, name="cs")
app.add_typer(standin_app, name="standin")
app.add_typer(immigration_app, name="immigration")
app.add_typer(card_app, name="card")
app.add_typer(number_app, name="number")
app.add_typer(notice_app, name="notice")
app.command("worker")(worker)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """データベースを最新のスキーマに更新する (Alembic)."""
    from jichitai.bootstrap import bootstrap

    bootstrap().upgrade_database()
    typer.echo("データベースを更新しました")


@municipality_app.command("add")
def municipality_add(
    code: str,
    name: str,
    shard: Annotated[
        str | None, typer.Option(help="データを保持するシャード（既定: カタログのデータベース）")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """団体を登録する: CODE は地方公共団体コード (チェックデジット付き6桁)."""
    a = _app()
    try:
        m = a.municipalities.add(code, name, shard=shard)
    except DomainError as e:
        _fail(e, as_json)
    a.certificates.ensure_keys(m.code)  # its certificate signing key, in the key directory
    _emit({"municipality_code": m.code, "name": m.name}, as_json)


@municipality_app.command("list")
def municipality_list(as_json: JsonOption = False) -> None:
    """登録済みの団体の一覧."""
    _emit(
        [{"municipality_code": m.code, "name": m.name} for m in _app().municipalities.all()],
        as_json,
    )


municipality_app.command("issuer")(municipality_issuer)
municipality_app.command("move")(municipality_move)


@demo_app.command("seed")
def demo_seed(
    municipality: MunicipalityOption,
    residents: Annotated[int, typer.Option(help="住民数の目安")] = 300,
    seed: Annotated[int, typer.Option(help="乱数の種 (同じ種なら同じデータ)")] = 1,
    seal_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="印鑑を登録する15歳以上の住民の割合")
    ] = 0.3,
    as_json: JsonOption = False,
) -> None:
    """合成した住民データ (世帯・外国人住民・異動履歴・除票・印鑑登録を含む) を登録する.

    認証者の氏名が未設定なら、架空の市区町村長（見本　太郎）を設定する (デモの証明書を発行できるように)."""
    from jichitai.demo.certifier import name_demo_certifier
    from jichitai.demo.generator import seed_register
    from jichitai.demo.seals import register_demo_seals

    a = _app()
    try:
        m = a.municipalities.get(municipality)
        prefecture, city = _split_name(m.name)
        started = time.perf_counter()
        # Linked to a CS, new persons' 住民票コード come from its free codes (§4.3.1): enough for
        # the persons the generator makes (history and 除票 included), fetched before it starts.
        a.number_link.ensure_stock(m.code, residents * 2 + 50)
        summary = seed_register(
            a.register,
            m.code,
            municipality_prefecture=prefecture,
            municipality_city=city,
            residents=residents,
            seed=seed,
            today=a.clock.today(),
        )
        seals = register_demo_seals(
            a.seals.register,
            a.draw_seal_scan,
            lambda atena: a.queries.current(m.code, atena),
            console_actor(m.code, Role.CLERK),
            summary.persons,
            a.clock.today(),
            share=seal_share,
            seed=seed,
        )
        name_demo_certifier(a.certificates, console_actor(m.code, Role.ADMINISTRATOR), m.name)
    except DomainError as e:
        _fail(e, as_json)
    elapsed = time.perf_counter() - started
    # The register's counts as `jichitai stats` gives them (as of today: a move-out planned for a
    # later date still counts as a resident), not the generator's own tally, which counts such a
    # person as removed already; for a municipality seeded once they describe what was seeded.
    register = a.register_overview.stats(_reader(m.code))
    data = {"municipality_code": m.code, "seconds": round(elapsed, 2)} | _asdict(summary)
    data |= {
        "persons": register.persons,
        "residents": register.residents,
        "foreign_residents": register.foreign,
        "households": register.households,
        "removed": register.removed_records,
        "planned_move_outs": register.planned_move_outs,
    }
    _emit(data | {"seals": seals}, as_json)


@demo_app.command("certifier")
def demo_certifier(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """認証者の氏名が未設定なら架空の市区町村長（見本　太郎）を設定する (設定済みなら変えない)."""
    from jichitai.demo.certifier import name_demo_certifier

    a = _app()
    try:
        m = a.municipalities.get(municipality)
        admin = console_actor(m.code, Role.ADMINISTRATOR)
        named = name_demo_certifier(a.certificates, admin, m.name)
        found = a.certificates.issuer(admin)
    except DomainError as e:
        _fail(e, as_json)
    data = {"mayor_title": found.mayor_title, "mayor_name": found.mayor_name}
    _emit(data | {"changed": named is not None}, as_json)


def _split_name(name: str) -> tuple[str, str]:
    """'東京都千代田区' → ('東京都', '千代田区'); a name without a prefecture keeps it empty."""
    for suffix in ("都", "道", "府", "県"):
        index = name.find(suffix)
        if 0 < index <= 3:
            return name[: index + 1], name[index + 1 :]
    return "", name


def _asdict(obj: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    return asdict(obj) if is_dataclass(obj) and not isinstance(obj, type) else {"summary": str(obj)}


@app.command("stats")
def stats(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """住民数・世帯数・除票数・異動事由ごとの件数."""
    from jichitai.entrypoints.presenters import stats_view

    a = _app()
    try:
        m = a.municipalities.get(municipality)
        _emit(stats_view(m.code, m.name, a.register_overview.stats(_reader(m.code))), as_json)
    except DomainError as e:
        _fail(e, as_json)


def _reader(municipality_code: str, *, individual_number: bool = False) -> Actor:
    """The operator reading the register at the console: with a counter clerk's duty, or a
    reviewer's where the 個人番号 is asked for (``--show-individual-number``). The register-access
    service decides the rest as for any staff user: permission, suppressions, masking and the
    access log."""
    role = Role.REVIEWER if individual_number else Role.CLERK
    return console_actor(municipality_code, role)


@resident_app.command("search")
def resident_search(
    municipality: MunicipalityOption,
    query: Annotated[str, typer.Argument(help="カナ・氏名・生年月日(和暦/西暦)・住所・宛名番号等")],
    by: Annotated[SearchBy, typer.Option(help="検索の種類 (auto は入力から判定)")] = SearchBy.AUTO,
    live_only: Annotated[bool, typer.Option("--live-only", help="除票を含めない")] = False,
    limit: Annotated[int, typer.Option(min=1, max=MAX_SEARCH_RESULTS)] = 50,
    as_json: JsonOption = False,
) -> None:
    """住民を検索する (除票も含む。窓口の権限で検索し、アクセスログに記録される)."""
    from jichitai.entrypoints.presenters import summary_view

    a = _app()
    try:
        code = a.municipalities.get(municipality).code
        hits = a.register_access.search(
            _reader(code), query, by=by, include_removed=not live_only, limit=limit
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit([summary_view(hit.record) for hit in hits], as_json)


@resident_app.command("show")
def resident_show(
    municipality: MunicipalityOption,
    atena_number: Annotated[str, typer.Argument(help="宛名番号")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="この日 (YYYY-MM-DD) 時点の記録")
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="全履歴を表示")] = False,
    show_individual_number: Annotated[
        bool, typer.Option(help="個人番号を伏せずに表示 (審査の権限で照会する)")
    ] = False,
    acknowledge: Annotated[
        list[str] | None,
        typer.Option(
            "--acknowledge",
            help="確認したアラートのコード (抑止・支援措置のアラート等。複数可)",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """住民票の内容を照会する (現在・指定日時点・全履歴。アクセスログに記録される)."""
    from jichitai.entrypoints.presenters import record_view

    a = _app()
    acknowledged = frozenset(acknowledge or ())
    try:
        code = a.municipalities.get(municipality).code
        actor = _reader(code, individual_number=show_individual_number)
        if history:
            records = a.register_access.history(actor, atena_number, acknowledged=acknowledged)
            _emit(
                [
                    record_view(r.record, show_individual_number=r.individual_number_shown)
                    for r in records
                ],
                as_json,
            )
            return
        on = None
        if as_of is not None:
            try:
                on = date.fromisoformat(as_of)
            except ValueError:
                typer.echo(
                    json.dumps(
                        {
                            "errors": [
                                {
                                    "code": "as_of.format",
                                    "message": "日付は YYYY-MM-DD で指定してください",
                                    "field": "as_of",
                                    "level": "error",
                                }
                            ]
                        },
                        ensure_ascii=False,
                    ),
                    err=True,
                )
                raise typer.Exit(code=2) from None
        shown = a.register_access.record(actor, atena_number, as_of=on, acknowledged=acknowledged)
    except DomainError as e:
        _fail(e, as_json)
    _emit(record_view(shown.record, show_individual_number=shown.individual_number_shown), as_json)


@journal_app.command("verify")
def journal_verify(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """異動履歴のハッシュ連鎖を検証する (改ざん検知。操作者は監査の権限で検証する)."""
    a = _app()
    try:
        code = a.municipalities.get(municipality).code
        count = a.register_overview.verify_journal(console_actor(code, Role.AUDITOR))
    except DomainError as e:
        _fail(e, as_json)
    _emit({"municipality_code": code, "entries": count, "chain": "ok"}, as_json)


@user_app.command("add")
def user_add(
    municipality: MunicipalityOption,
    login: Annotated[str, typer.Argument(help="ログインID（英小文字・数字・. _ @ -）")],
    role: Annotated[
        list[str],
        typer.Option(
            "--role",
            "-r",
            help="権限（複数可）: clerk, reviewer, administrator, auditor, "
            "suppression_officer, dv_officer",
        ),
    ],
    display_name: Annotated[str, typer.Option("--name", help="氏名")] = "",
    valid_until: Annotated[
        str | None, typer.Option("--valid-until", help="有効期限 (YYYY-MM-DD)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """職員を登録する。パスワードは標準入力の1行目から読む（画面にもコマンド履歴にも残らない）."""
    password = sys.stdin.readline().rstrip("\r\n")
    a = _app()
    try:
        until = _date_option(valid_until, "valid_until")
        user = a.users.add_by(
            console_actor(municipality, Role.ADMINISTRATOR),
            login,
            password,
            role,
            display_name=display_name,
            valid_until=until,
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        {
            "login": user.login,
            "municipality_code": user.municipality_code,
            "roles": sorted(r.value for r in user.roles),
            "valid_from": user.valid_from.isoformat(),
            "valid_until": user.valid_until.isoformat() if user.valid_until else None,
        },
        as_json,
    )


@user_app.command("list")
def user_list(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """団体の職員の一覧."""
    a = _app()
    try:
        code = a.municipalities.get(municipality).code
        users = a.users.list_by(console_actor(code, Role.ADMINISTRATOR))
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        [
            {
                "login": u.login,
                "roles": ",".join(sorted(r.value for r in u.roles)),
                "valid_until": u.valid_until.isoformat() if u.valid_until else None,
                "disabled": u.disabled,
            }
            for u in users
        ],
        as_json,
    )


def _date_option(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            Violation(f"{field}.format", "日付は YYYY-MM-DD で指定してください", field)
        ) from None


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="待ち受けるアドレス")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="ポート")] = 8000,
    workers: Annotated[int, typer.Option(help="ワーカープロセス数")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="X-Forwarded-For を信頼するリバースプロキシのアドレス（カンマ区切り）。"
            "ログインの試行回数の制限は接続元アドレスごとのため、プロキシの後ろでは必ず指定する"
            "（省略時は uvicorn の既定: 環境変数 FORWARDED_ALLOW_IPS、なければ 127.0.0.1）"
        ),
    ] = None,
) -> None:
    """職員向けAPIを起動する（OpenAPI: /openapi.json、画面: /docs）."""
    import uvicorn

    from jichitai.config import Settings, SettingsError

    try:
        Settings.from_environment().check()
    except SettingsError as e:
        _fail(DomainError(Violation("settings.invalid", str(e), "environment")))
    _app()  # refuses an un-migrated database before listening
    uvicorn.run(
        "jichitai.entrypoints.asgi:api",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def main() -> None:
    app()
