"""The register's tables (SQLAlchemy Core), for SQLite and PostgreSQL alike.

Rules every table here follows:

- Every tenant-owned table has ``municipality_code`` as its first column and its first key
  column, so that a municipality's rows cluster together and the schema can be sharded (or
  distributed by Citus) by municipality. Only ``municipalities`` itself is global.
- Portable types only. JSON is stored as ``Text`` (we control its canonical encoding, which the
  journal's hash chain depends on); times are ``UtcDateTime`` (aware UTC in, aware UTC out, on
  both databases).
- Constraint and index names are fixed (naming convention or explicit names), because numbered
  migrations refer to them by name.

The schema is created only by the numbered Alembic migrations in ``migrations/versions``; a test
(``check_models_match``) proves that these definitions and the migrations agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Tables that do not belong to one municipality (everything else is tenant-owned).
GLOBAL_TABLES: frozenset[str] = frozenset({"municipalities", "shards", "shard_assignments"})

#: Length of a municipality code column (地方公共団体コード, 6 digits with check digit).
MUNICIPALITY_CODE_LENGTH = 6


class UtcDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and always returns an aware UTC datetime.

    SQLite has no time-zone type: SQLAlchemy writes an aware datetime's wall-clock digits and
    drops its offset, and reads back a naive value. So this type refuses naive datetimes,
    converts to UTC before writing (on SQLite, as naive UTC text, which also sorts correctly)
    and attaches UTC when reading. PostgreSQL stores ``timestamptz``; values are converted to
    UTC when read whatever the session time zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: times must be timezone-aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _municipality_code() -> Column[str]:
    return Column("municipality_code", String(MUNICIPALITY_CODE_LENGTH), nullable=False)


municipalities = Table(
    "municipalities",
    metadata,
    Column("code", String(MUNICIPALITY_CODE_LENGTH), nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("placement", String(12), nullable=True),
    PrimaryKeyConstraint("code"),
)
"""``placement`` says whether this database serves the municipality (ADR 0016): NULL, it does;
``arriving``, a move is copying it here (not served yet); ``moved``, it was moved to another
shard (the copy left here is no longer served, and a stale router is sent to the catalog)."""

# The shard catalog (ADR 0016), in the catalog database (the one ``JICHITAI_DATABASE_URL`` names,
# itself the shard ``home``): the other shards, and which municipality lives on which. A
# municipality without an assignment lives on ``home``.
shards = Table(
    "shards",
    metadata,
    Column("name", String(40), nullable=False),
    Column("url", Text, nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("name"),
)

shard_assignments = Table(
    "shard_assignments",
    metadata,
    Column("municipality_code", String(MUNICIPALITY_CODE_LENGTH), nullable=False),
    Column("shard", String(40), nullable=False),
    Column("moving_to", String(40), nullable=True),
    Column("assigned_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("municipality_code"),
)
"""``shard``: where the municipality lives (``home`` or a row of ``shards``); ``moving_to``: the
shard a move in progress copies it to (one move at a time per municipality)."""

# The append-only 異動 journal. ``seq`` is dense per municipality and assigned under the row
# lock on ``journal_heads``; ``prev_hash``/``entry_hash`` chain the entries of one municipality.
# Triggers (both databases, migration 0016) and grants (PostgreSQL) refuse UPDATE and DELETE.
journal = Table(
    "journal",
    metadata,
    _municipality_code(),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("idempotency_key", String(200), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("reason", String(60), nullable=False),
    Column("reason_group", String(12), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("filed_on", Date, nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("operator", String(100), nullable=False),
    Column("place", String(100), nullable=False),
    Column("terminal", String(100), nullable=False),
    Column("notes", Text, nullable=False),
    Column("ex_officio", Boolean, nullable=False),
    Column("corrects_event_id", String(36), nullable=True),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    PrimaryKeyConstraint("municipality_code", "seq"),
    UniqueConstraint("event_id"),
    UniqueConstraint("municipality_code", "idempotency_key"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
    Index("ix_journal_effective_on", "municipality_code", "effective_on"),
    Index("ix_journal_reason", "municipality_code", "reason"),
)

# One full snapshot per change of a person (宛名番号 + 履歴番号).
resident_history = Table(
    "resident_history",
    metadata,
    _municipality_code(),
    Column("atena_number", String(10), nullable=False),
    Column("history_number", Integer, nullable=False, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("reason", String(60), nullable=False),
    Column("status", String(12), nullable=False),
    Column("record", Text, nullable=False),
    PrimaryKeyConstraint("municipality_code", "atena_number", "history_number"),
    Index("ix_resident_history_seq", "municipality_code", "seq"),
)

# Current state of every person ever entered: live records and removed ones (除票) side by side,
# so that one search covers both. ``*_key`` columns are derived, folded search keys; the exact
# characters stay in ``name_text`` and in the snapshot, which is read from ``resident_history``
# at ``history_number`` (not copied here: every change would write it a third time).
residents = Table(
    "residents",
    metadata,
    _municipality_code(),
    Column("atena_number", String(10), nullable=False),
    Column("history_number", Integer, nullable=False),
    Column("household_number", String(10), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("sex", String(8), nullable=True),
    Column("relationship", String(60), nullable=False),
    Column("name_text", String(200), nullable=False),
    Column("kana_key", String(200), nullable=False),
    Column("kanji_key", String(200), nullable=False),
    Column("birth_sort", Date, nullable=True),
    Column("birth_text", String(60), nullable=True),
    Column("address_text", String(400), nullable=True),
    Column("address_key", String(400), nullable=True),
    # The 個人番号's keyed hash (HMAC-SHA256, hex; ADR 0015): searched by equality, never clear.
    Column("individual_number_hash", String(64), nullable=True),
    Column("resident_code", String(11), nullable=True),
    Column("residence_card_number", String(12), nullable=True),
    Column("removed_on", Date, nullable=True),
    Column("hidden_from_other_systems", Boolean, nullable=False, server_default="0"),
    PrimaryKeyConstraint("municipality_code", "atena_number"),
    Index("ix_residents_kana_key", "municipality_code", "kana_key"),
    Index("ix_residents_kanji_key", "municipality_code", "kanji_key"),
    Index("ix_residents_household_number", "municipality_code", "household_number", "status"),
    Index("ix_residents_birth_sort", "municipality_code", "birth_sort"),
    Index("ix_residents_individual_number_hash", "municipality_code", "individual_number_hash"),
    Index("ix_residents_resident_code", "municipality_code", "resident_code"),
    Index("ix_residents_residence_card_number", "municipality_code", "residence_card_number"),
    Index("ix_residents_address_key", "municipality_code", "address_key"),
)

# Household projection; ``version`` is compared and bumped on every change (optimistic locking).
households = Table(
    "households",
    metadata,
    _municipality_code(),
    Column("household_number", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("head_atena_number", String(10), nullable=True),
    Column("address_text", String(400), nullable=False),
    Column("member_count", Integer, nullable=False),
    PrimaryKeyConstraint("municipality_code", "household_number"),
)

DRAFT_STATUSES: tuple[str, ...] = ("pending", "approved", "discarded", "returned")

# 仮登録: a command waiting for approval (本登録). Not part of the register: nothing outside the
# draft workflow reads this table.
drafts = Table(
    "drafts",
    metadata,
    _municipality_code(),
    Column("draft_id", String(36), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("status", String(12), nullable=False),
    Column("command", Text, nullable=False),
    Column("operator", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("event_id", String(36), nullable=True),
    Column("idempotency_key", String(200), nullable=True),
    Column("editors", Text, nullable=False, server_default=text("''")),
    # 差戻し: the reviewer's comment and the refusals (JSON list of code, message, field).
    Column("return_comment", Text, nullable=False, server_default=text("''")),
    Column("return_reasons", Text, nullable=False, server_default=text("'[]'")),
    # 受付番号: the municipality's running number of its drafts (id_sequences "draft").
    Column("number", Integer, nullable=False),
    PrimaryKeyConstraint("municipality_code", "draft_id"),
    UniqueConstraint("municipality_code", "idempotency_key"),
    UniqueConstraint("municipality_code", "number"),
    CheckConstraint(
        "status IN (" + ", ".join(f"'{s}'" for s in DRAFT_STATUSES) + ")", name="status"
    ),
    Index("ix_drafts_status", "municipality_code", "status"),
)

# Head of each municipality's hash chain. Appending to the journal first locks this row
# (SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE serialises all writers on SQLite), so
# journal order within a municipality is commit order and a feed reader never passes a gap.
planned_changes = Table(
    "planned_changes",
    metadata,
    _municipality_code(),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("effective_on", Date, nullable=False),
    Column("took_effect_seq", BigInteger, nullable=True),
    PrimaryKeyConstraint("municipality_code", "seq"),
    Index("ix_planned_changes_due", "municipality_code", "took_effect_seq", "effective_on"),
)
"""Each journal entry recorded before its 異動日 (a planned 転出): the feed says it is planned,
and ``took_effect_seq`` is the entry that told its day had come (0: nothing held any more)."""


journal_heads = Table(
    "journal_heads",
    metadata,
    _municipality_code(),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    PrimaryKeyConstraint("municipality_code"),
)

# Per-municipality number generators (name: 'atena', 'household', ...).
id_sequences = Table(
    "id_sequences",
    metadata,
    _municipality_code(),
    Column("name", String(20), nullable=False),
    Column("next_value", BigInteger, nullable=False),
    PrimaryKeyConstraint("municipality_code", "name"),
)


# Staff users (職員). Each belongs to one municipality, and a login is unique within it (the key;
# see below for a log-in that names no municipality). ``roles`` is a comma-separated, sorted
# list of role names. Passwords are stored only as Argon2id hashes.
staff_users = Table(
    "staff_users",
    metadata,
    _municipality_code(),
    Column("login", String(64), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("roles", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("municipality_code", "login"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
    # A login is unique within its municipality only (the key); a log-in that does not name
    # the municipality looks the login up in all of them.
    Index("ix_staff_users_login", "login"),
)

# One row per log-in (API token or counter cookie, which hold the same token): read by its key
# on every request, so that a log-out, a password change or an administrator's change to the
# user ends it at once in every server process. Rows are deleted a day after they expire.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    _municipality_code(),
    Column("session_id", String(32), nullable=False),
    Column("login", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime(), nullable=True),
    Column("end_reason", String(40), nullable=True),
    PrimaryKeyConstraint("municipality_code", "session_id"),
    ForeignKeyConstraint(
        ["municipality_code", "login"],
        ["staff_users.municipality_code", "staff_users.login"],
        name="fk_staff_sessions_staff_users",
    ),
    Index("ix_staff_sessions_login", "municipality_code", "login"),
)

# 抑止 and 支援措置 (standard §3.1 (410), §3.4 (440)): one row per setting, on a person or a
# household. ``processes`` is a comma-separated list (view, issue, change, feed). A setting is
# never deleted: lifting it records who and when. ``details`` holds the DV support database's
# items (applicant, co-applicants, perpetrator) as JSON, shown only to the DV officer.
suppressions = Table(
    "suppressions",
    metadata,
    _municipality_code(),
    Column("suppression_id", String(36), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("atena_number", String(10), nullable=True),
    Column("household_number", String(10), nullable=True),
    Column("processes", String(60), nullable=False),
    Column("level", String(8), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("reason", Text, nullable=False),
    Column("details", Text, nullable=False),
    Column("set_by", String(64), nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
    Column("lifted_by", String(64), nullable=True),
    Column("lifted_at", UtcDateTime(), nullable=True),
    Column("released_by", String(64), nullable=True),
    Column("released_until", UtcDateTime(), nullable=True),
    Column("version", Integer, nullable=False),
    # The journal entry that told the feed the setting began (services/protection.py); NULL:
    # not yet (a setting made in advance, told on its first day); 0: nothing to tell.
    Column("feed_told_seq", BigInteger, nullable=True),
    PrimaryKeyConstraint("municipality_code", "suppression_id"),
    CheckConstraint("atena_number IS NOT NULL OR household_number IS NOT NULL", name="has_target"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
    Index("ix_suppressions_atena_number", "municipality_code", "atena_number"),
    Index("ix_suppressions_household_number", "municipality_code", "household_number"),
    Index("ix_suppressions_feed_due", "municipality_code", "feed_told_seq", "starts_on"),
)

# The access log (アクセスログ, standard §10.2 (1370)): every read, print, export and change of
# personal data, and every refusal of an authenticated user. Append-only and hash-chained per
# municipality like the journal; triggers (both databases) and grants (PostgreSQL) refuse UPDATE
# and DELETE. ``atena_numbers`` is a comma-separated copy for display; ``access_log_persons``
# indexes the same entry by person for the auditor's and the resident's searches.
access_log = Table(
    "access_log",
    metadata,
    _municipality_code(),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("entry_id", String(36), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("user_login", String(64), nullable=False),
    Column("roles", String(200), nullable=False),
    Column("terminal", String(100), nullable=False),
    Column("place", String(100), nullable=False),
    Column("operation", String(40), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("target", String(200), nullable=False),
    Column("atena_numbers", Text, nullable=False),
    Column("person_count", Integer, nullable=False),
    Column("my_number_shown", Boolean, nullable=False),
    Column("outcome", String(12), nullable=False),
    Column("detail", String(200), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    PrimaryKeyConstraint("municipality_code", "seq"),
    UniqueConstraint("entry_id"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
    Index("ix_access_log_at", "municipality_code", "at"),
    Index("ix_access_log_user_login", "municipality_code", "user_login", "at"),
)

access_log_persons = Table(
    "access_log_persons",
    metadata,
    _municipality_code(),
    Column("atena_number", String(10), nullable=False),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    PrimaryKeyConstraint("municipality_code", "atena_number", "seq"),
)

# Head of each municipality's access-log chain (locked by every append, as ``journal_heads``).
access_log_heads = Table(
    "access_log_heads",
    metadata,
    _municipality_code(),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    PrimaryKeyConstraint("municipality_code"),
)

# Business systems receiving this municipality's resident data (他業務連携, §7.2.3 (1190)).
# ``items`` is a JSON list of the migration layout's item names; ``key_hash`` the SHA-256 of
# the API key (shown once); ``webhook_secret`` signs deliveries (HMAC needs the secret itself);
# during a rotation ``previous_webhook_secret`` signs as well until ``previous_secret_until``.
subscribers = Table(
    "subscribers",
    metadata,
    _municipality_code(),
    Column("subscriber_id", String(36), nullable=False),
    Column("name", String(100), nullable=False),
    Column("system", String(40), nullable=False),
    Column("items", Text, nullable=False),
    Column("my_number_allowed", Boolean, nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("webhook_url", String(400), nullable=True),
    Column("webhook_secret", String(100), nullable=True),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("previous_webhook_secret", String(100), nullable=True),
    Column("previous_secret_until", UtcDateTime(), nullable=True),
    # The duties for which it still receives withheld persons (a JSON list of system codes).
    Column("withheld_duties", Text, nullable=False, server_default="[]"),
    PrimaryKeyConstraint("municipality_code", "subscriber_id"),
    UniqueConstraint("key_hash"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

WEBHOOK_STATUSES: tuple[str, ...] = ("pending", "delivered", "dead")

# The webhook outbox: one row per change and subscriber with a webhook, written in the same
# transaction as the change (so a committed change is never left undelivered). A worker leases
# a subscriber's oldest pending rows (``leased_until``), delivers them in ``seq`` order and
# marks each delivered, or schedules a retry (``next_attempt_at``), or gives up (``dead``).
webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    _municipality_code(),
    Column("subscriber_id", String(36), nullable=False),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("leased_until", UtcDateTime(), nullable=True),
    Column("last_error", String(200), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    PrimaryKeyConstraint("municipality_code", "subscriber_id", "seq"),
    CheckConstraint(
        "status IN (" + ", ".join(f"'{s}'" for s in WEBHOOK_STATUSES) + ")", name="status"
    ),
    Index("ix_webhook_outbox_status", "status", "next_attempt_at"),
)

CS_STATUSES: tuple[str, ...] = ("pending", "sent", "error", "done")

# The CS outbox (standard §7.1.1.1 (1090)): the messages for the 住基ネット CS that a change
# makes (本人確認情報, 転入通知情報; ``domain/national/cs_messages.py``), written by the journal in
# the change's transaction, ``ordinal`` numbering them within the change. The worker sends each
# municipality's pending messages one at a time in (seq, ordinal) order; a message the CS did not
# answer stays pending (``next_attempt_at``, ``last_error``) and holds back the ones after it; one
# it refused is ``error`` with its answer; one it took is ``sent`` with its ``receipt``.
cs_outbox = Table(
    "cs_outbox",
    metadata,
    _municipality_code(),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("ordinal", Integer, nullable=False, autoincrement=False),
    Column("kind", String(20), nullable=False),
    Column("destination", String(100), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("leased_until", UtcDateTime(), nullable=True),
    Column("last_error", String(200), nullable=False),
    Column("receipt", String(64), nullable=True),
    Column("sent_at", UtcDateTime(), nullable=True),
    # The clerk's operations (0026): characters held back (住基ネット統一文字), what a clerk did
    # (re-sent it, completed it by hand: ``done``), who and when.
    Column("unconvertible", String(400), nullable=False, server_default=text("''")),
    Column("note", String(300), nullable=False, server_default=text("''")),
    Column("handled_by", String(64), nullable=False, server_default=text("''")),
    Column("handled_at", UtcDateTime(), nullable=True),
    # 送信データの手入力での補完 (0031): the items a reviewer changed, old and new values (JSON).
    Column("amendments", Text, nullable=False, server_default=text("''")),
    PrimaryKeyConstraint("municipality_code", "seq", "ordinal"),
    CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in CS_STATUSES) + ")", name="status"),
    Index("ix_cs_outbox_status", "status", "next_attempt_at"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

IMMIGRATION_INBOX_STATUSES: tuple[str, ...] = ("listed", "unknown", "drafted")

# 出入国在留管理庁長官通知 taken in (standard §4.5.6 (960); ``services/immigration.py``): each
# notice the authority offered, matched to a person by 在留カード番号 (``listed``, waiting for the
# clerk), not matched or not readable (``unknown``, with the ``reason``), or made into a draft
# change (``drafted``, ``draft_id``).
immigration_inbox = Table(
    "immigration_inbox",
    metadata,
    _municipality_code(),
    Column("notice_id", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("residence_card_number", String(12), nullable=False),
    Column("status", String(12), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("atena_number", String(10), nullable=True),
    Column("reason", String(200), nullable=False),
    Column("draft_id", String(40), nullable=True),
    PrimaryKeyConstraint("municipality_code", "notice_id"),
    CheckConstraint(
        "status IN (" + ", ".join(f"'{s}'" for s in IMMIGRATION_INBOX_STATUSES) + ")",
        name="status",
    ),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

# CS sending switched to manual (手動連携, §7.1.1.1): while a row is here and ``manual_until`` is
# empty or later than now, the worker sends none of the municipality's messages (0026).
cs_manual = Table(
    "cs_manual",
    metadata,
    _municipality_code(),
    Column("manual_until", UtcDateTime(), nullable=True),
    Column("set_by", String(64), nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
    Column("note", String(300), nullable=False),
    PrimaryKeyConstraint("municipality_code"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

# Messages other municipalities sent through the CS (転入通知情報, 転出証明書情報), taken in from
# the CS's mailbox by the worker: one row per message (``relay_id``: its number in the mailbox;
# the sender's ``seq``/``ordinal`` make a resend the same row). ``status``: CS_INBOX_STATUSES.
CS_INBOX_STATUSES: tuple[str, ...] = ("new", "taken", "unmatched", "used")

cs_inbox = Table(
    "cs_inbox",
    metadata,
    _municipality_code(),
    Column("relay_id", BigInteger, nullable=False, autoincrement=False),
    Column("kind", String(20), nullable=False),
    Column("sender", String(6), nullable=False),
    Column("sender_seq", BigInteger, nullable=False),
    Column("sender_ordinal", Integer, nullable=False),
    Column("resident_code", String(11), nullable=False),
    Column("name", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("note", String(300), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("municipality_code", "relay_id"),
    UniqueConstraint("municipality_code", "sender", "sender_seq", "sender_ordinal"),
    CheckConstraint(
        "status IN (" + ", ".join(f"'{s}'" for s in CS_INBOX_STATUSES) + ")", name="status"
    ),
    Index("ix_cs_inbox_resident_code", "municipality_code", "resident_code"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

# 証明書の発行履歴: one row per copy issued (who, when, where, what, which optional items, pages),
# with the digests the copy's QR code and signature commit to. Written only after the copy was
# made: nothing is recorded as issued that was not. ``items`` is a JSON list of the optional
# items shown; ``persons`` the 宛名番号s, comma-separated.
certificate_issues = Table(
    "certificate_issues",
    metadata,
    _municipality_code(),
    Column("issue_code", String(22), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(40), nullable=False),
    Column("persons", Text, nullable=False),
    Column("items", Text, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("terminal", String(100), nullable=False),
    Column("place", String(100), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("pdf_sha256", String(64), nullable=False),
    # The sheets as issued (canonical JSON), so a copy can be re-issued as it was first made.
    Column("content", Text, nullable=False, server_default=text("''")),
    # The copy this one replaces (再交付・再印刷); a copy named here is no longer valid.
    Column("reissue_of", String(22), nullable=True),
    Column("reason", Text, nullable=False, server_default=text("''")),
    # The key the request was sent with ("<login>:<key>"): the same request twice issues once.
    Column("idempotency_key", String(200), nullable=True),
    # The values it could not print whole (文字超過リスト): a JSON list.
    Column("overflows", Text, nullable=False, server_default=text("'[]'")),
    # 請求者 (``Requester`` value; NULL for copies issued before 0014), 通数 and 手数料 (円; NULL
    # before 0014 and for re-issues, whose fee the request did not decide).
    Column("requester", String(20), nullable=True),
    Column("copies", Integer, nullable=False, server_default=text("1")),
    Column("fee", Integer, nullable=True),
    PrimaryKeyConstraint("municipality_code", "issue_code"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
    Index("ix_certificate_issues_issued_on", "municipality_code", "issued_on"),
    # A 確認コード names one copy over all municipalities: /verify finds it by the code alone.
    Index("ix_certificate_issues_issue_code", "issue_code", unique=True),
    Index("ix_certificate_issues_reissue_of", "municipality_code", "reissue_of", unique=True),
    Index(
        "ix_certificate_issues_idempotency_key",
        "municipality_code",
        "idempotency_key",
        unique=True,
    ),
)

# 処分情報: a copy issued by mistake and destroyed (§1.3.8); at most one row a copy. The copy
# stays in the history, marked, and no longer verifies.
certificate_disposals = Table(
    "certificate_disposals",
    metadata,
    _municipality_code(),
    Column("issue_code", String(22), nullable=False),
    Column("disposed_at", UtcDateTime(), nullable=False),
    Column("disposed_by", String(64), nullable=False),
    Column("terminal", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    PrimaryKeyConstraint("municipality_code", "issue_code"),
    ForeignKeyConstraint(
        ["municipality_code", "issue_code"],
        ["certificate_issues.municipality_code", "certificate_issues.issue_code"],
    ),
)

# 手数料 per copy of a kind, as the municipality's administrator set it; a kind without a row
# costs ``domain.certificates.requests.DEFAULT_FEE_PER_COPY``.
certificate_fees = Table(
    "certificate_fees",
    metadata,
    _municipality_code(),
    Column("kind", String(20), nullable=False),
    Column("fee_per_copy", Integer, nullable=False),
    PrimaryKeyConstraint("municipality_code", "kind"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

# 印鑑登録 (seal registration). ``seal_events`` is its append-only journal, hash-chained per
# municipality like the 異動 journal (head: ``seal_heads``, locked by every append);
# ``seal_registrations`` is the current state its events fold to, with the registered image
# (PNG). At most one active registration per person: a partial unique index.
seal_heads = Table(
    "seal_heads",
    metadata,
    _municipality_code(),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    PrimaryKeyConstraint("municipality_code"),
)

seal_events = Table(
    "seal_events",
    metadata,
    _municipality_code(),
    Column("seq", BigInteger, nullable=False, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("registration_number", String(12), nullable=False),
    Column("atena_number", String(10), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("end_reason", String(12), nullable=True),
    Column("effective_on", Date, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("operator", String(100), nullable=False),
    Column("terminal", String(100), nullable=False),
    Column("place", String(100), nullable=False),
    Column("notes", Text, nullable=False),
    Column("width_mm", Float, nullable=True),
    Column("height_mm", Float, nullable=True),
    Column("image_sha256", String(64), nullable=False),
    Column("journal_event_id", String(36), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    PrimaryKeyConstraint("municipality_code", "seq"),
    UniqueConstraint("event_id"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
    Index("ix_seal_events_registration_number", "municipality_code", "registration_number"),
    Index("ix_seal_events_atena_number", "municipality_code", "atena_number"),
)

SEAL_STATUSES: tuple[str, ...] = ("active", "lost", "abolished")

seal_registrations = Table(
    "seal_registrations",
    metadata,
    _municipality_code(),
    Column("registration_number", String(12), nullable=False),
    Column("atena_number", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("end_reason", String(12), nullable=True),
    Column("width_mm", Float, nullable=False),
    Column("height_mm", Float, nullable=False),
    Column("image_sha256", String(64), nullable=False),
    Column("image_png", LargeBinary, nullable=False),
    PrimaryKeyConstraint("municipality_code", "registration_number"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
    CheckConstraint(
        "status IN (" + ", ".join(f"'{s}'" for s in SEAL_STATUSES) + ")", name="status"
    ),
    Index("ix_seal_registrations_atena_number", "municipality_code", "atena_number"),
    Index(
        "uq_seal_registrations_active",
        "municipality_code",
        "atena_number",
        unique=True,
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
)

#: Tables the application may only INSERT into and SELECT from.
APPEND_ONLY_TABLES: tuple[str, ...] = ("journal", "access_log", "access_log_persons", "seal_events")


def tenant_tables() -> list[Table]:
    """Tenant-owned tables in dependency order (parents first)."""
    return [t for t in metadata.sorted_tables if t.name not in GLOBAL_TABLES]


# The municipality's 町字 master (standard §1.3.2 (240), §1.3.3 (250); ADR 0013): one row per
# 町字 of the アドレス・ベース・レジストリ 町字マスター it loaded, replaced whole by each import.
# ``name_key`` is the 町字 as an address writes it (大字・町名 + 丁目名 + 小字名), folded as the
# rule compares it (``town_area_key``): the change check reads by it, the counter's completion
# by its prefix.
town_areas = Table(
    "town_areas",
    metadata,
    _municipality_code(),
    Column("town_id", String(7), nullable=False),
    Column("kind", String(1), nullable=False),
    Column("name_key", Text, nullable=False),
    Column("oaza", Text, nullable=False),
    Column("chome", Text, nullable=False),
    Column("koaza", Text, nullable=False),
    Column("postcode", String(7), nullable=False),
    Column("residence_indication", Boolean, nullable=False),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    PrimaryKeyConstraint("municipality_code", "town_id"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
    Index("ix_town_areas_name_key", "municipality_code", "name_key"),
)

# The cards of the municipality's persons as the card management system (J-LIS) last reported
# them through the CS (standard §7.1.1.3 (1110)): 個人番号カード (``my_number``) and 住基カード
# (``juki``), by 住民票コード. The register's record of the latest report, replaced as a whole by
# each pull (``jichitai card refresh``); ``recorded_at`` is when the register took it.
card_statuses = Table(
    "card_statuses",
    metadata,
    _municipality_code(),
    Column("resident_code", String(11), nullable=False),
    Column("card", String(12), nullable=False),
    Column("status", String(12), nullable=False),
    Column("issued_on", Date, nullable=True),
    Column("expires_on", Date, nullable=True),
    Column("updated_on", Date, nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("municipality_code", "resident_code", "card"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

# The 送付先 of a person's 個人番号カード and 番号通知書類 (a 居所 other than the 住所, standard
# §7.1.1.4 (1120)): each setting or clearing a new version (``address``: the address parts as
# JSON, "" when cleared); ``adapters/db/card_destination_store.py``.
card_destinations = Table(
    "card_destinations",
    metadata,
    _municipality_code(),
    Column("atena_number", String(10), nullable=False),
    Column("version", Integer, nullable=False, autoincrement=False),
    Column("address", Text, nullable=False),
    Column("set_by", String(64), nullable=False),
    Column("set_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("municipality_code", "atena_number", "version"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

# 住民票コードの空きコード (standard §4.3.1 (870)): the block of unused 住民票コード the CS handed
# the municipality; a new person's code is drawn from it at random and the row deleted in the
# change's transaction (``adapters/db/number_link_store.py``).
free_resident_codes = Table(
    "free_resident_codes",
    metadata,
    _municipality_code(),
    Column("resident_code", String(11), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("municipality_code", "resident_code"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)

# 番号連携 requests (standard §7.1.2.1, §7.1.2.2, §7.1.2.4): each request to the
# number-generation service and its outcome (``kind``: number_change, fugo, serial; ``status``:
# ok or error with the answer). ``value`` holds the 符号 or the serial number (specific personal
# information: shown only to staff whose duty includes the 個人番号); never the 個人番号 itself,
# which is in the journal.
number_link_records = Table(
    "number_link_records",
    metadata,
    _municipality_code(),
    Column("request_id", String(36), nullable=False),
    Column("atena_number", String(10), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(8), nullable=False),
    Column("value", String(64), nullable=False),
    Column("error", String(200), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("requested_by", String(64), nullable=False),
    PrimaryKeyConstraint("municipality_code", "request_id"),
    CheckConstraint("status IN ('ok', 'error')", name="status"),
    Index("ix_number_link_records_atena", "municipality_code", "atena_number", "requested_at"),
    ForeignKeyConstraint(["municipality_code"], ["municipalities.code"]),
)
