"""Certificates: the issue history (証明書の発行履歴).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MC = 6
APP_ROLE = "jichitai_app"


def upgrade() -> None:
    op.create_table(
        "certificate_issues",
        sa.Column("municipality_code", sa.String(MC), nullable=False),
        sa.Column("issue_code", sa.String(22), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(40), nullable=False),
        sa.Column("persons", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("terminal", sa.String(100), nullable=False),
        sa.Column("place", sa.String(100), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "issue_code", name="pk_certificate_issues"),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_certificate_issues_municipality_code_municipalities",
        ),
    )
    op.create_index(
        "ix_certificate_issues_issued_on",
        "certificate_issues",
        ["municipality_code", "issued_on"],
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT ON certificate_issues TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON certificate_issues FROM {APP_ROLE}")
    op.drop_index("ix_certificate_issues_issued_on", table_name="certificate_issues")
    op.drop_table("certificate_issues")
