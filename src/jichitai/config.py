"""Settings: every environment variable jichitai reads, named once, with safe defaults.

``make run`` and the tests need no set-up: the default database is an SQLite file in the
working directory and the mode is ``development``, whose token secret is a published placeholder.
Production (``JICHITAI_MODE=production``) refuses to start without a real secret
(``JICHITAI_SECRET_KEY``, at least 32 characters, not the placeholder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from jichitai.domain.integration.destinations import IPNetwork, parse_networks

DEFAULT_DATABASE_URL = "sqlite:///jichitai.db"
PLACEHOLDER_SECRET = "development-only-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32
MODES = ("development", "production")


class SettingsError(Exception):
    """The settings cannot be used as given; the message says which variable and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Tokyo"
    mode: str = "development"
    secret_key: str = PLACEHOLDER_SECRET
    token_minutes: int = 60
    max_body_bytes: int = 1_048_576
    password_hash_cost: str = "standard"
    """``standard`` (RFC 9106 low-memory Argon2id) or ``fast`` (tests only; refused in production)."""
    key_dir: str = "keys"
    """The key directory: certificate signing keys, issuer data and official seals, outside the
    database (``JICHITAI_KEY_DIR``; relative paths from the working directory)."""
    webhook_timeout: float = 10.0
    """Seconds a webhook receiver has to answer one delivery."""
    webhook_lease_seconds: float = 60.0
    """How long a worker holds a subscriber's run before another worker may take it over."""
    webhook_backoff_base: float = 1.0
    webhook_backoff_cap: float = 300.0
    webhook_max_attempts: int = 15
    webhook_allowed_networks: tuple[IPNetwork, ...] = ()
    """Networks webhooks may be sent to although they are not on the Internet
    (``JICHITAI_WEBHOOK_ALLOWED_NETWORKS``: comma-separated CIDR, e.g. ``10.20.0.0/16``). Empty by
    default: webhooks go only to globally reachable addresses, and only over https. A receiver
    in an allowed network may also be reached over plain http."""
    cs_url: str = ""
    """The 住基ネット CS (or its stand-in, ``jichitai standin serve``) the worker sends the CS
    outbox to (``JICHITAI_CS_URL``, e.g. ``http://127.0.0.1:8765``); empty: sending is off and
    the messages stay pending (listed by ``jichitai cs list``)."""
    cs_timeout: float = 5.0
    """Seconds the CS has to answer one message (``JICHITAI_CS_TIMEOUT``); a slower answer
    counts as none: the message is tried again (the CS answers a resend with its receipt)."""
    cs_shared: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """住基ネット共同利用 (``JICHITAI_CS_SHARED``, ``GROUP=M1,M2;…``): municipalities sharing one
    CS, whose mailbox the intake fetches once and hands on to each member
    (``domain/national/shared_cs.py``). Empty: each municipality has its own."""
    free_codes_low: int = 20
    """The stock of free 住民票コード under which the worker fetches a block from the CS and
    ``jichitai number stock`` alerts (``JICHITAI_FREE_CODES_LOW``; standard §4.3.1)."""
    free_codes_block: int = 100
    """How many free 住民票コード one request asks the CS for (``JICHITAI_FREE_CODES_BLOCK``)."""
    verify_limit: int = 30
    """How many certificate checks (``GET /verify/{code}``, ``POST /verify``) one client address
    may make per ``verify_window_seconds`` (``JICHITAI_VERIFY_LIMIT``): plenty for a bank clerk
    checking copies by hand, far too few to try codes (they are random; see
    ``domain/certificates/issue_numbers.py``). Counted per server process."""
    verify_window_seconds: float = 60.0
    """The sliding window of ``verify_limit`` (``JICHITAI_VERIFY_WINDOW_SECONDS``)."""
    integration_limit: int = 1200
    """Requests one subscriber (business system) may make to ``/integration/v1`` per
    ``integration_window_seconds`` (``JICHITAI_INTEGRATION_LIMIT``); the next is answered 429
    ``integration.throttled`` with ``Retry-After``. A feed follower polling every second uses
    60 a minute; the rest is room for bursts of look-ups. Counted per server process."""
    integration_window_seconds: float = 60.0
    """The sliding window of ``integration_limit`` (``JICHITAI_INTEGRATION_WINDOW_SECONDS``)."""
    login_failures_per_address: int = 20
    """Failed log-ins one client address may have in ``login_failure_minutes``; past that its
    log-ins are refused (429) before any hashing. Generous for a counter's shared terminal (a
    few staff mistyping), far too few for guessing."""
    login_failures_per_login: int = 5
    """Failed log-ins of one login from one address in ``login_failure_minutes``; past that the
    login is refused from that address (the ordinary failure answer, the password unchecked)."""
    login_failure_minutes: int = 15
    hash_concurrency: int = field(default_factory=lambda: os.cpu_count() or 1)
    """Password hashes (Argon2id) running at once at most; default the number of CPUs."""
    mj_font_path: str = ""
    """IPAmj明朝's TrueType file, which draws every name (certificates, application forms, the
    counter's pages) (``JICHITAI_MJ_FONT``); empty: where Debian's ``fonts-ipamj-mincho`` puts
    it (``adapters/pdf/fonts.py``)."""
    hash_waiting: int | None = None
    """Log-ins that may wait for a hashing turn; beyond them 503 ``auth.busy``. Default: as many
    as ``hash_concurrency`` (each waiting one holds a server thread)."""

    @classmethod
    def from_environment(cls) -> Settings:
        env = os.environ
        url = env.get("JICHITAI_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        minutes = env.get("JICHITAI_TOKEN_MINUTES", "60").strip()
        if not minutes.isdigit() or not 1 <= int(minutes) <= 24 * 60:
            raise SettingsError("JICHITAI_TOKEN_MINUTES must be a whole number from 1 to 1440")
        return cls(
            webhook_timeout=_positive(env, "JICHITAI_WEBHOOK_TIMEOUT", 10.0),
            webhook_lease_seconds=_positive(env, "JICHITAI_WEBHOOK_LEASE_SECONDS", 60.0),
            webhook_backoff_base=_positive(env, "JICHITAI_WEBHOOK_BACKOFF_BASE", 1.0),
            webhook_backoff_cap=_positive(env, "JICHITAI_WEBHOOK_BACKOFF_CAP", 300.0),
            webhook_max_attempts=int(_positive(env, "JICHITAI_WEBHOOK_MAX_ATTEMPTS", 15)),
            webhook_allowed_networks=_networks(env, "JICHITAI_WEBHOOK_ALLOWED_NETWORKS"),
            cs_url=env.get("JICHITAI_CS_URL", "").strip(),
            cs_timeout=_positive(env, "JICHITAI_CS_TIMEOUT", 5.0),
            cs_shared=_shared(env, "JICHITAI_CS_SHARED"),
            free_codes_low=_whole(env, "JICHITAI_FREE_CODES_LOW", 20, minimum=0),
            free_codes_block=_whole(env, "JICHITAI_FREE_CODES_BLOCK", 100, maximum=1000),
            verify_limit=_whole(env, "JICHITAI_VERIFY_LIMIT", 30, maximum=10_000),
            verify_window_seconds=_positive(env, "JICHITAI_VERIFY_WINDOW_SECONDS", 60.0),
            integration_limit=_whole(env, "JICHITAI_INTEGRATION_LIMIT", 1200, maximum=1_000_000),
            integration_window_seconds=_positive(env, "JICHITAI_INTEGRATION_WINDOW_SECONDS", 60.0),
            database_url=url,
            key_dir=env.get("JICHITAI_KEY_DIR", "").strip() or "keys",
            mj_font_path=env.get("JICHITAI_MJ_FONT", "").strip(),
            timezone=env.get("JICHITAI_TIMEZONE", "Asia/Tokyo"),
            mode=env.get("JICHITAI_MODE", "development").strip() or "development",
            secret_key=env.get("JICHITAI_SECRET_KEY", "") or PLACEHOLDER_SECRET,
            token_minutes=int(minutes),
            password_hash_cost=env.get("JICHITAI_PASSWORD_HASH_COST", "standard"),
            login_failures_per_address=_whole(env, "JICHITAI_LOGIN_FAILURES_PER_ADDRESS", 20),
            login_failures_per_login=_whole(env, "JICHITAI_LOGIN_FAILURES_PER_LOGIN", 5),
            login_failure_minutes=_whole(env, "JICHITAI_LOGIN_FAILURE_MINUTES", 15),
            hash_concurrency=_whole(env, "JICHITAI_HASH_CONCURRENCY", os.cpu_count() or 1),
            hash_waiting=(
                _whole(env, "JICHITAI_HASH_WAITING", 0, minimum=0)
                if env.get("JICHITAI_HASH_WAITING", "").strip()
                else None
            ),
        )

    def check(self) -> None:
        """Refuse settings a service must not start with (called before serving)."""
        if self.mode not in MODES:
            raise SettingsError(f"JICHITAI_MODE must be one of {', '.join(MODES)}")
        if self.password_hash_cost not in ("standard", "fast"):
            raise SettingsError("JICHITAI_PASSWORD_HASH_COST must be standard or fast")
        if self.mode == "production":
            if self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    "JICHITAI_SECRET_KEY must be set to a random secret of at least "
                    f"{MIN_SECRET_LENGTH} characters in production mode (the placeholder is refused)"
                )
            if self.password_hash_cost != "standard":
                raise SettingsError("JICHITAI_PASSWORD_HASH_COST=fast is for tests only")


def _whole(
    env: os._Environ[str] | dict[str, str],
    name: str,
    default: int,
    *,
    minimum: int = 1,
    maximum: int | None = None,
) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < minimum or (maximum is not None and int(text) > maximum):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise SettingsError(f"{name} must be a whole number {bound}")
    return int(text)


def _positive(env: os._Environ[str] | dict[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a positive number") from None
    if not value > 0:
        raise SettingsError(f"{name} must be a positive number")
    return value


def _shared(
    env: os._Environ[str] | dict[str, str], name: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    from jichitai.domain.national.shared_cs import parse_groups

    try:
        return parse_groups(env.get(name, ""))
    except ValueError as error:
        raise SettingsError(f"{name}: {error}") from None


def _networks(env: os._Environ[str] | dict[str, str], name: str) -> tuple[IPNetwork, ...]:
    try:
        return parse_networks(env.get(name, ""))
    except ValueError as exc:
        raise SettingsError(
            f"{name} must be comma-separated networks in CIDR notation (e.g. 10.20.0.0/16): {exc}"
        ) from None
