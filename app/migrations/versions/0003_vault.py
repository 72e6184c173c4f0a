"""vault: credential status (OAuth reconnect), per-merchant limits and retention

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("credentials") as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="ok")
        )
        batch_op.add_column(sa.Column("status_message", sa.String(length=500), nullable=True))
    with op.batch_alter_table("merchants") as batch_op:
        batch_op.add_column(sa.Column("webhooks_per_minute", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_concurrent_executions", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_payload_bytes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("merchants") as batch_op:
        batch_op.drop_column("retention_days")
        batch_op.drop_column("max_payload_bytes")
        batch_op.drop_column("max_concurrent_executions")
        batch_op.drop_column("webhooks_per_minute")
    with op.batch_alter_table("credentials") as batch_op:
        batch_op.drop_column("status_message")
        batch_op.drop_column("status")
