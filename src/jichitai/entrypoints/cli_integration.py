"""``jichitai subscriber …`` (registering business systems) and ``jichitai worker`` (webhooks,
and the CS outbox)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Role
from jichitai.domain.errors import DomainError
from jichitai.domain.integration.destinations import without_credentials
from jichitai.domain.integration.subscribers import BUSINESS_SYSTEMS, Subscriber
from jichitai.entrypoints.cli_common import (
    JsonOption,
    MunicipalityOption,
    _app,
    _emit,
    _fail,
    console_actor,
)

if TYPE_CHECKING:
    from jichitai.bootstrap import App
    from jichitai.services.cs_inbox import IntakeReport
    from jichitai.services.national import CsReport

subscriber_app = typer.Typer(help="他業務連携の連携先（業務システム）", no_args_is_help=True)
feed_app = typer.Typer(help="他業務連携の異動差分（フィード）", no_args_is_help=True)
EFFECTIVE_EVERY_SECONDS = 60.0
OUTAGE_BACKOFF_CAP = 5.0
"""The longest wait between two tries while the database is unavailable (a failover takes
seconds: the worker should be back within this long of it)."""
"""How often the worker tells the feed of planned changes whose day has come."""

SubscriberArgument = Annotated[str, typer.Argument(help="連携先ID")]


def _administrator(municipality: str) -> Actor:
    """The operator managing subscribers at the console, with an administrator's rights (the
    service checks them, as it does for the API's administrators)."""
    return console_actor(municipality, Role.ADMINISTRATOR)


def _view(s: Subscriber) -> dict[str, object]:
    return {
        "subscriber_id": s.subscriber_id,
        "name": s.name,
        "system": s.system,
        "system_label": s.system_label,
        "items": list(s.items),
        "my_number_allowed": s.my_number_allowed,
        "webhook_url": without_credentials(s.webhook_url),
        "disabled": s.disabled,
        "previous_secret_until": s.previous_secret_until.isoformat()
        if s.previous_webhook_secret and s.previous_secret_until
        else None,
        "withheld_duties": list(s.withheld_duties),
    }


