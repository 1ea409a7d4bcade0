"""call lists: call orders point at tickets

Revision ID: 3d9e5b7a1c42
Revises: 7f670757769a
Create Date: 2026-11-30 00:40:00.000000

Depends on the tickets table (revision 604e88730a91).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3d9e5b7a1c42'
down_revision = '7f670757769a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_ticket_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_call_orders_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_call_orders_ticket_id_tickets'), 'tickets', ['ticket_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_call_orders_source_ticket_id_tickets'), 'tickets', ['source_ticket_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_call_orders_source_ticket_id_tickets'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_call_orders_ticket_id_tickets'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_call_orders_ticket_id'))
        batch_op.drop_column('source_ticket_id')
        batch_op.drop_column('ticket_id')
