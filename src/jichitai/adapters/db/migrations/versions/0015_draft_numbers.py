"""Drafts: 差戻し (a draft sent back to its clerk with the reviewer's comment and the reasons).

A reviewer who cannot approve a draft (its rules no longer hold, or the filing needs correcting)
sends it back: status ``returned``, the comment and the refusals kept with it, until its clerk
resubmits it (pending again) or discards it.

Revision ID: 0015
Revises: 0012 (0013 and 0014 are other branches' revisions; the chain is joined when merged)
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_STATUSES = "status IN ('pending', 'approved', 'discarded')"
_NEW_STATUSES = "status IN ('pending', 'approved', 'discarded', 'returned')"


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(
            sa.Column("return_comment", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch.add_column(
            sa.Column("return_reasons", sa.Text(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.drop_constraint(op.f("ck_drafts_status"), type_="check")
        batch.create_check_constraint(op.f("ck_drafts_status"), _NEW_STATUSES)


def downgrade() -> None:
    op.execute("UPDATE drafts SET status = 'discarded' WHERE status = 'returned'")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_constraint(op.f("ck_drafts_status"), type_="check")
        batch.create_check_constraint(op.f("ck_drafts_status"), _OLD_STATUSES)
        batch.drop_column("return_reasons")
        batch.drop_column("return_comment")
