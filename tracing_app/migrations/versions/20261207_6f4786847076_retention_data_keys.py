"""retention: per-ticket data keys, closure and purge dates of tickets, legal holds

Revision ID: 6f4786847076
Revises: 45f8b0bd15f7
Create Date: 2026-12-07 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6f4786847076'
down_revision = '45f8b0bd15f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner', sa.String(length=64), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('wrapped_key', sa.Text(), nullable=True),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_keys')),
    )
    op.create_index('uq_data_keys_owner', 'data_keys', ['owner', 'owner_id'], unique=True)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_dt', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('purged_dt', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_closed_dt'), ['closed_dt'], unique=False)
    # Tickets closed before this revision: their last change is the best closure date known.
    op.execute("UPDATE tickets SET closed_dt = updated_dt WHERE status = 'closed'")
    op.create_table(
        'ticket_legal_holds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('placed_by_id', sa.Integer(), nullable=True),
        sa.Column('placed_dt', sa.DateTime(), nullable=False),
        sa.Column('released_by_id', sa.Integer(), nullable=True),
        sa.Column('released_dt', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_legal_holds_ticket_id_tickets'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_ticket_legal_holds_placed_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_ticket_legal_holds_released_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_legal_holds')),
    )
    op.create_index('ix_ticket_legal_holds_ticket_id', 'ticket_legal_holds', ['ticket_id'])


def downgrade():
    op.drop_index('ix_ticket_legal_holds_ticket_id', table_name='ticket_legal_holds')
    op.drop_table('ticket_legal_holds')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_closed_dt'))
        batch_op.drop_column('purged_dt')
        batch_op.drop_column('closed_dt')
    op.drop_index('uq_data_keys_owner', table_name='data_keys')
    op.drop_table('data_keys')
