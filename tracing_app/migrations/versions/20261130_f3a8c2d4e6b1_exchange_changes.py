"""exchange: the change feed exports read

Revision ID: f3a8c2d4e6b1
Revises: e7c1a9f3b5d2
Create Date: 2026-11-30 00:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3a8c2d4e6b1'
down_revision = 'e7c1a9f3b5d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exchange_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('txid', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('changed_dt', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_changes'))
    )
    with op.batch_alter_table('exchange_changes', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_changes_feed', ['kind', 'txid', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('exchange_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_changes_feed')
    op.drop_table('exchange_changes')
