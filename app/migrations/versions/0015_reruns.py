"""a re-run of a received event names the execution it repeats

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("executions") as batch:
        batch.add_column(sa.Column("rerun_of", sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("rerun_of")
