"""exercise setup: floor, bed or wall, on the user and on each session

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("users", "exercise_sessions"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("setup", sa.String(length=8), nullable=False, server_default="floor")
            )


def downgrade() -> None:
    for table in ("exercise_sessions", "users"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("setup")
