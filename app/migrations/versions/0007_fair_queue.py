"""a merchant's queued executions by turn, for a queue fair between merchants

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("executions") as batch:
        batch.create_index(
            "ix_executions_merchant_status_queued", ["merchant_id", "status", "queued_at"]
        )


def downgrade():
    with op.batch_alter_table("executions") as batch:
        batch.drop_index("ix_executions_merchant_status_queued")
