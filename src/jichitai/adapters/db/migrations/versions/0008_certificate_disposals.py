"""Certificates: the disposal of a copy issued by mistake (処分情報, standard §1.3.8 (300)).

A clerk who issued a copy by mistake (the wrong person, the wrong items) and destroyed it records
so: who, when, at which terminal and why. The copy stays in the issue history, marked disposed,
and no longer verifies. One row at most per copy (primary key), so two clerks recording the same
disposal cannot both succeed; the table is append-only like the issue history (the application
may only INSERT and SELECT).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"


def upgrade() -> None:
    op.create_table(
        "certificate_disposals",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("issue_code", sa.String(22), nullable=False),
        sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disposed_by", sa.String(64), nullable=False),
        sa.Column("terminal", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "issue_code", name="pk_certificate_disposals"),
        sa.ForeignKeyConstraint(
            ["municipality_code", "issue_code"],
            ["certificate_issues.municipality_code", "certificate_issues.issue_code"],
            name="fk_certificate_disposals_municipality_code_certificate_issues",
        ),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT ON certificate_disposals TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON certificate_disposals FROM {APP_ROLE}")
    op.drop_table("certificate_disposals")