@subscriber_app.command("add")
def subscriber_add(
    municipality: MunicipalityOption,
    name: Annotated[str, typer.Option(help="連携先の名称（例: 児童手当システム）")],
    system: Annotated[str, typer.Option(help=f"業務: {', '.join(BUSINESS_SYSTEMS)}")],
    items: Annotated[
        str, typer.Option(help="受け取る項目（中間標準レイアウトの項目名、カンマ区切り）")
    ],
    my_number: Annotated[
        bool, typer.Option("--my-number", help="番号法で個人番号の利用が認められた事務")
    ] = False,
    webhook_url: Annotated[
        str | None,
        typer.Option(
            help="Webhook の送信先 URL（https。内部ネットワーク等は JICHITAI_WEBHOOK_ALLOWED_NETWORKS"
            " で許可されたものだけで、そこでは http も可）"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """連携先を登録する。APIキーと Webhook の秘密鍵はこの一度だけ表示される。"""
    a = _app()
    try:
        created = a.subscribers.add(
            _administrator(municipality),
            name=name,
            system=system,
            items=items.split(","),
            my_number_allowed=my_number,
            webhook_url=webhook_url,
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(
        {
            **_view(created.subscriber),
            "api_key": created.api_key,
            "webhook_secret": created.webhook_secret,
        },
        as_json,
    )


@subscriber_app.command("list")
def subscriber_list(municipality: MunicipalityOption, as_json: JsonOption = False) -> None:
    """連携先の一覧."""
    try:
        found = _app().subscribers.list(_administrator(municipality))
    except DomainError as e:
        _fail(e, as_json)
    _emit([_view(s) for s in found], as_json)


@subscriber_app.command("disable")
def subscriber_disable(
    municipality: MunicipalityOption, subscriber_id: SubscriberArgument, as_json: JsonOption = False
) -> None:
    """連携先を無効にする（APIキーは拒否され、Webhook は送られない）."""
    try:
        updated = _app().subscribers.disable(_administrator(municipality), subscriber_id)
    except DomainError as e:
        _fail(e, as_json)
    _emit(_view(updated), as_json)


@subscriber_app.command("withheld-duties")
def subscriber_withheld_duties(
    municipality: MunicipalityOption,
    subscriber_id: SubscriberArgument,
    duties: Annotated[
        str,
        typer.Option(
            help="提供を止められた者の項目をなお受け取る業務（業務コード、カンマ区切り。"
            "空文字で解除）"
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """提供を止められた者（他業務参照不可・支援措置等）をなお受け取る業務を設定する（記録される）."""
    try:
        updated = _app().subscribers.set_withheld_duties(
            _administrator(municipality), subscriber_id, duties.split(",")
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(_view(updated), as_json)


@subscriber_app.command("renew-key")
def subscriber_renew_key(
    municipality: MunicipalityOption, subscriber_id: SubscriberArgument, as_json: JsonOption = False
) -> None:
    """APIキーを再発行する（古いキーは直ちに無効）."""
    try:
        renewed = _app().subscribers.renew_key(_administrator(municipality), subscriber_id)
    except DomainError as e:
        _fail(e, as_json)
    _emit({"subscriber_id": subscriber_id, "api_key": renewed.api_key}, as_json)


@subscriber_app.command("rotate-secret")
def subscriber_rotate_secret(
    municipality: MunicipalityOption,
    subscriber_id: SubscriberArgument,
    overlap_hours: Annotated[
        float, typer.Option(help="旧い鍵でも併せて署名する時間（0 なら直ちに新しい鍵だけ）")
    ] = 24,
    as_json: JsonOption = False,
) -> None:
    """Webhook の署名鍵を切り替える。新しい鍵はこの一度だけ表示される。"""
    try:
        rotated = _app().subscribers.rotate_webhook_secret(
            _administrator(municipality), subscriber_id, overlap_hours
        )
    except DomainError as e:
        _fail(e, as_json)
    until = rotated.previous_valid_until
    _emit(
        {
            "subscriber_id": subscriber_id,
            "webhook_secret": rotated.webhook_secret,
            "previous_valid_until": until.isoformat() if until else None,
        },
        as_json,
    )


@subscriber_app.command("retire-secret")
def subscriber_retire_secret(
    municipality: MunicipalityOption, subscriber_id: SubscriberArgument, as_json: JsonOption = False
) -> None:
    """切替え前の Webhook 署名鍵を直ちに無効にする."""
    try:
        updated = _app().subscribers.retire_previous_secret(
            _administrator(municipality), subscriber_id
        )
    except DomainError as e:
        _fail(e, as_json)
    _emit(_view(updated), as_json)


@subscriber_app.command("replay")
def subscriber_replay(
    municipality: MunicipalityOption,
    subscriber_id: SubscriberArgument,
    after: Annotated[int, typer.Option(help="このカーソル（通番）より後の異動を送り直す")],
    as_json: JsonOption = False,
) -> None:
    """Webhook をカーソルから送り直す（配信不能になったものも含めて）."""
    try:
        pending = _app().subscribers.replay(_administrator(municipality), subscriber_id, after)
    except DomainError as e:
        _fail(e, as_json)
    _emit({"subscriber_id": subscriber_id, "after": after, "pending": pending}, as_json)


@subscriber_app.command("status")
def subscriber_status(
    municipality: MunicipalityOption, subscriber_id: SubscriberArgument, as_json: JsonOption = False
) -> None:
    """Webhook の配信状況（pending / delivered / dead の件数と、失敗していればその理由）."""
    subscribers = _app().subscribers
    try:
        admin = _administrator(municipality)
        counts = subscribers.delivery_counts(admin, subscriber_id)
        last_error = subscribers.last_delivery_error(admin, subscriber_id)
    except DomainError as e:
        _fail(e, as_json)
    _emit({"subscriber_id": subscriber_id, **counts, "last_error": last_error}, as_json)


@feed_app.command("effective")
def feed_effective(
    municipality: MunicipalityOption,
    on: Annotated[
        str | None,
        typer.Option("--on", help="この日（YYYY-MM-DD、今日まで）までに効力を生じた予定の異動"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """異動日が来た予定の異動（転出予定）ごとに took_effect を、開始日が来た抑止・支援措置の設定ごとに
    protection をフィードに追加する（何度実行しても一度だけ。took_effect に追加した通番の一覧）."""
    from jichitai.domain.inbound.integration_params import as_of_day

    app = _app()
    try:
        day = as_of_day(on, app.clock.today(), field="on")
        appended = app.integration.tell_effective(municipality, day)
    except DomainError as e:
        _fail(e, as_json)
    _emit({"municipality": municipality, "took_effect": appended}, as_json)


def _tell_effective(app: App) -> None:
    """The worker's dates step: for every municipality (those added since the worker started
    too), the day of each planned change that has come is told in the feed (and so by webhook);
    a failure is logged, not fatal (the database away: the next step tries again)."""
    try:
        codes = [m.code for m in app.municipalities.all()]
    except Exception:
        logging.getLogger("jichitai.worker").exception("dates step: municipalities not read")
        return
    integration = app.integration
    for code in codes:
        try:
            integration.tell_effective(code)
        except Exception:
            logging.getLogger("jichitai.worker").exception("dates step for %s failed", code)


def worker(
    once: Annotated[bool, typer.Option("--once", help="配信できるものを一巡して終了")] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="同時に配信する連携先の数")] = 4,
    poll: Annotated[float, typer.Option(min=0.01, max=60, help="空のときの待ち（秒）")] = 0.1,
    dates_every: Annotated[
        float,
        typer.Option("--dates-every", min=0.05, max=3600, help="異動日の到来を確かめる間隔（秒）"),
    ] = EFFECTIVE_EVERY_SECONDS,
) -> None:
    """Webhook を配信する（異動と同じトランザクションで書かれた送信待ちを順に送る）."""

    from jichitai.services.cs_inbox import IntakeReport
    from jichitai.services.national import CsReport
    from jichitai.services.webhooks import DispatchReport

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = _app()  # once: the dates step and the deliveries share its engines
    dispatcher = app.webhooks
    stop = threading.Event()

    def stop_now(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stop_now)
    signal.signal(signal.SIGINT, stop_now)
    total = DispatchReport()
    cs_total = CsReport()
    intake_total = IntakeReport()

    def serve(pair: tuple[str, str]) -> DispatchReport:
        try:
            return dispatcher.serve(*pair)
        except Exception:  # one subscriber's failed run (a database hiccup) must not stop the rest
            logging.getLogger("jichitai.worker").exception("run for %s/%s failed", *pair)
            return DispatchReport()

    told_at = -dates_every
    outage = 0.0  # seconds to wait before asking the database again (0: it answered)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook") as pool:
        while not stop.is_set():
            if time.monotonic() - told_at >= dates_every:
                _tell_effective(app)
                _refill_free_codes(app)
                told_at = time.monotonic()
            try:
                due = dispatcher.due(limit=concurrency * 4)
            except Exception:
                # The database is away (a failover, a restart; PostgreSQL's engine says so with
                # Unavailable, adapters/db/outages.py; a pool that timed out waiting for it):
                # wait and ask again, backing off to OUTAGE_BACKOFF_CAP; what is queued stays
                # queued and goes out afterwards.
                outage = min(max(poll, outage * 2), OUTAGE_BACKOFF_CAP)
                logging.getLogger("jichitai.worker").warning(
                    "database unavailable; asking again in %.1f s", outage, exc_info=True
                )
                stop.wait(outage)
                continue
            outage = 0.0
            for report in pool.map(serve, due):
                total.add(report)
            moved = _send_cs(app, cs_total)
            moved += _receive_cs(app, intake_total)
            if once and not due and not moved:
                break
            if not due and not moved:
                stop.wait(poll)
    dispatcher.close()
    app.cs.close()
    typer.echo(
        f"worker: delivered {total.delivered}, retrying {total.failed}, dead letters {total.dead}"
    )
    if app.cs.enabled:
        typer.echo(
            f"worker: cs sent {cs_total.sent}, refused {cs_total.refused},"
            f" retrying {cs_total.retrying}"
        )
        typer.echo(
            f"worker: cs received {intake_total.received}, taken in {intake_total.taken},"
            f" unmatched {intake_total.unmatched}"
        )


def _refill_free_codes(app: App) -> None:
    """The free-code step of the worker (standard §4.3.1): every municipality whose stock of
    free 住民票コード is low gets a block from the CS; an error is logged, tried next time."""
    if not app.number_link.enabled:
        return
    try:
        app.number_link.refill_all()
    except Exception:
        logging.getLogger("jichitai.worker").exception("free-code round failed")


def _send_cs(app: App, total: CsReport) -> int:
    """The CS step of the worker (standard §7.1.1.1 (1090)): one round of the CS outbox; how
    many messages it answered (sent or refused). An error (the database or the CS away) is
    logged and the worker goes on: the messages stay pending and go out in a later round."""
    if not app.cs.enabled:
        return 0
    try:
        report = app.cs.send_due()
    except Exception:
        logging.getLogger("jichitai.worker").exception("CS round failed")
        return 0
    total.sent += report.sent
    total.refused += report.refused
    total.retrying += report.retrying
    return report.sent + report.refused


def _receive_cs(app: App, total: IntakeReport) -> int:
    """The CS intake step of the worker: what other municipalities sent through the CS
    (``services/cs_inbox.py``); how many messages arrived. An error is logged and the worker
    goes on (the CS keeps the mailbox; it is fetched again in a later round)."""
    if not app.cs_inbox.enabled:
        return 0
    try:
        report = app.cs_inbox.receive()
    except Exception:
        logging.getLogger("jichitai.worker").exception("CS intake round failed")
        return 0
    total.received += report.received
    total.taken += report.taken
    total.unmatched += report.unmatched
    return report.received
