"""calls: at most max_live_calls live calls per agent; claims no longer grant ticket access

Revision ID: 45f8b0bd15f7
Revises: f3a8c2d4e6b1
Create Date: 2026-12-07 14:30:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '45f8b0bd15f7'
down_revision = 'f3a8c2d4e6b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('max_live_calls', sa.Integer(), nullable=False, server_default='1')
        )
    # Every "Next call" counts the agent's live calls.
    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.create_index('ix_call_orders_claimed_by', ['claimed_by_id', 'state'], unique=False)
    # The supervisors' "unusual activity" panel counts actions per actor and hour.
    # Not in batch mode: a rebuilt audit_log table would lose its append-only triggers.
    op.create_index('ix_audit_log_action_created', 'audit_log', ['action', 'created_dt'])
    # A claim's access to its ticket now lasts as long as the claim itself (derived from
    # the live call order): the stored 12-hour grants of earlier claims end now.
    ticket_access = sa.table(
        'ticket_access', sa.column('reason', sa.String), sa.column('expires_dt', sa.DateTime)
    )
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC
    op.execute(
        ticket_access.update()
        .where(ticket_access.c.reason == 'call')
        .where(sa.or_(ticket_access.c.expires_dt.is_(None), ticket_access.c.expires_dt > now))
        .values(expires_dt=now)
    )


def downgrade():
    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_call_orders_claimed_by')
    op.drop_index('ix_audit_log_action_created', table_name='audit_log')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('max_live_calls')
