"""flow engine: versioned conversation and session states, progression notches, feedback

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_states") as batch_op:
        batch_op.add_column(sa.Column("flow", sa.String(16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("exercise_sessions") as batch_op:
        batch_op.add_column(sa.Column("notches", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("session_exercises") as batch_op:
        batch_op.add_column(sa.Column("feedback", sa.String(8), nullable=True))
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("notches", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("notches")
    with op.batch_alter_table("session_exercises") as batch_op:
        batch_op.drop_column("feedback")
    with op.batch_alter_table("exercise_sessions") as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("notches")
    with op.batch_alter_table("conversation_states") as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("flow")
