"""lms certification: certifications, required modules, certificates, certificate events

Revision ID: f24eb8252dff
Revises: ebb3c4004001
Create Date: 2026-11-30 00:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f24eb8252dff'
down_revision = 'ebb3c4004001'
branch_labels = None
# Certificates point at the exam attempt that earned them.
depends_on = None


def upgrade():
    op.create_table('lms_certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('titles_json', sa.Text(), nullable=False),
    sa.Column('exam_quiz_group', sa.String(length=36), nullable=True),
    sa.Column('min_score_percent', sa.Integer(), nullable=False),
    sa.Column('validity_days', sa.Integer(), nullable=True),
    sa.Column('warn_days', sa.Integer(), nullable=False),
    sa.Column('grants_gate', sa.String(length=50), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_certifications')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_certifications_code'))
    )
    with op.batch_alter_table('lms_certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_certifications_grants_gate'), ['grants_gate'], unique=False)

    op.create_table('lms_certification_modules',
    sa.Column('certification_id', sa.Integer(), nullable=False),
    sa.Column('module_group', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['certification_id'], ['lms_certifications.id'], name=op.f('fk_lms_certification_modules_certification_id_lms_certifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certification_id', 'module_group', name=op.f('pk_lms_certification_modules'))
    )
    op.create_table('lms_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('certification_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('issued_dt', sa.DateTime(), nullable=False),
    sa.Column('expires_dt', sa.DateTime(), nullable=True),
    sa.Column('exam_quiz_group', sa.String(length=36), nullable=True),
    sa.Column('exam_grade', sa.Integer(), nullable=True),
    sa.Column('exam_attempt_id', sa.Integer(), nullable=True),
    sa.Column('exam_question_versions', sa.Text(), nullable=True),
    sa.Column('revoked_dt', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('is_exempt', sa.Boolean(), nullable=False),
    sa.Column('exemption_reason', sa.Text(), nullable=True),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['certification_id'], ['lms_certifications.id'], name=op.f('fk_lms_certificates_certification_id_lms_certifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exam_attempt_id'], ['lms_attempts.id'], name=op.f('fk_lms_certificates_exam_attempt_id_lms_attempts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_lms_certificates_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_lms_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lms_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_certificates_code'))
    )
    with op.batch_alter_table('lms_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_certificates_certification_id'), ['certification_id'], unique=False)
        batch_op.create_index('ix_lms_certificates_user_certification', ['user_id', 'certification_id'], unique=False)

    op.create_table('lms_certificate_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_lms_certificate_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['certificate_id'], ['lms_certificates.id'], name=op.f('fk_lms_certificate_events_certificate_id_lms_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_certificate_events'))
    )
    with op.batch_alter_table('lms_certificate_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_certificate_events_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_certificate_events_created_dt'), ['created_dt'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_certificate_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_certificate_events_created_dt'))
        batch_op.drop_index(batch_op.f('ix_lms_certificate_events_certificate_id'))

    op.drop_table('lms_certificate_events')
    with op.batch_alter_table('lms_certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_certificates_user_certification')
        batch_op.drop_index(batch_op.f('ix_lms_certificates_certification_id'))

    op.drop_table('lms_certificates')
    op.drop_table('lms_certification_modules')
    with op.batch_alter_table('lms_certifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_certifications_grants_gate'))

    op.drop_table('lms_certifications')
