"""Drafts: everyone who entered or changed a draft (four-eyes, standard §4.0.8 (530)).

Approval must come from someone who neither entered nor changed the draft, so the draft keeps
every editor's login (comma-separated; logins hold no commas). Drafts from before this revision
were only ever changed by whoever entered them, so their editors are their operator.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(
            sa.Column("editors", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
    op.execute("UPDATE drafts SET editors = operator")


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("editors")
