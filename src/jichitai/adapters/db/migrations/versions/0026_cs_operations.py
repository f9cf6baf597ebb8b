"""CS auto-send, the clerk's operations (standard §7.1.1.1 (1090)): cs_outbox keeps the
characters a message was held for (住基ネット統一文字), what a clerk did (re-sent, completed by
hand: status ``done``), who and when; cs_manual holds a municipality's switch to manual sending,
with row-level security as every tenant table and the worker's look-up (``cs_outbox``) allowed to
read it.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "jichitai_app"
TENANT = "municipality_code = current_setting('jichitai.municipality', true)"


def _statuses(names: str, old: str) -> None:
    # Names as Alembic's batch mode (SQLite) and PostgreSQL both find them, under the models'
    # naming convention (ck_<table>_<name>): the one 0025 wrote, then "status" → the same.
    with op.batch_alter_table("cs_outbox") as batch:
        batch.drop_constraint(old, type_="check")
        batch.create_check_constraint("status", f"status IN ({names})")


def upgrade() -> None:
    with op.batch_alter_table("cs_outbox") as batch:
        batch.add_column(
            sa.Column("unconvertible", sa.String(400), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("note", sa.String(300), nullable=False, server_default=""))
        batch.add_column(sa.Column("handled_by", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
    _statuses("'pending', 'sent', 'error', 'done'", "ck_cs_outbox_status")
    op.create_table(
        "cs_manual",
        sa.Column("municipality_code", sa.String(6), nullable=False),
        sa.Column("manual_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", name="pk_cs_manual"),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_cs_manual_municipality_code_municipalities",
        ),
    )
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON cs_manual TO {APP_ROLE}")
    op.execute("ALTER TABLE cs_manual ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant ON cs_manual TO {APP_ROLE} USING ({TENANT}) WITH CHECK ({TENANT})"
    )
    op.execute(
        f"CREATE POLICY lookup ON cs_manual FOR SELECT TO {APP_ROLE}"
        " USING (current_setting('jichitai.lookup', true) = 'cs_outbox')"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP POLICY lookup ON cs_manual")
        op.execute("DROP POLICY tenant ON cs_manual")
        op.execute(f"REVOKE ALL ON cs_manual FROM {APP_ROLE}")
    op.drop_table("cs_manual")
    op.execute("DELETE FROM cs_outbox WHERE status = 'done'")
    _statuses("'pending', 'sent', 'error'", "status")
    with op.batch_alter_table("cs_outbox") as batch:
        for name in ("handled_at", "handled_by", "note", "unconvertible"):
            batch.drop_column(name)
