"""The 出入国在留管理庁長官通知 taken in (standard §4.5.6 (960)): the clerk's list of notices,
matched to a person or not; row-level security as every tenant table (0022).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
TENANT = "municipality_code = current_setting('jichitai.municipality', true)"


def upgrade() -> None:
    op.create_table(
        "immigration_inbox",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("notice_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("residence_card_number", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("atena_number", sa.String(10), nullable=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("municipality_code", "notice_id", name="pk_immigration_inbox"),
        sa.CheckConstraint(
            "status IN ('listed', 'unknown', 'drafted')", name="ck_immigration_inbox_status"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_immigration_inbox_municipality_code_municipalities",
        ),
    )
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON immigration_inbox TO {APP_ROLE}")
    op.execute("ALTER TABLE immigration_inbox ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON immigration_inbox TO {APP_ROLE}"
        f" USING ({TENANT}) WITH CHECK ({TENANT})"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP POLICY tenant ON immigration_inbox")
        op.execute(f"REVOKE ALL ON immigration_inbox FROM {APP_ROLE}")
    op.drop_table("immigration_inbox")
