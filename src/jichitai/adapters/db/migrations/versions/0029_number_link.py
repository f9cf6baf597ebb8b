"""番号連携 (standard §7.1.2, §4.3.1): the stock of free 住民票コード the CS handed out
(``free_resident_codes``) and the record of each request to the number-generation service
(``number_link_records``); row-level security as every tenant table (0022).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
TENANT = "municipality_code = current_setting('jichitai.municipality', true)"
TABLES = ("free_resident_codes", "number_link_records")


def upgrade() -> None:
    op.create_table(
        "free_resident_codes",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("resident_code", sa.String(11), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_code", "resident_code", name="pk_free_resident_codes"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_free_resident_codes_municipality_code_municipalities",
        ),
    )
    op.create_table(
        "number_link_records",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("atena_number", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("error", sa.String(200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "request_id", name="pk_number_link_records"),
        sa.CheckConstraint("status IN ('ok', 'error')", name="ck_number_link_records_status"),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_number_link_records_municipality_code_municipalities",
        ),
    )
    op.create_index(
        "ix_number_link_records_atena",
        "number_link_records",
        ["municipality_code", "atena_number", "requested_at"],
    )
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant ON {table} TO {APP_ROLE} USING ({TENANT}) WITH CHECK ({TENANT})"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP POLICY tenant ON {table}")
            op.execute(f"REVOKE ALL ON {table} FROM {APP_ROLE}")
    op.drop_index("ix_number_link_records_atena", table_name="number_link_records")
    op.drop_table("number_link_records")
    op.drop_table("free_resident_codes")
