"""question bank: categories, questions per language, immutable versions

Revision ID: bc2600f42b55
Revises: 378f6efdb94f
Create Date: 2026-11-30 00:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'bc2600f42b55'
down_revision = '378f6efdb94f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_question_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['lms_question_categories.id'], name=op.f('fk_lms_question_categories_parent_id_lms_question_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_question_categories'))
    )
    with op.batch_alter_table('lms_question_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_question_categories_parent_id'), ['parent_id'], unique=False)

    op.create_table('lms_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('translation_group', sa.String(length=36), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('retired_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['lms_question_categories.id'], name=op.f('fk_lms_questions_category_id_lms_question_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_questions')),
    sa.UniqueConstraint('translation_group', 'language', name='uq_lms_questions_group_language')
    )
    with op.batch_alter_table('lms_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_questions_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_questions_translation_group'), ['translation_group'], unique=False)

    op.create_table('lms_question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('spec_json', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_lms_question_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['lms_questions.id'], name=op.f('fk_lms_question_versions_question_id_lms_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_question_versions')),
    sa.UniqueConstraint('question_id', 'number', name='uq_lms_question_versions_question_number')
    )
    with op.batch_alter_table('lms_question_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_question_versions_question_id'), ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_question_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_question_versions_question_id'))

    op.drop_table('lms_question_versions')
    with op.batch_alter_table('lms_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_questions_translation_group'))
        batch_op.drop_index(batch_op.f('ix_lms_questions_category_id'))

    op.drop_table('lms_questions')
    with op.batch_alter_table('lms_question_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_question_categories_parent_id'))

    op.drop_table('lms_question_categories')
