"""control flow: step runs per item of a split

A step inside a split runs once per item, so a step run is keyed by (execution, node, item).
``item`` is -1 for steps that run once per execution (NOT NULL, so the unique key also holds
for them: NULLs would never collide).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The unnamed unique key of 0001: PostgreSQL named it itself; SQLite's is found by the naming
# convention batch mode applies while it copies the table.
OLD_KEY = {'postgresql': 'step_runs_execution_id_node_id_key'}
CONVENTION = {'uq': 'uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s'}


def upgrade():
    old_key = OLD_KEY.get(op.get_bind().dialect.name, 'uq_step_runs_execution_id_node_id')
    with op.batch_alter_table('step_runs', naming_convention=CONVENTION) as batch_op:
        batch_op.add_column(sa.Column('item', sa.Integer(), nullable=False, server_default='-1'))
        batch_op.drop_constraint(old_key, type_='unique')
        batch_op.create_unique_constraint('uq_step_runs_execution_node_item', ['execution_id', 'node_id', 'item'])


def downgrade():
    with op.batch_alter_table('step_runs', naming_convention=CONVENTION) as batch_op:
        batch_op.drop_constraint('uq_step_runs_execution_node_item', type_='unique')
        batch_op.execute('DELETE FROM step_runs WHERE item > 0')
        batch_op.create_unique_constraint(
            OLD_KEY.get(op.get_bind().dialect.name, 'uq_step_runs_execution_id_node_id'),
            ['execution_id', 'node_id'],
        )
        batch_op.drop_column('item')
