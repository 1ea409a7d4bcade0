"""job runs: the record of periodic jobs, unique per job and period

Revision ID: c4f1d2a9e803
Revises: 9a8b7c6d5e4f
Create Date: 2026-12-07 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f1d2a9e803'
down_revision = '9a8b7c6d5e4f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_name', sa.String(length=80), nullable=False),
    sa.Column('period_start_dt', sa.DateTime(), nullable=False),
    sa.Column('started_dt', sa.DateTime(), nullable=False),
    sa.Column('finished_dt', sa.DateTime(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('runner', sa.String(length=120), nullable=False),
    sa.Column('result', sa.String(length=200), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job_name', 'period_start_dt', name=op.f('uq_job_runs_job_name'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_name_started_dt', ['job_name', 'started_dt'], unique=False)


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_name_started_dt')

    op.drop_table('job_runs')
