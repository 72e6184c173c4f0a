"""operations: alert settings per shop and the alerts told

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alert_settings",
        sa.Column(
            "merchant_id",
            sa.Integer(),
            sa.ForeignKey("merchants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("emails", sa.String(1000), nullable=False),
        sa.Column("webhook", sa.LargeBinary(), nullable=True),
        sa.Column("webhook_format", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("on_failed_run", sa.Boolean(), nullable=False),
        sa.Column("on_repeated_failures", sa.Boolean(), nullable=False),
        sa.Column("on_quiet_trigger", sa.Boolean(), nullable=False),
        sa.Column("on_account", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "merchant_id",
            sa.Integer(),
            sa.ForeignKey("merchants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "flow_id", sa.String(36), sa.ForeignKey("flows.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("execution_id", sa.String(36), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("mailed_at", sa.DateTime(), nullable=True),
        sa.Column("posted_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("merchant_id", "kind", "key"),
    )
    op.create_index("ix_alerts_merchant_id", "alerts", ["merchant_id"])


def downgrade():
    op.drop_index("ix_alerts_merchant_id", "alerts")
    op.drop_table("alerts")
    op.drop_table("alert_settings")
