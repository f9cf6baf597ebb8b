"""Drafts: a short 受付番号, and 差戻し (a draft sent back to its clerk with the reviewer's comment
and the reasons).

受付番号: each municipality numbers its drafts 1, 2, 3 … (``id_sequences`` row ``draft``), a
number a clerk can read out; the UUID stays the draft's key. Drafts from before this revision are
numbered in the order they were entered, and the sequence continues after them.

A reviewer who cannot approve a draft (its rules no longer hold, or the filing needs correcting)
sends it back: status ``returned``, the comment and the refusals kept with it, until its clerk
resubmits it (pending again) or discards it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
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
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE drafts SET number = (SELECT COUNT(*) FROM drafts AS earlier"
        " WHERE earlier.municipality_code = drafts.municipality_code"
        " AND (earlier.created_at < drafts.created_at"
        " OR (earlier.created_at = drafts.created_at AND earlier.draft_id <= drafts.draft_id)))"
    )
    op.execute(
        "INSERT INTO id_sequences (municipality_code, name, next_value)"
        " SELECT municipality_code, 'draft', MAX(number) + 1 FROM drafts GROUP BY municipality_code"
    )
    with op.batch_alter_table("drafts") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            op.f("uq_drafts_municipality_code_number"), ["municipality_code", "number"]
        )


def downgrade() -> None:
    op.execute("UPDATE drafts SET status = 'discarded' WHERE status = 'returned'")
    op.execute("DELETE FROM id_sequences WHERE name = 'draft'")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_constraint(op.f("uq_drafts_municipality_code_number"), type_="unique")
        batch.drop_column("number")
        batch.drop_constraint(op.f("ck_drafts_status"), type_="check")
        batch.create_check_constraint(op.f("ck_drafts_status"), _OLD_STATUSES)
        batch.drop_column("return_reasons")
        batch.drop_column("return_comment")
