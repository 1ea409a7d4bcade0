"""ticket documents: quarantine certificates, test prescriptions and their prints

Revision ID: b6094df655c2
Revises: 3d9e5b7a1c42
Create Date: 2026-11-30 00:30:00.000000

Depends on the tickets migration (foreign key to tickets).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b6094df655c2'
down_revision = '3d9e5b7a1c42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ticket_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('test_date', sa.Date(), nullable=True),
    sa.Column('holder_initials', sa.String(length=16), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_dt', sa.DateTime(), nullable=False),
    sa.Column('revoked_dt', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_ticket_documents_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_ticket_documents_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_documents_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_documents')),
    sa.UniqueConstraint('code', name=op.f('uq_ticket_documents_code'))
    )
    with op.batch_alter_table('ticket_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_documents_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_document_prints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('printed_by_id', sa.Integer(), nullable=True),
    sa.Column('printed_dt', sa.DateTime(), nullable=False),
    sa.Column('reprint', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['ticket_documents.id'], name=op.f('fk_ticket_document_prints_document_id_ticket_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['printed_by_id'], ['users.id'], name=op.f('fk_ticket_document_prints_printed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_document_prints'))
    )
    with op.batch_alter_table('ticket_document_prints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_document_prints_document_id'), ['document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ticket_document_prints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_document_prints_document_id'))

    op.drop_table('ticket_document_prints')
    with op.batch_alter_table('ticket_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_documents_ticket_id'))

    op.drop_table('ticket_documents')
