"""lms certificates: an index on the exam attempt that earned them

Revision ID: 5e1c0a7b9d42
Revises: 5b7e9d1c3a20
Create Date: 2026-12-07 22:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1c0a7b9d42'
down_revision = '5b7e9d1c3a20'
branch_labels = None
# The exam's result page looks its certificate up by attempt (issue #14); deleting an
# attempt sets the link to NULL, which looks it up too.
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_certificates', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_lms_certificates_exam_attempt_id'), ['exam_attempt_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('lms_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_certificates_exam_attempt_id'))
