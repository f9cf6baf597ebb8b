"""Messages other municipalities sent through the CS (転入通知情報, 転出証明書情報), taken in from
the CS's mailbox (issue 21; §4.1.1.3 (610), §4.1.3.1.2 (690)); row-level security as every
tenant table (0022); no look-up across municipalities (the worker reads each municipality's
rows as that municipality).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
TENANT = "municipality_code = current_setting('jichitai.municipality', true)"


def upgrade() -> None:
    op.create_table(
        "cs_inbox",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("relay_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sender", sa.String(6), nullable=False),
        sa.Column("sender_seq", sa.BigInteger(), nullable=False),
        sa.Column("sender_ordinal", sa.Integer(), nullable=False),
        sa.Column("resident_code", sa.String(11), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "relay_id", name="pk_cs_inbox"),
        sa.UniqueConstraint(
            "municipality_code",
            "sender",
            "sender_seq",
            "sender_ordinal",
            name="uq_cs_inbox_municipality_code_sender_sender_seq_sender_ordinal",
        ),
        sa.CheckConstraint(
            "status IN ('new', 'taken', 'unmatched', 'used')", name="ck_cs_inbox_status"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_cs_inbox_municipality_code_municipalities",
        ),
    )
    op.create_index("ix_cs_inbox_resident_code", "cs_inbox", ["municipality_code", "resident_code"])
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON cs_inbox TO {APP_ROLE}")
    op.execute("ALTER TABLE cs_inbox ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON cs_inbox TO {APP_ROLE} USING ({TENANT}) WITH CHECK ({TENANT})"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP POLICY tenant ON cs_inbox")
        op.execute(f"REVOKE ALL ON cs_inbox FROM {APP_ROLE}")
    op.drop_index("ix_cs_inbox_resident_code", table_name="cs_inbox")
    op.drop_table("cs_inbox")
