"""quizzes: settings, draws per category, attempts and the questions they asked

Revision ID: ebb3c4004001
Revises: bc2600f42b55
Create Date: 2026-11-30 00:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ebb3c4004001'
down_revision = 'bc2600f42b55'
branch_labels = None
# Draws refer to bank categories, attempt questions to question versions.
depends_on = None


def upgrade():
    op.create_table('lms_quiz_settings',
    sa.Column('quiz_group', sa.String(length=36), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_answers', sa.Boolean(), nullable=False),
    sa.Column('attempt_limit', sa.Integer(), nullable=True),
    sa.Column('wait_minutes', sa.Integer(), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
    sa.Column('pass_percent', sa.Integer(), nullable=False),
    sa.Column('grading_method', sa.String(length=10), nullable=False),
    sa.Column('review_score', sa.Boolean(), nullable=False),
    sa.Column('review_correctness', sa.Boolean(), nullable=False),
    sa.Column('review_answers', sa.Boolean(), nullable=False),
    sa.Column('review_feedback', sa.Boolean(), nullable=False),
    sa.Column('review_when', sa.String(length=20), nullable=False),
    sa.Column('is_exam', sa.Boolean(), nullable=False),
    sa.Column('close_dt', sa.DateTime(), nullable=True),
    sa.Column('updated_dt', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('quiz_group', name=op.f('pk_lms_quiz_settings'))
    )
    op.create_table('lms_quiz_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_group', sa.String(length=36), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['lms_question_categories.id'], name=op.f('fk_lms_quiz_draws_category_id_lms_question_categories')),
    sa.ForeignKeyConstraint(['quiz_group'], ['lms_quiz_settings.quiz_group'], name=op.f('fk_lms_quiz_draws_quiz_group_lms_quiz_settings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_quiz_draws')),
    sa.UniqueConstraint('quiz_group', 'category_id', name='uq_lms_quiz_draws_quiz_category')
    )
    with op.batch_alter_table('lms_quiz_draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_quiz_draws_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_quiz_draws_quiz_group'), ['quiz_group'], unique=False)

    op.create_table('lms_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_group', sa.String(length=36), nullable=False),
    sa.Column('quiz_item_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('started_dt', sa.DateTime(), nullable=False),
    sa.Column('deadline_dt', sa.DateTime(), nullable=True),
    sa.Column('submitted_dt', sa.DateTime(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['quiz_item_id'], ['content_items.id'], name=op.f('fk_lms_attempts_quiz_item_id_content_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lms_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_attempts')),
    sa.UniqueConstraint('user_id', 'quiz_group', 'number', name='uq_lms_attempts_user_quiz_number')
    )
    with op.batch_alter_table('lms_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_lms_attempts_quiz_state', ['quiz_group', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_attempts_user_id'), ['user_id'], unique=False)

    op.create_table('lms_attempt_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('response_json', sa.Text(), nullable=True),
    sa.Column('saved_dt', sa.DateTime(), nullable=True),
    sa.Column('fraction', sa.Integer(), nullable=True),
    sa.Column('mark_awarded', sa.Integer(), nullable=True),
    sa.Column('max_mark', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['lms_attempts.id'], name=op.f('fk_lms_attempt_questions_attempt_id_lms_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_version_id'], ['lms_question_versions.id'], name=op.f('fk_lms_attempt_questions_question_version_id_lms_question_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_attempt_questions')),
    sa.UniqueConstraint('attempt_id', 'slot', name='uq_lms_attempt_questions_attempt_slot')
    )
    with op.batch_alter_table('lms_attempt_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_attempt_questions_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_attempt_questions_question_version_id'), ['question_version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_attempt_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_attempt_questions_question_version_id'))
        batch_op.drop_index(batch_op.f('ix_lms_attempt_questions_attempt_id'))

    op.drop_table('lms_attempt_questions')
    with op.batch_alter_table('lms_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_attempts_user_id'))
        batch_op.drop_index('ix_lms_attempts_quiz_state')

    op.drop_table('lms_attempts')
    with op.batch_alter_table('lms_quiz_draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_quiz_draws_quiz_group'))
        batch_op.drop_index(batch_op.f('ix_lms_quiz_draws_category_id'))

    op.drop_table('lms_quiz_draws')
    op.drop_table('lms_quiz_settings')
