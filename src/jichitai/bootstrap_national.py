"""The composition of the national links (issue 21, ``docs/national-links.md``), beside
``bootstrap.py``: the CS outbox's sender, the clerk's operations on it, the consistency check and
card status, the CS's inbox, and 番号連携. Each adapter talks to ``JICHITAI_CS_URL`` (the real CS
through a municipality's adapter, or ``jichitai standin serve``); with no URL each link is off."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jichitai.domain.integration.retry import RetryPolicy

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from jichitai.adapters.db.shards import ShardCatalog
    from jichitai.adapters.db.unit_of_work import SqlUnitOfWork
    from jichitai.bootstrap import App
    from jichitai.config import Settings
    from jichitai.services.audit import AccessLog
    from jichitai.services.card_destinations import CardDestinations
    from jichitai.services.cs_inbox import CsIntake
    from jichitai.services.cs_lists import CsLists
    from jichitai.services.immigration import ImmigrationIntake
    from jichitai.services.national import CsSender
    from jichitai.services.national_check import CardStatuses, ConsistencyCheck
    from jichitai.services.national_ops import CsOperations
    from jichitai.services.number_link import NumberLinkService
    from jichitai.services.ports import Clock, IdSource
    from jichitai.services.queries import RegisterQueries
    from jichitai.services.read_log import ReadLog
    from jichitai.services.register import RegisterService
    from jichitai.services.register_access import RegisterAccess
    from jichitai.services.suppression import SuppressionService
    from jichitai.services.wide_area import WideAreaService


@dataclass
class NationalLinks:
    """What the national links are built from; each method builds one service (``App`` calls it
    once, on first use)."""

    settings: Settings
    shards: ShardCatalog
    clock: Clock
    ids: IdSource
    uow_for: Callable[[str], SqlUnitOfWork]
    reader_for: Callable[[str], SqlUnitOfWork]
    register: RegisterService
    queries: RegisterQueries
    access_log: AccessLog
    register_access: Callable[[], RegisterAccess]
    municipality_codes: Callable[[], list[str]]
    suppressions: SuppressionService
    _number_link: NumberLinkService | None = field(default=None, init=False)

    def read_log(self) -> ReadLog:
        from jichitai.services.read_log import ReadLog

        return ReadLog(self.uow_for, self.access_log, self.suppressions)

    def cs(self) -> CsSender:
        from jichitai.adapters.db.cs_outbox_store import SqlCsOutbox
        from jichitai.adapters.http.cs_transport import HttpCsTransport
        from jichitai.services.national import CsSender

        s = self.settings
        transport = HttpCsTransport(s.cs_url, s.cs_timeout) if s.cs_url else None
        backoff = RetryPolicy(
            s.webhook_backoff_base,
            max(s.webhook_backoff_cap, s.webhook_backoff_base),
            s.webhook_max_attempts,
        )
        return CsSender(
            SqlCsOutbox(self.shards),
            transport,
            self.clock,
            backoff,
            answered=self.number_link().take_generated,
            read_log=self.read_log(),
        )

    def number_link(self) -> NumberLinkService:
        """One per application: the sender takes the 個人番号生成要求's answers in through it."""
        if self._number_link is None:
            from jichitai.adapters.http.number_service import HttpNumberService
            from jichitai.services.number_link import NumberLinkService

            s = self.settings
            self._number_link = NumberLinkService(
                self.uow_for,
                self.register,
                HttpNumberService(s.cs_url, s.cs_timeout) if s.cs_url else None,
                self.access_log,
                self.clock,
                self.ids,
                municipalities=self.municipality_codes,
                low_mark=s.free_codes_low,
                block=s.free_codes_block,
            )
        return self._number_link

    def cs_ops(self) -> CsOperations:
        from jichitai.adapters.db.cs_ops_store import SqlCsOperations
        from jichitai.adapters.unified_chars_file import bundled_table
        from jichitai.services.national_ops import CsOperations

        return CsOperations(SqlCsOperations(self.shards), self.clock, bundled_table())

    def cs_check(self) -> ConsistencyCheck:
        from jichitai.adapters.http.cs_query import HttpCsQuery
        from jichitai.adapters.unified_chars_file import bundled_table
        from jichitai.services.national_check import ConsistencyCheck

        url = self.settings.cs_url
        query = HttpCsQuery(url) if url else None
        return ConsistencyCheck(self.reader_for, query, bundled_table(), read_log=self.read_log())

    def cards(self) -> CardStatuses:
        from jichitai.adapters.db.card_status_store import SqlCardStatuses
        from jichitai.adapters.http.cs_query import HttpCsQuery
        from jichitai.services.national_check import CardStatuses

        url = self.settings.cs_url
        query = HttpCsQuery(url) if url else None
        return CardStatuses(
            self.reader_for,
            SqlCardStatuses(self.shards),
            query,
            self.clock,
            read_log=self.read_log(),
        )

    def card_destinations(self) -> CardDestinations:
        from jichitai.adapters.db.card_destination_store import SqlCardDestinations
        from jichitai.adapters.http.cs_query import HttpCsQuery
        from jichitai.adapters.unified_chars_file import bundled_table
        from jichitai.services.card_destinations import CardDestinations

        url = self.settings.cs_url
        return CardDestinations(
            self.reader_for,
            SqlCardDestinations(self.shards),
            HttpCsQuery(url) if url else None,
            self.clock,
            bundled_table(),
            read_log=self.read_log(),
        )

    def cs_inbox(self) -> CsIntake:
        from jichitai.adapters.db.cs_inbox_store import SqlCsInbox
        from jichitai.adapters.http.cs_mailbox import HttpCsMailbox
        from jichitai.services.cs_inbox import CsIntake

        s = self.settings
        mailbox = HttpCsMailbox(s.cs_url, s.cs_timeout) if s.cs_url else None
        return CsIntake(
            SqlCsInbox(self.shards),
            mailbox,
            self.clock,
            self.municipality_codes,
            self.register,
            self.queries,
            self.register_access(),
            self.read_log(),
            answer_requests=self.wide_area().answer,
            shared=s.cs_shared,
        )

    def wide_area(self) -> WideAreaService:
        from jichitai.adapters.db.cs_inbox_store import SqlCsInbox
        from jichitai.adapters.db.cs_ops_store import SqlCsOperations
        from jichitai.adapters.unified_chars_file import bundled_table
        from jichitai.services.wide_area import WideAreaService

        return WideAreaService(
            self.uow_for,
            SqlCsInbox(self.shards),
            SqlCsOperations(self.shards),
            self.suppressions,
            self.access_log,
            self.clock,
            bundled_table(),
        )

    def cs_lists(
        self,
        cs: Callable[[], CsSender],
        inbox: Callable[[], CsIntake],
        name_of: Callable[[str], str | None],
    ) -> CsLists:
        """The printed lists: CS送信エラー一覧表, 転入通知情報等取込エラー一覧表 (PDF or CSV)."""
        from functools import partial

        from jichitai.adapters.pdf.list_pdf import render_list
        from jichitai.services.cs_lists import CsLists

        render = partial(render_list, font_path=self.settings.mj_font_path)
        return CsLists(
            cs,
            inbox,
            self.access_log,
            self.clock,
            render,
            name_of,
            stock=lambda actor: self.number_link().stock_batches(actor),
        )


