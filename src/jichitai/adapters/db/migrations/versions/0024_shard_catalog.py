"""The shard catalog (ADR 0016): ``shards``, ``shard_assignments`` and ``municipalities.placement``.

The catalog lives in the database ``JICHITAI_DATABASE_URL`` names (the shard ``home``); every
shard has the same schema, so the tables exist (empty) on the others too. The application reads
the catalog and never changes it (SELECT only): shards are added and municipalities moved by the
operator's commands (``jichitai shard add``, ``jichitai municipality move``), run as the schema
owner. ``placement`` on each shard's ``municipalities`` row says whether that database serves the
municipality (NULL), is receiving it (``arriving``) or gave it away (``moved``).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"


def upgrade() -> None:
    with op.batch_alter_table("municipalities") as batch:
        batch.add_column(sa.Column("placement", sa.String(12), nullable=True))
    op.create_table(
        "shards",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_shards")),
    )
    op.create_table(
        "shard_assignments",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("shard", sa.String(40), nullable=False),
        sa.Column("moving_to", sa.String(40), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_shard_assignments")),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT ON shards, shard_assignments TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_table("shard_assignments")
    op.drop_table("shards")
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch would rebuild the table, which
    # every tenant table's foreign key refers to.
    op.drop_column("municipalities", "placement")
