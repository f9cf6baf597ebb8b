"""Certificates: what each copy said (its sheets as canonical JSON), and re-issues.

A re-issued copy (転出証明書の再交付, or a re-print of another certificate) is a new row naming
the copy it replaces in ``reissue_of``, with the ``reason``; the table stays append-only (the
application may only INSERT and SELECT: the grant of 0004 is unchanged). At most one copy
replaces another (unique index), so two clerks re-issuing the same copy at once cannot both
succeed. Rows from before this revision keep an empty ``content``: they cannot be re-issued.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("certificate_issues") as batch:
        batch.add_column(
            sa.Column("content", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch.add_column(sa.Column("reissue_of", sa.String(22), nullable=True))
        batch.add_column(
            sa.Column("reason", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
    op.create_index(
        "ix_certificate_issues_reissue_of",
        "certificate_issues",
        ["municipality_code", "reissue_of"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_certificate_issues_reissue_of", table_name="certificate_issues")
    with op.batch_alter_table("certificate_issues") as batch:
        batch.drop_column("reason")
        batch.drop_column("reissue_of")
        batch.drop_column("content")