def standin_cs_server(
    host: str,
    port: int,
    data_dir: str,
    *,
    delay: float = 0.0,
    refuse: Iterable[int] = (),
    shared: str = "",
) -> ThreadingHTTPServer:
    """The stand-in CS's HTTP server (``jichitai standin serve``; ``serve_forever`` runs it);
    ``delay`` (a slow answer) and ``refuse`` (seq numbers refused): ``standin/cs_faults.py``;
    ``shared``: groups sharing one CS, ``GROUP=M1,M2;…`` (``domain/national/shared_cs.py``)."""
    from jichitai.adapters.standin.cs_faults import Faults
    from jichitai.adapters.standin.cs_server import make_server
    from jichitai.domain.national.shared_cs import parse_groups

    faults = Faults(delay=delay, refuse=set(refuse))
    return make_server(host, port, data_dir, faults, parse_groups(shared))


def immigration_intake(app: App) -> ImmigrationIntake:
    """出入国在留管理庁長官通知の取込 (standard §4.5.6 (960)); the source is the stand-in's (or an
    adapter's) at ``JICHITAI_CS_URL`` (none: nothing is received)."""
    from jichitai.adapters.db.immigration_inbox_store import SqlImmigrationInbox
    from jichitai.adapters.http.immigration_source import HttpImmigrationSource
    from jichitai.services.immigration import ImmigrationIntake

    url, timeout = app.settings.cs_url, app.settings.cs_timeout
    source = HttpImmigrationSource(url, timeout) if url else None
    return ImmigrationIntake(
        SqlImmigrationInbox(app.shards),
        source,
        app.register_access,
        app.clock,
        read_log=app.read_log,
    )
