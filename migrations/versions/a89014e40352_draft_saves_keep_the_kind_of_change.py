"""draft saves keep the kind of change

The history of a draft words each save in the reader's language: a save keeps the kind of change
and the values it names; its English summary stays, and is what the history shows for the saves
made before.

Revision ID: a89014e40352
Revises: 9f2c66418bee
Create Date: 2026-11-27 02:12:47.866829

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a89014e40352'
down_revision = '9f2c66418bee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('draft_saves', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('change_params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('draft_saves', schema=None) as batch_op:
        batch_op.drop_column('change_params')
        batch_op.drop_column('change')
