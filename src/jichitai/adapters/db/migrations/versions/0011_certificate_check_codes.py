"""Certificates: a copy's 確認コード is unique over all municipalities.

New copies get a random 21-digit code (20 digits from a secure random source and a check digit)
instead of the sequential one (issue date, 地方公共団体コード, sequence of the day), which could be
guessed from any other copy. A random code no longer names its municipality, so ``/verify``
finds the copy by the code alone: this index makes that one lookup across municipalities fast
and makes a code name one copy only. Copies issued before keep their 22-digit codes (unique
already: each carries its municipality's code) and keep verifying.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_certificate_issues_issue_code", "certificate_issues", ["issue_code"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_certificate_issues_issue_code", table_name="certificate_issues")
