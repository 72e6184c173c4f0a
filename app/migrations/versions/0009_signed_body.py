"""the hash of a signed delivery's body, so a replay under a new delivery id runs once

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("signed_body", sa.String(length=64), nullable=True))
        batch.create_index(
            "uq_executions_flow_signed_body", ["flow_id", "signed_body"], unique=True
        )


def downgrade():
    with op.batch_alter_table("executions") as batch:
        batch.drop_index("uq_executions_flow_signed_body")
        batch.drop_column("signed_body")
