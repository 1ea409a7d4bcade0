"""exchange: API clients with hashed tokens and scopes; order batches

Revision ID: e7c1a9f3b5d2
Revises: b6094df655c2
Create Date: 2026-11-30 00:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7c1a9f3b5d2'
down_revision = 'b6094df655c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('last_used_dt', sa.DateTime(), nullable=True),
    sa.Column('revoked_dt', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_clients_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_api_clients_revoked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('name', name=op.f('uq_api_clients_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_clients_token_hash'))
    )
    op.create_table('api_order_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=100), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_api_order_batches_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_api_order_batches_client_id_api_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_order_batches')),
    sa.UniqueConstraint('client_id', 'batch_id', name='uq_api_order_batches_batch')
    )


def downgrade():
    op.drop_table('api_order_batches')
    op.drop_table('api_clients')
