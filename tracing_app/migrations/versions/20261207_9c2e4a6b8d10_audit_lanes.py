"""audit log: lanes, so concurrent writers append without waiting on each other

Revision ID: 9c2e4a6b8d10
Revises: dfb26437eb32
Create Date: 2026-12-07 15:30:00.000000

Written by hand, not in batch mode: a rebuilt audit_log table would lose its append-only
triggers. Existing entries are lane 0, the chain they already form. See docs/audit-log.md.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c2e4a6b8d10'
down_revision = 'dfb26437eb32'
branch_labels = None
depends_on = None

# SQLite: the update trigger names every column an UPDATE must leave alone; lane too now.
SQLITE_NO_UPDATE = """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    NEW.actor_id IS NULL
    AND NEW.id IS OLD.id AND NEW.created_dt IS OLD.created_dt
    AND NEW.actor_label IS OLD.actor_label AND NEW.action IS OLD.action
    AND NEW.subject_type IS OLD.subject_type AND NEW.subject_id IS OLD.subject_id
    AND NEW.reason IS OLD.reason AND NEW.details IS OLD.details
    AND NEW.previous_hash IS OLD.previous_hash AND NEW.entry_hash IS OLD.entry_hash
    AND NEW.lane IS OLD.lane
)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END
"""

SQLITE_NO_UPDATE_BEFORE = """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    NEW.actor_id IS NULL
    AND NEW.id IS OLD.id AND NEW.created_dt IS OLD.created_dt
    AND NEW.actor_label IS OLD.actor_label AND NEW.action IS OLD.action
    AND NEW.subject_type IS OLD.subject_type AND NEW.subject_id IS OLD.subject_id
    AND NEW.reason IS OLD.reason AND NEW.details IS OLD.details
    AND NEW.previous_hash IS OLD.previous_hash AND NEW.entry_hash IS OLD.entry_hash
)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END
"""


def upgrade():
    # PostgreSQL's trigger compares whole rows (to_jsonb): it covers the new column as is.
    op.add_column(
        'audit_log', sa.Column('lane', sa.Integer(), nullable=False, server_default='0')
    )
    op.create_index('ix_audit_log_lane_id', 'audit_log', ['lane', 'id'])
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER audit_log_no_update')
        op.execute(SQLITE_NO_UPDATE)


def downgrade():
    # Only a log written by one lane links up again as one chain: run on such a log.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER audit_log_no_update')
        op.execute(SQLITE_NO_UPDATE_BEFORE)
    op.drop_index('ix_audit_log_lane_id', table_name='audit_log')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite 3.35+ drops a column in place (no rebuild, the triggers stay).
        op.execute('ALTER TABLE audit_log DROP COLUMN lane')
    else:
        op.drop_column('audit_log', 'lane')
