"""lms branch: the learning plugin's migrations start here

Revision ID: 1a2b3c4d5e6f
Revises:
Create Date: 2026-11-30 00:15:00

"""

# revision identifiers, used by Alembic.
revision = '1a2b3c4d5e6f'
down_revision = None
branch_labels = ('lms',)
# Its tables refer to users and content items: the core's migrations come first.
depends_on = ('9a8b7c6d5e4f',)


def upgrade():
    pass


def downgrade():
    pass
