"""lms courses: module settings, prerequisites, enrolments, lesson progress

Revision ID: 378f6efdb94f
Revises: 1a2b3c4d5e6f
Create Date: 2026-11-30 00:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '378f6efdb94f'
down_revision = '1a2b3c4d5e6f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_module_settings',
    sa.Column('module_group', sa.String(length=36), nullable=False),
    sa.Column('is_required_order', sa.Boolean(), nullable=False),
    sa.Column('is_self_enrolment', sa.Boolean(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('module_group', name=op.f('pk_lms_module_settings'))
    )
    op.create_table('lms_module_prerequisites',
    sa.Column('module_group', sa.String(length=36), nullable=False),
    sa.Column('required_group', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('module_group', 'required_group', name=op.f('pk_lms_module_prerequisites'))
    )
    op.create_table('lms_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_group', sa.String(length=36), nullable=False),
    sa.Column('enrolled_dt', sa.DateTime(), nullable=False),
    sa.Column('enrolled_by_id', sa.Integer(), nullable=True),
    sa.Column('cohort', sa.String(length=100), nullable=False),
    sa.Column('last_item_group', sa.String(length=36), nullable=True),
    sa.Column('last_seen_dt', sa.DateTime(), nullable=True),
    sa.Column('completed_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrolled_by_id'], ['users.id'], name=op.f('fk_lms_enrolments_enrolled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lms_enrolments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_enrolments')),
    sa.UniqueConstraint('user_id', 'module_group', name='uq_lms_enrolments_user_module')
    )
    with op.batch_alter_table('lms_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_enrolments_cohort'), ['cohort'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_enrolments_module_group'), ['module_group'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_enrolments_user_id'), ['user_id'], unique=False)

    op.create_table('lms_lesson_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lesson_group', sa.String(length=36), nullable=False),
    sa.Column('first_seen_dt', sa.DateTime(), nullable=False),
    sa.Column('completed_dt', sa.DateTime(), nullable=True),
    sa.Column('seconds_spent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lms_lesson_progress_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_lesson_progress')),
    sa.UniqueConstraint('user_id', 'lesson_group', name='uq_lms_lesson_progress_user_lesson')
    )
    with op.batch_alter_table('lms_lesson_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_lesson_progress_lesson_group'), ['lesson_group'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_lesson_progress_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_lesson_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_lesson_progress_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_lesson_progress_lesson_group'))

    op.drop_table('lms_lesson_progress')
    with op.batch_alter_table('lms_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_enrolments_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_enrolments_module_group'))
        batch_op.drop_index(batch_op.f('ix_lms_enrolments_cohort'))

    op.drop_table('lms_enrolments')
    op.drop_table('lms_module_prerequisites')
    op.drop_table('lms_module_settings')
