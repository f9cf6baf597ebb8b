"""The 送付先 (a 居所 other than the 住所) where a person's 個人番号カード and 番号通知書類 are
sent (standard §7.1.1.4 (1120)), with its history: each setting or clearing is a new version.
Row-level security as every tenant table (0022).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
TENANT = "municipality_code = current_setting('jichitai.municipality', true)"


def upgrade() -> None:
    op.create_table(
        "card_destinations",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("atena_number", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_code", "atena_number", "version", name="pk_card_destinations"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_card_destinations_municipality_code_municipalities",
        ),
    )
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"GRANT SELECT, INSERT ON card_destinations TO {APP_ROLE}")
    op.execute("ALTER TABLE card_destinations ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON card_destinations TO {APP_ROLE}"
        f" USING ({TENANT}) WITH CHECK ({TENANT})"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP POLICY tenant ON card_destinations")
        op.execute(f"REVOKE ALL ON card_destinations FROM {APP_ROLE}")
    op.drop_table("card_destinations")
