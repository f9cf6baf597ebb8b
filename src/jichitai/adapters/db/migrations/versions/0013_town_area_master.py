"""The municipality's 町字 master (standard §1.3.2 (240), §1.3.3 (250); ADR 0013).

One row per 町字 of the アドレス・ベース・レジストリ 町字マスター the municipality loaded
(``jichitai address import``), replaced whole by each import. A municipality with no rows keeps
the behaviour from before this revision: no address is checked against a master.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MC = 6
APP_ROLE = "jichitai_app"


def upgrade() -> None:
    op.create_table(
        "town_areas",
        sa.Column("municipality_code", sa.String(MC), nullable=False),
        sa.Column("town_id", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("oaza", sa.Text(), nullable=False),
        sa.Column("chome", sa.Text(), nullable=False),
        sa.Column("koaza", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(7), nullable=False),
        sa.Column("residence_indication", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("municipality_code", "town_id", name="pk_town_areas"),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_town_areas_municipality_code_municipalities",
        ),
    )
    op.create_index("ix_town_areas_name_key", "town_areas", ["municipality_code", "name_key"])
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON town_areas TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON town_areas FROM {APP_ROLE}")
    op.drop_index("ix_town_areas_name_key", table_name="town_areas")
    op.drop_table("town_areas")
