"""Composition root: the one place that chooses implementations and wires them together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from jichitai.adapters.clock import SystemClock, SystemRandom
from jichitai.adapters.db.certificate_store import SqlIssueCodes
from jichitai.adapters.db.engine import SQLITE_POOL_SIZE, create_engine_for, is_sqlite
from jichitai.adapters.db.migrate import current_revision, head_revision, upgrade
from jichitai.adapters.db.outbox_store import SqlOutboxQueue
from jichitai.adapters.db.subscriber_store import SqlSubscriberKeys
from jichitai.adapters.db.unit_of_work import SqlMunicipalityDirectory, SqlUnitOfWork
from jichitai.adapters.db.user_directory import SqlStaffLogins
from jichitai.adapters.http.resolver import SystemResolver
from jichitai.adapters.http.webhook_transport import HttpTransport
from jichitai.adapters.pdf.application_form import render_application_form
from jichitai.adapters.pdf.certificate_maker import KeyDirectoryCertificateMaker
from jichitai.adapters.pdf.fonts import mj_font_path
from jichitai.adapters.private_files import write_private
from jichitai.adapters.seal_drawing import draw_seal_scan
from jichitai.adapters.seal_images import measure_seal
from jichitai.adapters.security.certificate_keys import KeyStore
from jichitai.adapters.security.passwords import Argon2PasswordHasher
from jichitai.adapters.security.tokens import JwtTokens
from jichitai.adapters.standard_layout.csv_export import CsvExportSink
from jichitai.adapters.standard_layout.csv_import import (
    CsvImportSource,
    write_id_map,
    write_import_report,
)
from jichitai.adapters.standard_layout.layout import LayoutError, load_layout
from jichitai.config import Settings
from jichitai.domain.errors import DomainError, Violation
from jichitai.domain.integration.destinations import DestinationPolicy
from jichitai.domain.integration.retry import RetryPolicy
from jichitai.domain.migration.layout import Layout
from jichitai.services.application_forms import ApplicationForms
from jichitai.services.audit import AccessLog
from jichitai.services.certificates import CertificateService
from jichitai.services.hashing import BoundedHasher
from jichitai.services.integration import IntegrationService
from jichitai.services.login import LoginService
from jichitai.services.login_throttles import LoginLimits, LoginThrottles
from jichitai.services.migration import LayoutExportService
from jichitai.services.migration_import import LayoutImportService
from jichitai.services.municipalities import MunicipalityService
from jichitai.services.ports import Clock, HostResolver, PasswordHasher, RandomSource, TokenCodec
from jichitai.services.queries import RegisterQueries
from jichitai.services.register import RegisterService
from jichitai.services.register_access import RegisterAccess
from jichitai.services.seals import SealService
from jichitai.services.sessions import SessionService
from jichitai.services.subscribers import SubscriberService
from jichitai.services.suppression import SuppressionService
from jichitai.services.throttle import Limit, Throttle
from jichitai.services.users import UserService
from jichitai.services.webhooks import WebhookDispatcher


@dataclass
class App:
    """The wired services an entry point uses."""

    settings: Settings
    engine: Engine
    municipalities: MunicipalityService
    register: RegisterService
    queries: RegisterQueries
    clock: Clock
    users: UserService
    logins: LoginService
    sessions: SessionService
    tokens: TokenCodec
    access_log: AccessLog
    suppressions: SuppressionService
    register_access: RegisterAccess
    layout_export: LayoutExportService
    layout_import: LayoutImportService
    certificates: CertificateService
    seals: SealService
    integration: IntegrationService
    subscribers: SubscriberService
    webhooks: WebhookDispatcher
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
    """Certificate checks per client address (``/verify``, no login): ``Settings.verify_limit``
    per ``verify_window_seconds``."""
    write_private_file: Callable[[str, bytes], None]
    """Writes a file an entry point hands to the operator (a certificate PDF…) owner-only, 0600,
    whatever the umask (``adapters/private_files.py``): it holds personal data."""

    def upgrade_database(self) -> None:
        upgrade(self.engine)

    def database_is_current(self) -> bool:
        """Whether the database has every migration (``jichitai db upgrade`` was run)."""
        return current_revision(self.engine) == head_revision()


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
    try:
        return load_layout(version)
    except LayoutError as exc:
        raise DomainError(
            *(Violation("layout.invalid", problem, "layout") for problem in exc.problems)
        ) from exc


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    random: RandomSource | None = None,
    engine: Engine | None = None,
    resolver: HostResolver | None = None,
    hasher: PasswordHasher | None = None,
) -> App:
    """The application wired for ``settings``; tests pass their own clock, randomness, engine,
    host resolver (so that no test depends on DNS) and password hasher (the raw hash, which the
    bound on concurrent hashing wraps)."""
    settings = settings or Settings.from_environment()
    engine = engine or create_engine_for(settings.database_url)
    clock = clock or SystemClock(settings.timezone)
    random = random or SystemRandom()
    municipalities = MunicipalityService(SqlMunicipalityDirectory(engine), clock)

    def uow_for(code: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, code)

    def reader_for(code: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, code, read_only=True)

    def municipality_exists(code: str) -> bool:
        return municipalities.name_of(code) is not None

    def snapshot_reader_for(code: str, *, snapshot: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, code, read_only=True, snapshot=snapshot)

    def feed_head(code: str) -> int:
        with reader_for(code) as uow:
            return uow.journal.feed_head()

    register = RegisterService(uow_for, clock, random)
    queries = RegisterQueries(reader_for, clock)
    access_log = AccessLog(uow_for, clock, reader_for=snapshot_reader_for)
    suppressions = SuppressionService(uow_for, clock, access_log)
    integration = IntegrationService(
        uow_for,
        snapshot_reader_for,
        queries,
        SqlSubscriberKeys(engine),
        suppressions,
        access_log,
        _bundled_layout,
        clock,
    )
    seals = SealService(uow_for, suppressions, access_log, clock, measure_seal)
    resolver = resolver or SystemResolver()
    destinations = DestinationPolicy(settings.webhook_allowed_networks)
    tokens = JwtTokens(settings.secret_key, timedelta(minutes=settings.token_minutes), clock)
    sessions = SessionService(uow_for, reader_for, tokens, clock, access_log)
    password_hasher = _password_hasher(settings, hasher)
    throttles = LoginThrottles(clock, _login_limits(settings))
    users = UserService(
        uow_for,
        reader_for,
        SqlStaffLogins(engine),
        password_hasher,
        clock,
        municipality_exists,
        sessions,
        throttles,
        access_log,
    )
    return App(
        seals=seals,
        certificates=CertificateService(
            uow_for,
            reader_for,
            SqlIssueCodes(engine),
            queries,
            suppressions,
            access_log,
            KeyDirectoryCertificateMaker(KeyStore(settings.key_dir), clock),
            clock,
            municipalities.name_of,
            random,
        ),
        integration=integration,
        subscribers=SubscriberService(
            uow_for,
            access_log,
            clock,
            lambda: integration.item_names,
            feed_head,
            destinations,
            resolver,
        ),
        webhooks=WebhookDispatcher(
            SqlOutboxQueue(engine),
            integration,
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
        ),
        settings=settings,
        engine=engine,
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
        layout_export=LayoutExportService(reader_for, _bundled_layout, CsvExportSink),
        layout_import=LayoutImportService(
            uow_for,
            _bundled_layout,
            CsvImportSource,
            write_import_report,
            write_id_map,
            clock,
            municipalities.name_of,
        ),
        name_font_path=mj_font_path(),
        application_forms=ApplicationForms(access_log, render_application_form),
        draw_seal_scan=draw_seal_scan,
        api_threads=SQLITE_POOL_SIZE if is_sqlite(engine) else None,
        verify_throttle=Throttle(
            clock,
            Limit(settings.verify_limit, timedelta(seconds=settings.verify_window_seconds)),
        ),
        write_private_file=write_private,
    )
