"""The CS outbox (standard §7.1.1.1 (1090)): messages for the 住基ネット CS, written with each
change; row-level security as every tenant table (0022), with a SELECT-only look-up policy for
the worker's queue (which municipalities have messages due).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
TENANT = "municipality_code = current_setting('jichitai.municipality', true)"


def upgrade() -> None:
    op.create_table(
        "cs_outbox",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("ordinal", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("destination", sa.String(100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=False),
        sa.Column("receipt", sa.String(64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("municipality_code", "seq", "ordinal", name="pk_cs_outbox"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'error')", name="ck_cs_outbox_status"),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_cs_outbox_municipality_code_municipalities",
        ),
    )
    op.create_index("ix_cs_outbox_status", "cs_outbox", ["status", "next_attempt_at"])
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON cs_outbox TO {APP_ROLE}")
    op.execute("ALTER TABLE cs_outbox ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON cs_outbox TO {APP_ROLE} USING ({TENANT}) WITH CHECK ({TENANT})"
    )
    op.execute(
        f"CREATE POLICY lookup ON cs_outbox FOR SELECT TO {APP_ROLE}"
        " USING (current_setting('jichitai.lookup', true) = 'cs_outbox')"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP POLICY lookup ON cs_outbox")
        op.execute("DROP POLICY tenant ON cs_outbox")
        op.execute(f"REVOKE ALL ON cs_outbox FROM {APP_ROLE}")
    op.drop_index("ix_cs_outbox_status", table_name="cs_outbox")
    op.drop_table("cs_outbox")
