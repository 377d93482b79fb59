"""safety net: dropped exercises, once-only clinician advice, per-session dropped keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dropped_exercises",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("exercise_key", sa.String(length=48), nullable=False),
        sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "exercise_key"),
    )
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("advised_rising_pain_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("advised_no_improvement_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("exercise_sessions") as batch_op:
        batch_op.add_column(
            sa.Column("dropped_keys", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("exercise_sessions") as batch_op:
        batch_op.drop_column("dropped_keys")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("advised_no_improvement_at")
        batch_op.drop_column("advised_rising_pain_at")
    op.drop_table("dropped_exercises")
