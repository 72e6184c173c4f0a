"""execution bodies apart from the execution rows that workers update

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "execution_bodies",
        sa.Column("execution_id", sa.String(length=36), nullable=False),
        sa.Column("raw_body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["execution_id"], ["executions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("execution_id"),
    )
    op.execute(
        "INSERT INTO execution_bodies (execution_id, raw_body) "
        "SELECT id, raw_body FROM executions WHERE raw_body IS NOT NULL"
    )
    # Not batch mode: on SQLite it would copy and drop the executions table, and dropping it
    # deletes what references it (the bodies just copied, the step runs). SQLite drops a plain
    # column in place since 3.35.
    op.drop_column("executions", "raw_body")


def downgrade():
    op.add_column("executions", sa.Column("raw_body", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE executions SET raw_body = (SELECT raw_body FROM execution_bodies "
        "WHERE execution_bodies.execution_id = executions.id)"
    )
    op.drop_table("execution_bodies")
