"""exchange feed: change rows written by triggers, one per record and transaction

Revision ID: c4d2e8f1a6b3
Revises: 9c2e4a6b8d10
Create Date: 2026-12-07 20:00:00.000000

Written by hand: the triggers are dialect-specific and autogenerate does not see them.
Each of tickets, call_attempts and form_responses gets a row trigger on INSERT and on an
UPDATE OF every column but the tokens key rotation re-encrypts and the links the database
sets to NULL (tracing_app.exchange.changes.NOT_A_SAVE; a test checks the two agree).
Until now a session hook wrote the rows (one more statement per flush); Core updates
(the retention purge) wrote their own. See docs/exchange.md.

SQLite: a later migration that rebuilds one of these tables in batch mode drops its
triggers; it must create them again (tests/tracing_app/test_exchange_feed.py fails if not).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d2e8f1a6b3'
down_revision = '9c2e4a6b8d10'
branch_labels = None
depends_on = None

#: table -> (kind, the columns whose UPDATE is a save)
SAVES = {
    'tickets': ('ticket', [
        'reference', 'status', 'language', 'source', 'version', 'created_dt', 'updated_dt',
        'closed_dt', 'purged_dt',
    ]),
    'call_attempts': ('attempt', [
        'order_id', 'outcome', 'started_dt', 'ended_dt', 'callback_dt', 'callback_anyone',
        'ring_seconds', 'talk_seconds',
    ]),
    'form_responses': ('form', [
        'script_version_id', 'language', 'state', 'revision', 'created_dt', 'updated_dt',
        'completed_dt',
    ]),
}

# PostgreSQL: one row per record and transaction; the unique index is the arbiter.
# now() is the transaction's start, as naive UTC like every datetime column here.
POSTGRES_FUNCTION = """
CREATE FUNCTION exchange_feed_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exchange_changes (txid, kind, subject_id, changed_dt)
    VALUES (pg_current_xact_id()::text::bigint, TG_ARGV[0], NEW.id, now() AT TIME ZONE 'UTC')
    ON CONFLICT (txid, kind, subject_id) WHERE txid <> 0 DO NOTHING;
    RETURN NULL;
END
$$
"""

# SQLite: no transaction id (txid 0, ids are in commit order); 'now' is UTC, written with
# microseconds as SQLAlchemy writes datetimes.
SQLITE_INSERT_ROW = """
    INSERT INTO exchange_changes (txid, kind, subject_id, changed_dt)
    VALUES (0, '{kind}', NEW.id, strftime('%Y-%m-%d %H:%M:%f000', 'now'));
"""


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        # The hook wrote one row per record and transaction; should a copy exist anyway,
        # the first stays: both stand for the same save, and it sorts first.
        op.execute(
            'DELETE FROM exchange_changes later USING exchange_changes first '
            'WHERE later.txid = first.txid AND later.kind = first.kind '
            'AND later.subject_id = first.subject_id AND later.id > first.id '
            'AND later.txid <> 0'
        )
    with op.batch_alter_table('exchange_changes', schema=None) as batch_op:
        batch_op.create_index(
            'uq_exchange_changes_once', ['txid', 'kind', 'subject_id'], unique=True,
            postgresql_where=sa.text('txid <> 0'), sqlite_where=sa.text('txid <> 0'),
        )
    if dialect == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
    for table, (kind, columns) in SAVES.items():
        if dialect == 'postgresql':
            op.execute(
                f'CREATE TRIGGER {table}_exchange_feed AFTER INSERT OR UPDATE OF '
                f'{", ".join(columns)} ON {table} '
                f"FOR EACH ROW EXECUTE FUNCTION exchange_feed_change('{kind}')"
            )
        elif dialect == 'sqlite':
            row = SQLITE_INSERT_ROW.format(kind=kind)
            op.execute(
                f'CREATE TRIGGER {table}_exchange_feed_insert AFTER INSERT ON {table}\n'
                f'BEGIN{row}END'
            )
            op.execute(
                f'CREATE TRIGGER {table}_exchange_feed_update AFTER UPDATE OF '
                f'{", ".join(columns)} ON {table}\nBEGIN{row}END'
            )


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in SAVES:
        if dialect == 'postgresql':
            op.execute(f'DROP TRIGGER {table}_exchange_feed ON {table}')
        elif dialect == 'sqlite':
            op.execute(f'DROP TRIGGER {table}_exchange_feed_insert')
            op.execute(f'DROP TRIGGER {table}_exchange_feed_update')
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION exchange_feed_change()')
    with op.batch_alter_table('exchange_changes', schema=None) as batch_op:
        batch_op.drop_index('uq_exchange_changes_once')
