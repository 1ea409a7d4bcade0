"""call lists: campaigns and call orders

Revision ID: b2c4e6a8d0f1
Revises: a1b3c5d7e9f2
Create Date: 2026-11-22 12:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b2c4e6a8d0f1'
down_revision = 'a1b3c5d7e9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('calling_start', sa.Time(), nullable=False),
    sa.Column('calling_end', sa.Time(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('name', name=op.f('uq_campaigns_name'))
    )
    op.create_table('call_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('due_dt', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('lease_until_dt', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_call_orders_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['users.id'], name=op.f('fk_call_orders_claimed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_orders')),
    sa.UniqueConstraint('campaign_id', 'external_id', name='uq_call_orders_campaign_external')
    )
    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_orders_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_call_orders_next_due', ['state', 'due_dt', 'priority'], unique=False)


def downgrade():
    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_call_orders_next_due')
        batch_op.drop_index(batch_op.f('ix_call_orders_campaign_id'))

    op.drop_table('call_orders')
    op.drop_table('campaigns')
