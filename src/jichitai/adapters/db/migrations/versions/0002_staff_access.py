"""Staff users, suppressions (抑止・支援措置), the access log; one idempotency key per draft.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The access log is append-only on both databases: triggers refuse UPDATE and DELETE of its rows
for every connection. On PostgreSQL the migration also creates the role ``jichitai_app`` (no
login by default; operators grant it to the service's login role) with the rights the service
needs: read and write on the register's tables, and only INSERT and SELECT on the access log.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MC = 6
APP_ROLE = "jichitai_app"
APPEND_ONLY = ("access_log", "access_log_persons")
READ_WRITE = (
    "municipalities",
    "journal",
    "resident_history",
    "residents",
    "households",
    "drafts",
    "journal_heads",
    "id_sequences",
    "staff_users",
    "suppressions",
    "access_log_heads",
    "alembic_version",
)


def _mc() -> sa.Column[str]:
    return sa.Column("municipality_code", sa.String(MC), nullable=False)


def _fk_municipality(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["municipality_code"],
        ["municipalities.code"],
        name=op.f(f"fk_{table}_municipality_code_municipalities"),
    )


def upgrade() -> None:
    op.create_table(
        "staff_users",
        _mc(),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "login", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("login", name=op.f("uq_staff_users_login")),
        _fk_municipality("staff_users"),
    )
    op.create_table(
        "suppressions",
        _mc(),
        sa.Column("suppression_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("atena_number", sa.String(10), nullable=True),
        sa.Column("household_number", sa.String(10), nullable=True),
        sa.Column("processes", sa.String(60), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_by", sa.String(64), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(64), nullable=True),
        sa.Column("released_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_code", "suppression_id", name=op.f("pk_suppressions")
        ),
        sa.CheckConstraint(
            "atena_number IS NOT NULL OR household_number IS NOT NULL",
            name=op.f("ck_suppressions_has_target"),
        ),
        _fk_municipality("suppressions"),
    )
    op.create_index(
        "ix_suppressions_atena_number", "suppressions", ["municipality_code", "atena_number"]
    )
    op.create_index(
        "ix_suppressions_household_number",
        "suppressions",
        ["municipality_code", "household_number"],
    )
    op.create_table(
        "access_log",
        _mc(),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_login", sa.String(64), nullable=False),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("terminal", sa.String(100), nullable=False),
        sa.Column("place", sa.String(100), nullable=False),
        sa.Column("operation", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("atena_numbers", sa.Text(), nullable=False),
        sa.Column("person_count", sa.Integer(), nullable=False),
        sa.Column("my_number_shown", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "seq", name=op.f("pk_access_log")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_access_log_entry_id")),
        _fk_municipality("access_log"),
    )
    op.create_index("ix_access_log_at", "access_log", ["municipality_code", "at"])
    op.create_index(
        "ix_access_log_user_login", "access_log", ["municipality_code", "user_login", "at"]
    )
    op.create_table(
        "access_log_persons",
        _mc(),
        sa.Column("atena_number", sa.String(10), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.PrimaryKeyConstraint(
            "municipality_code", "atena_number", "seq", name=op.f("pk_access_log_persons")
        ),
    )
    op.create_table(
        "access_log_heads",
        _mc(),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_access_log_heads")),
    )
    op.execute(
        "INSERT INTO access_log_heads (municipality_code, last_seq, last_hash) "
        "SELECT code, 0, '" + "0" * 64 + "' FROM municipalities"
    )
    with op.batch_alter_table("drafts") as batch:
        batch.create_unique_constraint(
            "uq_drafts_municipality_code_idempotency_key", ["municipality_code", "idempotency_key"]
        )

    if op.get_context().dialect.name == "postgresql":
        _postgresql_append_only()
    else:
        _sqlite_append_only()


def _sqlite_append_only() -> None:
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _postgresql_append_only() -> None:
    op.execute(
        """
        CREATE FUNCTION jichitai_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION jichitai_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION jichitai_append_only()"
        )
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN;
            END IF;
        END $$
        """
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(READ_WRITE)} TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT ON {', '.join(APPEND_ONLY)} TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON {', '.join(READ_WRITE + APPEND_ONLY)} FROM {APP_ROLE}")
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION jichitai_append_only()")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_constraint("uq_drafts_municipality_code_idempotency_key", type_="unique")
    op.drop_table("access_log_heads")
    op.drop_table("access_log_persons")
    op.drop_index("ix_access_log_user_login", table_name="access_log")
    op.drop_index("ix_access_log_at", table_name="access_log")
    op.drop_table("access_log")
    op.drop_index("ix_suppressions_household_number", table_name="suppressions")
    op.drop_index("ix_suppressions_atena_number", table_name="suppressions")
    op.drop_table("suppressions")
    op.drop_table("staff_users")
