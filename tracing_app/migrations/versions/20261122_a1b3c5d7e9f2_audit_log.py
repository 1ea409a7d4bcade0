"""audit log (append-only, hash chain)

Revision ID: a1b3c5d7e9f2
Revises: 5c1a7e3d2b90
Create Date: 2026-11-22 12:00:00.000000

Written by hand: the triggers that make audit_log append-only are dialect-specific and
autogenerate does not see them. See docs/audit-log.md.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1b3c5d7e9f2'
down_revision = '5c1a7e3d2b90'
branch_labels = None
depends_on = None

# PostgreSQL: one function for UPDATE, DELETE (rows) and TRUNCATE (statement). A
# transaction that ran SET LOCAL tracing.audit_maintenance = 'on' may change rows; the
# only other change allowed is ON DELETE SET NULL of actor_id when an account is deleted.
POSTGRES_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tracing.audit_maintenance', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
            AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$
"""

# SQLite: the maintenance mode drops and re-creates these inside one transaction
# (tracing_app.audit.operations.maintenance), reading them back from sqlite_master.
SQLITE_TRIGGERS = [
    """
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END
""",
    """
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
""",
]


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=64), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_log_entry_hash')),
    sa.UniqueConstraint('previous_hash', name=op.f('uq_audit_log_previous_hash'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_log_subject', ['subject_type', 'subject_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            'CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log '
            'FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()'
        )
        op.execute(
            'CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log '
            'FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()'
        )
    elif op.get_bind().dialect.name == 'sqlite':
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_log_no_truncate ON audit_log')
        op.execute('DROP TRIGGER audit_log_append_only ON audit_log')
        op.execute('DROP FUNCTION audit_log_append_only()')
    elif op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER audit_log_no_update')
        op.execute('DROP TRIGGER audit_log_no_delete')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_subject')
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
