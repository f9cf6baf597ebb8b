"""CS auto-send, 送信データの手入力での補完 (standard §7.1.1.1 (1090)): cs_outbox keeps, on a
message a reviewer completed by hand, the items changed with their old and new values (JSON).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cs_outbox") as batch:
        batch.add_column(sa.Column("amendments", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("cs_outbox") as batch:
        batch.drop_column("amendments")
