"""Certificates: the idempotency key a copy was issued under.

A counter form posted twice (a double click, a reload of the tab the PDF opened in) or an API
call retried after a lost answer carries the same key; the key is unique per municipality, so the
second request is refused (``certificate.already_issued``, naming the first copy) instead of
making a second numbered copy. Rows from before this revision have none.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("certificate_issues") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(200), nullable=True))
    op.create_index(
        "ix_certificate_issues_idempotency_key",
        "certificate_issues",
        ["municipality_code", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_certificate_issues_idempotency_key", table_name="certificate_issues")
    with op.batch_alter_table("certificate_issues") as batch:
        batch.drop_column("idempotency_key")
