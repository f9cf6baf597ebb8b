"""Integration with other business systems: subscribers and the webhook outbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MC = 6
APP_ROLE = "jichitai_app"
TABLES = ("subscribers", "webhook_outbox")


def upgrade() -> None:
    # 他業務参照不可フラグ of each person's current record, so the integration API can withhold
    # persons without reading their snapshots.
    with op.batch_alter_table("residents") as batch:
        batch.add_column(
            sa.Column("hidden_from_other_systems", sa.Boolean(), nullable=False, server_default="0")
        )
    op.create_table(
        "subscribers",
        sa.Column("municipality_code", sa.String(MC), nullable=False),
        sa.Column("subscriber_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("system", sa.String(40), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("my_number_allowed", sa.Boolean(), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("webhook_url", sa.String(400), nullable=True),
        sa.Column("webhook_secret", sa.String(100), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "subscriber_id", name="pk_subscribers"),
        sa.UniqueConstraint("key_hash", name="uq_subscribers_key_hash"),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipalities.code"],
            name="fk_subscribers_municipality_code_municipalities",
        ),
    )
    op.create_table(
        "webhook_outbox",
        sa.Column("municipality_code", sa.String(MC), nullable=False),
        sa.Column("subscriber_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "municipality_code", "subscriber_id", "seq", name="pk_webhook_outbox"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'dead')", name="ck_webhook_outbox_status"
        ),
    )
    op.create_index("ix_webhook_outbox_status", "webhook_outbox", ["status", "next_attempt_at"])
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON {', '.join(TABLES)} FROM {APP_ROLE}")
    op.drop_index("ix_webhook_outbox_status", table_name="webhook_outbox")
    op.drop_table("webhook_outbox")
    op.drop_table("subscribers")
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("hidden_from_other_systems")
