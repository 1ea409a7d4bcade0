"""tickets: encrypted personal data, blind indexes, access grants, escalations

Revision ID: 604e88730a91
Revises: b2c4e6a8d0f1
Create Date: 2026-11-30 00:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '604e88730a91'
down_revision = 'b2c4e6a8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('script_response_id', sa.Integer(), nullable=True),
    sa.Column('first_name_enc', sa.Text(), nullable=True),
    sa.Column('last_name_enc', sa.Text(), nullable=True),
    sa.Column('national_number_enc', sa.Text(), nullable=True),
    sa.Column('birth_date_enc', sa.Text(), nullable=True),
    sa.Column('phone_enc', sa.Text(), nullable=True),
    sa.Column('email_enc', sa.Text(), nullable=True),
    sa.Column('address_enc', sa.Text(), nullable=True),
    sa.Column('notes_enc', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['users.id'], name=op.f('fk_tickets_assigned_to_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['script_response_id'], ['form_responses.id'], name=op.f('fk_tickets_script_response_id_form_responses'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('reference', name=op.f('uq_tickets_reference'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_status'), ['status'], unique=False)

    op.create_table('ticket_blind_indexes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('indexed_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_blind_indexes_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_blind_indexes'))
    )
    with op.batch_alter_table('ticket_blind_indexes', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_blind_indexes_kind_digest', ['kind', 'digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_blind_indexes_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('granted_dt', sa.DateTime(), nullable=False),
    sa.Column('expires_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_access_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_access_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_access'))
    )
    with op.batch_alter_table('ticket_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_access_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('ix_ticket_access_user_ticket', ['user_id', 'ticket_id'], unique=False)

    op.create_table('ticket_escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('note_enc', sa.Text(), nullable=True),
    sa.Column('answer_enc', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('taken_dt', sa.DateTime(), nullable=True),
    sa.Column('answered_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ticket_escalations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_ticket_escalations_taken_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_escalations_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_escalations'))
    )
    with op.batch_alter_table('ticket_escalations', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_escalations_state_created', ['state', 'created_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_escalations_ticket_id'), ['ticket_id'], unique=False)


def downgrade():
    op.drop_table('ticket_escalations')
    op.drop_table('ticket_access')
    op.drop_table('ticket_blind_indexes')
    op.drop_table('tickets')
