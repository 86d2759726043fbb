"""round report options and partnership reports shared

The round's report carries the organisers' own introduction and conclusion (French and English),
the detail sections they leave out and whether the selected stories show their authority. A round
may also let both authorities of a partnership read the partnership's report through their links,
with or without each side's free-text answers.

Revision ID: e1a06bae6796
Revises: aec2d2207ab6
Create Date: 2026-11-26 22:50:58.604655

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e1a06bae6796'
down_revision = 'aec2d2207ab6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.add_column(sa.Column('partnership_reports_shared', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('texts_shared', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('report_intro', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('report_conclusion', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('report_left_out', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('report_stories_anonymous', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.drop_column('report_stories_anonymous')
        batch_op.drop_column('report_left_out')
        batch_op.drop_column('report_conclusion')
        batch_op.drop_column('report_intro')
        batch_op.drop_column('texts_shared')
        batch_op.drop_column('partnership_reports_shared')
