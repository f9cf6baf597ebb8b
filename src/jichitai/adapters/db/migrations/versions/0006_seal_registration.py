"""印鑑登録: the seal journal (append-only, hash-chained), its head and the registrations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MC = 6
APP_ROLE = "jichitai_app"
GENESIS_HASH = "0" * 64
ACTIVE = sa.text("status = 'active'")


def _municipality_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["municipality_code"],
        ["municipalities.code"],
        name=f"fk_{table}_municipality_code_municipalities",
    )


def upgrade() -> None:
    op.create_table(
        "seal_heads",
        sa.Column("municipality_code", sa.String(MC), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", name="pk_seal_heads"),
    )
    op.execute(
        "INSERT INTO seal_heads (municipality_code, last_seq, last_hash)"
        f" SELECT code, 0, '{GENESIS_HASH}' FROM municipalities"
    )
    op.create_table(
        "seal_events",
        sa.Column("municipality_code", sa.String(MC), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("registration_number", sa.String(12), nullable=False),
        sa.Column("atena_number", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("end_reason", sa.String(12), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(100), nullable=False),
        sa.Column("terminal", sa.String(100), nullable=False),
        sa.Column("place", sa.String(100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("width_mm", sa.Float(), nullable=True),
        sa.Column("height_mm", sa.Float(), nullable=True),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        sa.Column("journal_event_id", sa.String(36), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "seq", name="pk_seal_events"),
        sa.UniqueConstraint("event_id", name="uq_seal_events_event_id"),
        _municipality_fk("seal_events"),
    )
    op.create_index(
        "ix_seal_events_registration_number",
        "seal_events",
        ["municipality_code", "registration_number"],
    )
    op.create_index(
        "ix_seal_events_atena_number", "seal_events", ["municipality_code", "atena_number"]
    )
    op.create_table(
        "seal_registrations",
        sa.Column("municipality_code", sa.String(MC), nullable=False),
        sa.Column("registration_number", sa.String(12), nullable=False),
        sa.Column("atena_number", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(12), nullable=True),
        sa.Column("width_mm", sa.Float(), nullable=False),
        sa.Column("height_mm", sa.Float(), nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        sa.Column("image_png", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_code", "registration_number", name="pk_seal_registrations"
        ),
        _municipality_fk("seal_registrations"),
        sa.CheckConstraint(
            "status IN ('active', 'lost', 'abolished')", name="ck_seal_registrations_status"
        ),
    )
    op.create_index(
        "ix_seal_registrations_atena_number",
        "seal_registrations",
        ["municipality_code", "atena_number"],
    )
    op.create_index(
        "uq_seal_registrations_active",
        "seal_registrations",
        ["municipality_code", "atena_number"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER seal_events_append_only BEFORE UPDATE OR DELETE ON seal_events "
            "FOR EACH ROW EXECUTE FUNCTION jichitai_append_only()"
        )
        op.execute(
            "CREATE TRIGGER seal_events_no_truncate BEFORE TRUNCATE ON seal_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION jichitai_append_only()"
        )
        op.execute(f"GRANT SELECT, INSERT ON seal_events TO {APP_ROLE}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON seal_heads, seal_registrations TO {APP_ROLE}")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER seal_events_no_{action.lower()} BEFORE {action} ON seal_events "
                "BEGIN SELECT RAISE(ABORT, 'seal_events is append-only'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON seal_events, seal_heads, seal_registrations FROM {APP_ROLE}")
        op.execute("DROP TRIGGER seal_events_append_only ON seal_events")
        op.execute("DROP TRIGGER seal_events_no_truncate ON seal_events")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER seal_events_no_{action}")
    op.drop_index("uq_seal_registrations_active", table_name="seal_registrations")
    op.drop_index("ix_seal_registrations_atena_number", table_name="seal_registrations")
    op.drop_table("seal_registrations")
    op.drop_index("ix_seal_events_atena_number", table_name="seal_events")
    op.drop_index("ix_seal_events_registration_number", table_name="seal_events")
    op.drop_table("seal_events")
    op.drop_table("seal_heads")
