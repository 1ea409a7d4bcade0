"""content state: the version counter behind the anonymous page cache

Revision ID: 9a8b7c6d5e4f
Revises: 7c2d9b4e8a10
Create Date: 2026-11-22 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a8b7c6d5e4f'
down_revision = '7c2d9b4e8a10'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('content_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_state'))
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('content_state')
