"""progress changes: one row per learner, rewritten by triggers on enrolments and progress

Revision ID: 5b7e9d1c3a20
Revises: f24eb8252dff
Create Date: 2026-12-07 23:00:00.000000

Written by hand: the triggers are dialect-specific and autogenerate does not see them.
Every INSERT, UPDATE or DELETE of a row of lms_enrolments or lms_lesson_progress (the ORM,
Core statements, the retention purge, cascades from a deleted account) stamps the
learner's row in lms_progress_changes; processes keeping learners' progress read the rows
stamped since their last look (lms.courses.kept_progress, docs/decisions.md).

SQLite: a later migration that rebuilds lms_enrolments or lms_lesson_progress in batch
mode drops their triggers; it must create them again (tests/lms/test_kept_progress.py
fails if not).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b7e9d1c3a20'
down_revision = 'f24eb8252dff'
branch_labels = None
depends_on = None

TABLES = ('lms_enrolments', 'lms_lesson_progress')

# PostgreSQL: the stamp is the writer's transaction id (processes read the stamps at or
# above the oldest transaction still running: every earlier one has ended).
POSTGRES_FUNCTION = """
CREATE FUNCTION lms_progress_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    learner integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
BEGIN
    INSERT INTO lms_progress_changes (user_id, stamp)
    VALUES (learner, pg_current_xact_id()::text::bigint)
    ON CONFLICT (user_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END
$$
"""

# SQLite: writers take turns, so one more than the highest stamp is in commit order.
SQLITE_STAMP = """
    INSERT OR REPLACE INTO lms_progress_changes (user_id, stamp)
    VALUES ({row}.user_id, (SELECT coalesce(max(stamp), 0) + 1 FROM lms_progress_changes));
"""


def upgrade():
    op.create_table('lms_progress_changes',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stamp', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_lms_progress_changes'))
    )
    with op.batch_alter_table('lms_progress_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_progress_changes_stamp'), ['stamp'], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
    for table in TABLES:
        if dialect == 'postgresql':
            op.execute(
                f'CREATE TRIGGER {table}_progress_changed AFTER INSERT OR UPDATE OR DELETE '
                f'ON {table} FOR EACH ROW EXECUTE FUNCTION lms_progress_changed()'
            )
        elif dialect == 'sqlite':
            for operation, row in (('INSERT', 'NEW'), ('UPDATE', 'NEW'), ('DELETE', 'OLD')):
                op.execute(
                    f'CREATE TRIGGER {table}_progress_{operation.lower()} AFTER {operation} '
                    f'ON {table}\nBEGIN{SQLITE_STAMP.format(row=row)}END'
                )


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == 'postgresql':
            op.execute(f'DROP TRIGGER {table}_progress_changed ON {table}')
        elif dialect == 'sqlite':
            for operation in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER {table}_progress_{operation}')
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION lms_progress_changed()')
    with op.batch_alter_table('lms_progress_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_progress_changes_stamp'))
    op.drop_table('lms_progress_changes')
