"""Subscribers: the duties for which a subscriber still receives withheld persons' items.

``withheld_duties`` is a JSON list of business-system codes (``["elections"]``); empty, the
default, keeps today's behaviour (withheld persons are named by 宛名番号 only). Adding a column
with a default does not rebuild ``subscribers`` on SQLite.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "subscribers",
        sa.Column("withheld_duties", sa.Text(), nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("withheld_duties")
