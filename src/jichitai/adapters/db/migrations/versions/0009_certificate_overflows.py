"""Certificates: the values a copy could not print whole (文字超過リスト, standard §5.8 (1070)).

Each copy's row keeps, as a JSON list, the values that overflowed their row even at the smallest
size or held a character the font cannot draw (sheet, label, value, reason), so the day's list
can be printed and checked. Rows from before this revision have none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("certificate_issues") as batch:
        batch.add_column(
            sa.Column("overflows", sa.Text(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("certificate_issues") as batch:
        batch.drop_column("overflows")
