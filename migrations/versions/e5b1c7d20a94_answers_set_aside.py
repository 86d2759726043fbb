"""answers set aside when their item is not asked

An item may now be asked only when earlier answers meet a condition (questionnaires/conditions.py).
An answer whose item stops being asked is kept, marked set aside, and left out of every figure
and export; it comes back if the respondent changes the earlier answer back.

Revision ID: e5b1c7d20a94
Revises: 7c3e9a1d5b20
Create Date: 2026-11-26 17:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b1c7d20a94'
down_revision = '7c3e9a1d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('answers', sa.Column('set_aside', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('answers') as batch_op:
        batch_op.drop_column('set_aside')
