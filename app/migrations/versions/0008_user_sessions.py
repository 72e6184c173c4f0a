"""signed-in browsers, so signing out ends a session for good

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    with op.batch_alter_table("user_sessions") as batch:
        batch.create_index("ix_user_sessions_user_id", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_index("ix_user_sessions_user_id")
    op.drop_table("user_sessions")
