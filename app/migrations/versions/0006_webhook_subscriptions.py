"""webhook subscriptions registered with providers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("subscription", sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("subscription")
