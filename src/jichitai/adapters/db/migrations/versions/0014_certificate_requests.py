"""Certificates: the request's 請求者, 通数 and 手数料, and the municipality's fee table.

Each issued copy records who asked for it (``requester``: self, household, agent, third_party,
official), how many copies were asked for (``copies``) and the fee the service worked out
(``fee``, 円). Copies issued before this revision record no requester (NULL: it was not asked),
one copy and no fee (NULL): nothing is made up for them. ``certificate_fees`` holds the fee per
copy of a kind as the municipality's administrator set it; a kind without a row costs the
default (300円).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"


def upgrade() -> None:
    with op.batch_alter_table("certificate_issues") as batch:
        batch.add_column(sa.Column("requester", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column("copies", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.add_column(sa.Column("fee", sa.Integer(), nullable=True))
    op.create_table(
        "certificate_fees",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("fee_per_copy", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "kind", name="pk_certificate_fees"),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_certificate_fees_municipality_code_municipalities",
        ),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON certificate_fees TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON certificate_fees FROM {APP_ROLE}")
    op.drop_table("certificate_fees")
    with op.batch_alter_table("certificate_issues") as batch:
        batch.drop_column("fee")
        batch.drop_column("copies")
        batch.drop_column("requester")
