"""call lists: campaign settings, outcomes and attempts, callbacks

Revision ID: 7f670757769a
Revises: 604e88730a91
Create Date: 2026-11-30 00:15:00.000000

Written by hand (several features add tables at once). Server defaults fill the new
NOT NULL columns of existing rows only; the models set the values of new rows.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7f670757769a'
down_revision = '604e88730a91'
branch_labels = None
depends_on = None

DEFAULT_RULES = '{"no_answer": 120, "busy": 15, "wrong_number": null}'


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('script_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retry_rules_json', sa.Text(), nullable=False, server_default=DEFAULT_RULES))
        batch_op.add_column(sa.Column('callback_grace_minutes', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('receives_contacts', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_campaigns_script_id_scripts'), 'scripts', ['script_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.alter_column('retry_rules_json', server_default=None)
        batch_op.alter_column('callback_grace_minutes', server_default=None)
        batch_op.alter_column('receives_contacts', server_default=None)

    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_priority', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('claimed_dt', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reserved_for_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reserved_until_dt', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_outcome', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('closed_dt', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_call_orders_reserved_for_id_users'), 'users', ['reserved_for_id'], ['id'], ondelete='SET NULL')
    op.execute(
        'UPDATE call_orders SET campaign_priority = '
        '(SELECT priority FROM campaigns WHERE campaigns.id = call_orders.campaign_id)'
    )
    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.alter_column('campaign_priority', server_default=None)

    op.create_table('call_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('note_enc', sa.Text(), nullable=True),
    sa.Column('started_dt', sa.DateTime(), nullable=False),
    sa.Column('ended_dt', sa.DateTime(), nullable=False),
    sa.Column('callback_dt', sa.DateTime(), nullable=True),
    sa.Column('callback_anyone', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_call_attempts_agent_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['call_orders.id'], name=op.f('fk_call_attempts_order_id_call_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_attempts'))
    )
    with op.batch_alter_table('call_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_call_attempts_ended_dt', ['ended_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_attempts_order_id'), ['order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_attempts_order_id'))
        batch_op.drop_index('ix_call_attempts_ended_dt')
    op.drop_table('call_attempts')

    with op.batch_alter_table('call_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_call_orders_reserved_for_id_users'), type_='foreignkey')
        batch_op.drop_column('closed_dt')
        batch_op.drop_column('last_outcome')
        batch_op.drop_column('reserved_until_dt')
        batch_op.drop_column('reserved_for_id')
        batch_op.drop_column('claimed_dt')
        batch_op.drop_column('campaign_priority')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaigns_script_id_scripts'), type_='foreignkey')
        batch_op.drop_column('receives_contacts')
        batch_op.drop_column('callback_grace_minutes')
        batch_op.drop_column('retry_rules_json')
        batch_op.drop_column('script_id')
