"""Webhook-secret rotation: the previous secret keeps signing until the end of its window.

``previous_webhook_secret`` is stored as ``webhook_secret`` is (HMAC needs the secret itself);
``previous_secret_until`` is when it stops signing. Both are empty outside a rotation.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("subscribers", sa.Column("previous_webhook_secret", sa.String(100)))
    op.add_column("subscribers", sa.Column("previous_secret_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("previous_secret_until")
        batch.drop_column("previous_webhook_secret")
