"""Composition root: the one place that chooses implementations and wires them together."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy import Engine

from jichitai.adapters.clock import SystemClock, SystemIds, SystemRandom
from jichitai.adapters.db.engine import SQLITE_POOL_SIZE, create_engine_for, is_sqlite
from jichitai.adapters.db.revisions import current_revision, head_revision
from jichitai.adapters.db.sealing import bind_keys
from jichitai.adapters.db.sealing_existing import Resealed, encrypt_existing
from jichitai.adapters.db.shards import ShardCatalog
from jichitai.adapters.db.unit_of_work import SqlMunicipalityDirectory, SqlUnitOfWork
from jichitai.adapters.db.user_directory import SqlStaffLogins
from jichitai.adapters.http.resolver import SystemResolver
from jichitai.adapters.pdf.font_path import mj_font_path
from jichitai.adapters.private_files import write_private
from jichitai.adapters.security.my_number_keys import MyNumberKeys
from jichitai.adapters.security.passwords import Argon2PasswordHasher
from jichitai.adapters.security.tokens import JwtTokens
from jichitai.adapters.town_area_csv import CsvTownAreaSource
from jichitai.bootstrap_national import NationalLinks
from jichitai.bootstrap_national import immigration_intake as immigration_intake
from jichitai.bootstrap_national import standin_cs_server as standin_cs_server
from jichitai.config import Settings
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.integration.destinations import DestinationPolicy
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.migration.layout import Layout
from jichitai.domain.notices.contents import NoticeDocument
from jichitai.services.application_forms import ApplicationForm, ApplicationForms
from jichitai.services.audit import AccessLog
from jichitai.services.hashing import BoundedHasher
from jichitai.services.integration_limits import IntegrationLimits
from jichitai.services.login import LoginService
from jichitai.services.login_throttles import LoginLimits, LoginThrottles
from jichitai.services.municipalities import MunicipalityService
from jichitai.services.notices import NoticeService
from jichitai.services.ports import (
    Clock,
    HostResolver,
    IdSource,
    PasswordHasher,
    RandomSource,
    TokenCodec,
    TownAreaSource,
)
from jichitai.services.queries import RegisterQueries
from jichitai.services.register import RegisterService
from jichitai.services.register_access import RegisterAccess
from jichitai.services.register_overview import RegisterOverview
from jichitai.services.seals import MeasuredSeal, SealService
from jichitai.services.sessions import SessionService
from jichitai.services.suppression import SuppressionService
from jichitai.services.throttle import Limit, Throttle
from jichitai.services.town_areas import TownAreaMaster
from jichitai.services.users import UserService

if TYPE_CHECKING:
    from jichitai.services.card_destinations import CardDestinations
    from jichitai.services.certificates import CertificateService
    from jichitai.services.cs_inbox import CsIntake
    from jichitai.services.cs_lists import CsLists
    from jichitai.services.integration import IntegrationService
    from jichitai.services.migration import LayoutExportService
    from jichitai.services.migration_import import LayoutImportService
    from jichitai.services.migration_profile import LayoutProfileService
    from jichitai.services.national import CsSender
    from jichitai.services.national_check import CardStatuses, ConsistencyCheck
    from jichitai.services.national_ops import CsOperations
    from jichitai.services.number_link import NumberLinkService
    from jichitai.services.read_log import ReadLog
    from jichitai.services.subscribers import SubscriberService
    from jichitai.services.webhooks import WebhookDispatcher
    from jichitai.services.wide_area import WideAreaService

T = TypeVar("T")


class _Once(Generic[T]):
    """A service built on first use, once. Its modules and adapters are imported then, not with
    the wiring: a command that issues no certificate never loads the PDF and signing stack, one
    that sends no webhook never loads the integration services. Locked, since the API builds
    them from its request threads."""

    _value: T

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._built = False
        self._lock = threading.Lock()

    def __call__(self) -> T:
        if not self._built:
            with self._lock:
                if not self._built:
                    self._value = self._build()
                    self._built = True
        return self._value


@dataclass
class App:
    """The wired services an entry point uses."""

    settings: Settings
    engine: Engine
    """The catalog database (the shard ``home``)."""
    shards: ShardCatalog
    """Which shard holds each municipality (ADR 0016): every unit of work goes through it."""
    municipalities: MunicipalityService
    register: RegisterService
    queries: RegisterQueries
    clock: Clock
    users: UserService
    logins: LoginService
    sessions: SessionService
    tokens: TokenCodec
    access_log: AccessLog
    read_log: ReadLog
    """The access-log entry of a list naming persons (the national links' lists)."""
    suppressions: SuppressionService
    register_access: RegisterAccess
    register_overview: RegisterOverview
    """Counts, 町字 and the journal's check: the register as a whole, the actor's right checked."""
    seals: SealService
    name_font_path: str
    """IPAmj明朝, the font that draws every name (certificates, and the counter's pages)."""
    application_forms: ApplicationForms
    """The 住民異動届 of a draft as PDF for the resident's signature (drawn in IPAmj明朝)."""
    draw_seal_scan: Callable[[str, float], bytes]
    """Draws a personal seal scan bearing a family name, ``side_mm`` across (demo data)."""
    api_threads: int | None
    """Worker threads for the API: on SQLite as many as the pooled connections (more would only
    queue for a connection); None keeps the server's default."""
    verify_throttle: Throttle
    integration_limits: IntegrationLimits
    """Requests per subscriber to ``/integration/v1``: ``Settings.integration_limit`` per
    ``integration_window_seconds``."""
    """Certificate checks per client address (``/verify``, no login): ``Settings.verify_limit``
    per ``verify_window_seconds``."""
    my_number_keys: MyNumberKeys
    """The 個人番号 keys in the key directory (ADR 0015): ``jichitai keys rotate|rewrap``."""
    encrypt_existing: Callable[[str], Resealed]
    """``jichitai keys encrypt-existing`` for one municipality (once, after revision 0023)."""
    write_private_file: Callable[[str, bytes], None]
    """Writes a file an entry point hands to the operator (a certificate PDF…) owner-only, 0600,
    whatever the umask (``adapters/private_files.py``): it holds personal data."""
    town_areas: TownAreaMaster
    """The municipality's 町字 master: import, and the counter's completion (ADR 0013)."""
    town_area_file: Callable[[str], TownAreaSource]
    """A 町字 master file in the ABR 町字マスター CSV layout (``adapters/town_area_csv.py``)."""
    _layout_export: _Once[LayoutExportService] = field(repr=False)
    _layout_import: _Once[LayoutImportService] = field(repr=False)
    _certificates: _Once[CertificateService] = field(repr=False)
    _integration: _Once[IntegrationService] = field(repr=False)
    _subscribers: _Once[SubscriberService] = field(repr=False)
    _webhooks: _Once[WebhookDispatcher] = field(repr=False)
    _cs: _Once[CsSender] = field(repr=False)
    _cs_ops: _Once[CsOperations] = field(repr=False)
    _cs_check: _Once[ConsistencyCheck] = field(repr=False)
    _cards: _Once[CardStatuses] = field(repr=False)
    _card_destinations: _Once[CardDestinations] = field(repr=False)
    _number_link: _Once[NumberLinkService] = field(repr=False)
    _notices: _Once[NoticeService] = field(repr=False)
    _cs_inbox: _Once[CsIntake] = field(repr=False)
    _cs_lists: _Once[CsLists] = field(repr=False)
    _wide_area: _Once[WideAreaService] = field(repr=False)

    @property
    def layout_export(self) -> LayoutExportService:
        return self._layout_export()

    @property
    def layout_import(self) -> LayoutImportService:
        return self._layout_import()

    @property
    def certificates(self) -> CertificateService:
        return self._certificates()

    @property
    def integration(self) -> IntegrationService:
        return self._integration()

    @property
    def subscribers(self) -> SubscriberService:
        return self._subscribers()

    @property
    def webhooks(self) -> WebhookDispatcher:
        return self._webhooks()

    @property
    def cs(self) -> CsSender:
        """The CS outbox's sending and list (standard §7.1.1.1 (1090))."""
        return self._cs()

    @property
    def cs_ops(self) -> CsOperations:
        """The clerk's operations on CS sending: re-send, done by hand, manual (§7.1.1.1)."""
        return self._cs_ops()

    @property
    def cs_check(self) -> ConsistencyCheck:
        """The consistency check with the CS and the card status (§7.1.1.2–7.1.1.3)."""
        return self._cs_check()

    @property
    def cards(self) -> CardStatuses:
        """The cards as the card management system reports them, recorded (§7.1.1.3)."""
        return self._cards()

    @property
    def card_destinations(self) -> CardDestinations:
        """The 送付先 and the 送付先情報, 更新対象者 (§7.1.1.4)."""
        return self._card_destinations()

    @property
    def number_link(self) -> NumberLinkService:
        """番号連携 and the free 住民票コード (standard §7.1.2, §4.3.1)."""
        return self._number_link()

    @property
    def notices(self) -> NoticeService:
        """Notices (通知書) printed from the recorded changes (§4.0.5, §4.1.0.3, §4.2.0.1 …)."""
        return self._notices()

    @property
    def cs_inbox(self) -> CsIntake:
        """What other municipalities sent through the CS: taken in, listed, 特例転入 from it."""
        return self._cs_inbox()

    @property
    def cs_lists(self) -> CsLists:
        """CS送信エラー一覧表 and 転入通知情報等取込エラー一覧表, printed (§7.1.1.1, §4.1.3.1.2)."""
        return self._cs_lists()

    @property
    def wide_area(self) -> WideAreaService:
        """広域交付要求 and its answers through the CS (§7.1.1.1, 住基法12条の4)."""
        return self._wide_area()

    def preload(self) -> None:
        """Builds now what is otherwise built on first use and imports what the adapters import
        on first use (the PDF and signing stack, Pillow, PyJWT): a server pays for them before
        it listens, and before it freezes what it has built out of the collector's scans, not
        in its first requests."""
        for build in (
            self._layout_export,
            self._layout_import,
            self._certificates,
            self._integration,
            self._subscribers,
            self._webhooks,
        ):
            build()
        for module in _IMPORTED_ON_FIRST_USE:
            importlib.import_module(module)

    def upgrade_database(self) -> None:
        from jichitai.adapters.db.migrate import upgrade  # Alembic: loaded to migrate only

        upgrade(self.engine)

    def database_is_current(self) -> bool:
        """Whether the database has every migration (``jichitai db upgrade`` was run)."""
        return current_revision(self.engine) == head_revision()


_IMPORTED_ON_FIRST_USE = (
    "jwt",
    "jichitai.adapters.pdf.application_form",
    "jichitai.adapters.pdf.certificate_pdf",
    "jichitai.adapters.pdf.notice_pdf",
    "jichitai.adapters.pdf.signing",
    "jichitai.adapters.seal_drawing",
    "jichitai.adapters.seal_images",
)
"""Modules imported where they are first used (``preload`` imports them at once)."""


# The drawing adapters load ReportLab or Pillow: imported when first used, not with the wiring,
# so that a command that draws nothing (``jichitai stats``) does not pay for them.
def render_application_form(form: ApplicationForm, *, font_path: str = "") -> bytes:
    from jichitai.adapters.pdf.application_form import render_application_form as render

    return render(form, font_path=font_path)


def render_notice(document: NoticeDocument, *, font_path: str = "") -> bytes:
    from jichitai.adapters.pdf.notice_pdf import render_notice as render

    return render(document, font_path=font_path)


def measure_seal(data: bytes) -> MeasuredSeal:
    from jichitai.adapters.seal_images import measure_seal as measure

    return measure(data)


def draw_seal_scan(family_name: str, side_mm: float, *, font_path: str = "") -> bytes:
    from jichitai.adapters.seal_drawing import draw_seal_scan as draw

    return draw(family_name, side_mm, font_path=font_path)


def _password_hasher(settings: Settings, hasher: PasswordHasher | None) -> PasswordHasher:
    if hasher is None:
        if settings.password_hash_cost == "fast":  # tests only; refused in production
            hasher = Argon2PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        else:
            hasher = Argon2PasswordHasher()
    waiting = settings.hash_waiting
    return BoundedHasher(
        hasher,
        settings.hash_concurrency,
        settings.hash_concurrency if waiting is None else waiting,
    )


def _login_limits(settings: Settings) -> LoginLimits:
    window = timedelta(minutes=settings.login_failure_minutes)
    return LoginLimits(
        per_address=Limit(settings.login_failures_per_address, window),
        per_login=Limit(settings.login_failures_per_login, window),
    )


def _bundled_layout(version: str) -> Layout:
    """A layout bundled with jichitai (``jichitai/layouts/juki/<version>.toml``)."""
    from jichitai.adapters.standard_layout.layout import LayoutError, load_layout

    try:
        return load_layout(version)
    except LayoutError as exc:
        raise DomainError(
            *(Violation("layout.invalid", problem, "layout") for problem in exc.problems)
        ) from exc


def layout_profile() -> LayoutProfileService:
    """``layout check``'s service: the bundled layouts and the import's CSV reader (its header
    read leniently, to profile the rows anyway); no settings, no database."""
    from jichitai.adapters.standard_layout.csv_import import CsvImportSource
    from jichitai.services.migration_profile import LayoutProfileService

    def source(directory: str, encoding: str | None) -> CsvImportSource:
        return CsvImportSource(directory, encoding, partial_header=True)

    return LayoutProfileService(_bundled_layout, source)


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    random: RandomSource | None = None,
    ids: IdSource | None = None,
    engine: Engine | None = None,
    resolver: HostResolver | None = None,
    hasher: PasswordHasher | None = None,
) -> App:
    """The application wired for ``settings``; tests pass their own clock, randomness, ids
    (seeded, one seed per application sharing a database), engine, host resolver (so that no
    test depends on DNS) and password hasher (the raw hash, which the bound on concurrent
    hashing wraps)."""
    settings = settings or Settings.from_environment()
    engine = engine or create_engine_for(settings.database_url)
    clock = clock or SystemClock(settings.timezone)
    random = random or SystemRandom()
    ids = ids or SystemIds()
    my_number_keys = MyNumberKeys(settings.key_dir)
    bind_keys(engine, my_number_keys)  # every unit of work on the engine seals 個人番号 with them

    def shard_engine(url: str) -> Engine:
        made = create_engine_for(url)
        bind_keys(made, my_number_keys)
        return made

    shards = ShardCatalog(engine, shard_engine)  # the catalog database is the shard ``home``
    municipalities = MunicipalityService(SqlMunicipalityDirectory(shards), clock)

    def uow_for(code: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(shards, code, keys=my_number_keys)

    def reader_for(code: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(shards, code, read_only=True, keys=my_number_keys)

    def municipality_exists(code: str) -> bool:
        return municipalities.name_of(code) is not None

    def snapshot_reader_for(code: str, *, snapshot: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(shards, code, read_only=True, snapshot=snapshot, keys=my_number_keys)

    register = RegisterService(uow_for, clock, random, ids, free_codes=bool(settings.cs_url))
    queries = RegisterQueries(reader_for, clock)
    access_log = AccessLog(uow_for, clock, ids, reader_for=snapshot_reader_for)
    suppressions = SuppressionService(uow_for, clock, access_log, ids)
    seals = SealService(uow_for, suppressions, access_log, clock, measure_seal, ids)
    resolver = resolver or SystemResolver()
    destinations = DestinationPolicy(settings.webhook_allowed_networks)
    tokens = JwtTokens(settings.secret_key, timedelta(minutes=settings.token_minutes), clock)
    sessions = SessionService(uow_for, reader_for, tokens, clock, access_log, ids)
    password_hasher = _password_hasher(settings, hasher)
    throttles = LoginThrottles(clock, _login_limits(settings))
    users = UserService(
        uow_for,
        reader_for,
        SqlStaffLogins(shards),
        password_hasher,
        clock,
        municipality_exists,
        sessions,
        throttles,
        access_log,
    )

    # Built on first use (``_Once``), with the modules of their adapters.
    def certificates() -> CertificateService:
        from jichitai.adapters.db.certificate_store import SqlIssueCodes
        from jichitai.adapters.pdf.certificate_maker import KeyDirectoryCertificateMaker
        from jichitai.adapters.security.certificate_keys import KeyStore
        from jichitai.services.certificates import CertificateService

        return CertificateService(
            uow_for,
            reader_for,
            SqlIssueCodes(shards),
            queries,
            suppressions,
            access_log,
            KeyDirectoryCertificateMaker(
                KeyStore(settings.key_dir), clock, font_path=settings.mj_font_path
            ),
            clock,
            municipalities.name_of,
            random,
        )

    def integration() -> IntegrationService:
        from jichitai.adapters.db.subscriber_store import SqlSubscriberKeys
        from jichitai.services.effective_dates import EffectiveDates
        from jichitai.services.integration import IntegrationService

        return IntegrationService(
            uow_for,
            snapshot_reader_for,
            queries,
            SqlSubscriberKeys(shards),
            suppressions,
            access_log,
            _bundled_layout,
            clock,
            effective=EffectiveDates(uow_for, clock, ids),
        )

    def subscribers() -> SubscriberService:
        from jichitai.services.subscribers import SubscriberService

        return SubscriberService(
            uow_for,
            access_log,
            clock,
            lambda: the_integration().item_names,
            destinations,
            resolver,
            ids,
        )

    def webhooks() -> WebhookDispatcher:
        from jichitai.adapters.db.outbox_store import SqlOutboxQueue
        from jichitai.adapters.http.webhook_transport import HttpTransport
        from jichitai.services.webhooks import WebhookDispatcher

        return WebhookDispatcher(
            SqlOutboxQueue(shards),
            the_integration(),
            uow_for,
            reader_for,
            HttpTransport(destinations, resolver),
            access_log,
            clock,
            RetryPolicy(
                settings.webhook_backoff_base,
                max(settings.webhook_backoff_cap, settings.webhook_backoff_base),
                settings.webhook_max_attempts,
            ),
            timeout=settings.webhook_timeout,
            lease_seconds=settings.webhook_lease_seconds,
        )

    national = NationalLinks(
        settings,
        shards,
        clock,
        ids,
        uow_for,
        reader_for,
        register,
        queries,
        access_log,
        lambda: RegisterAccess(register, queries, suppressions, access_log, uow_for),
        lambda: [m.code for m in municipalities.all()],
        suppressions,
    )

    def layout_export() -> LayoutExportService:
        from jichitai.adapters.standard_layout.csv_export import CsvExportSink
        from jichitai.services.migration import LayoutExportService

        return LayoutExportService(reader_for, _bundled_layout, CsvExportSink)

    def layout_import() -> LayoutImportService:
        from jichitai.adapters.migration_workers import ProcessRowCheckPool
        from jichitai.adapters.standard_layout.csv_import import (
            CsvImportSource,
            write_id_map,
            write_import_report,
        )
        from jichitai.services.migration_import import LayoutImportService

        return LayoutImportService(
            uow_for,
            _bundled_layout,
            CsvImportSource,
            write_import_report,
            write_id_map,
            clock,
            municipalities.name_of,
            ids,
            check_pool=ProcessRowCheckPool(),
        )

    the_integration = _Once(integration)
    the_cs, the_cs_inbox = _Once(national.cs), _Once(national.cs_inbox)
    return App(
        seals=seals,
        _certificates=_Once(certificates),
        _integration=the_integration,
        _subscribers=_Once(subscribers),
        _webhooks=_Once(webhooks),
        _cs=the_cs,
        _cs_ops=_Once(national.cs_ops),
        _cs_check=_Once(national.cs_check),
        _cards=_Once(national.cards),
        _card_destinations=_Once(national.card_destinations),
        _number_link=_Once(national.number_link),
        _notices=_Once(
            lambda: NoticeService(
                uow_for,
                access_log,
                partial(render_notice, font_path=settings.mj_font_path),
                clock,
                suppressions,
            )
        ),
        _cs_inbox=the_cs_inbox,
        _wide_area=_Once(national.wide_area),
        _cs_lists=_Once(lambda: national.cs_lists(the_cs, the_cs_inbox, municipalities.name_of)),
        read_log=national.read_log(),
        settings=settings,
        engine=engine,
        shards=shards,
        municipalities=municipalities,
        register=register,
        queries=queries,
        clock=clock,
        users=users,
        logins=LoginService(
            uow_for, users, password_hasher, throttles, sessions, access_log, clock
        ),
        sessions=sessions,
        tokens=tokens,
        access_log=access_log,
        suppressions=suppressions,
        register_access=RegisterAccess(register, queries, suppressions, access_log, uow_for),
        register_overview=RegisterOverview(register, queries),
        _layout_export=_Once(layout_export),
        _layout_import=_Once(layout_import),
        name_font_path=mj_font_path(settings.mj_font_path),
        application_forms=ApplicationForms(
            access_log, partial(render_application_form, font_path=settings.mj_font_path)
        ),
        draw_seal_scan=partial(draw_seal_scan, font_path=settings.mj_font_path),
        api_threads=SQLITE_POOL_SIZE if is_sqlite(engine) else None,
        verify_throttle=Throttle(
            clock,
            Limit(settings.verify_limit, timedelta(seconds=settings.verify_window_seconds)),
        ),
        integration_limits=IntegrationLimits(
            clock,
            Limit(
                settings.integration_limit,
                timedelta(seconds=settings.integration_window_seconds),
            ),
        ),
        write_private_file=write_private,
        my_number_keys=my_number_keys,
        encrypt_existing=lambda code: encrypt_existing(
            shards.engine_for(code)[1], my_number_keys, code
        ),
        town_areas=TownAreaMaster(uow_for, reader_for, access_log, clock),
        town_area_file=CsvTownAreaSource,
    )
