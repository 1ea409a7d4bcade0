"""practice: scenarios and learners' practice calls (tables of their own, never real data)

Revision ID: 86cd80f037f9
Revises: 6f4786847076
Create Date: 2026-12-07 15:09:27.339266

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '86cd80f037f9'
down_revision = '6f4786847076'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_scenarios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('script_form_id', sa.String(length=100), nullable=False),
    sa.Column('definition_json', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_scenarios')),
    sa.UniqueConstraint('code', name=op.f('uq_practice_scenarios_code'))
    )
    op.create_table('practice_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('script_version_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('answers_enc', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('checks_json', sa.Text(), nullable=False),
    sa.Column('completed_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['practice_scenarios.id'], name=op.f('fk_practice_calls_scenario_id_practice_scenarios'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['script_version_id'], ['script_versions.id'], name=op.f('fk_practice_calls_script_version_id_script_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_practice_calls_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_calls'))
    )
    with op.batch_alter_table('practice_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_calls_scenario_id'), ['scenario_id'], unique=False)
        batch_op.create_index('ix_practice_calls_user_scenario', ['user_id', 'scenario_id'], unique=False)



def downgrade():
    with op.batch_alter_table('practice_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_calls_user_scenario')
        batch_op.drop_index(batch_op.f('ix_practice_calls_scenario_id'))

    op.drop_table('practice_calls')
    op.drop_table('practice_scenarios')
