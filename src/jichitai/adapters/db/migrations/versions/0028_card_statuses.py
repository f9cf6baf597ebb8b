"""The cards of the municipality's persons as the card management system last reported them
through the CS (standard §7.1.1.3 (1110)); row-level security as every tenant table (0022).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
TENANT = "municipality_code = current_setting('jichitai.municipality', true)"


def upgrade() -> None:
    op.create_table(
        "card_statuses",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("resident_code", sa.String(11), nullable=False),
        sa.Column("card", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_code", "resident_code", "card", name="pk_card_statuses"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_card_statuses_municipality_code_municipalities",
        ),
    )
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON card_statuses TO {APP_ROLE}")
    op.execute("ALTER TABLE card_statuses ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON card_statuses TO {APP_ROLE}"
        f" USING ({TENANT}) WITH CHECK ({TENANT})"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP POLICY tenant ON card_statuses")
        op.execute(f"REVOKE ALL ON card_statuses FROM {APP_ROLE}")
    op.drop_table("card_statuses")
