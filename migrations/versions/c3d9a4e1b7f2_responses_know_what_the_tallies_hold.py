"""responses know what the tallies hold of them; rounds when they were last complete

The tallies are kept response by response now (evalapp/tallies.py): each response records what
the round's tallies hold of it, and whether that is how it is now. The tallies counted before
knew nothing of that, so they are emptied and every response starts not current: until the
catch-up has counted them (`flask --app evalapp tallies catch-up`, a few seconds per 10,000
responses), the dashboards say how many responses their figures leave out. The theme indices
(response_scores) are computed again as responses are counted.

Revision ID: c3d9a4e1b7f2
Revises: 4ba3edb16074
Create Date: 2026-11-27 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d9a4e1b7f2'
down_revision = '4ba3edb16074'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM answer_tallies")
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counts_current', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('counted_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('counted_kind', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('counted_country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('counted_region', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('counted_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_responses_counted_status_known'), "counted_status IN ('not_started', 'in_progress', 'submitted', 'withdrawn')")
        batch_op.create_check_constraint(
            batch_op.f('ck_responses_counted_with_facets'), "counted_status IS NULL OR (counted_kind IS NOT NULL AND counted_country IS NOT NULL "
            "AND counted_region IS NOT NULL)")
        batch_op.create_check_constraint(batch_op.f('ck_responses_counted_on_when_submitted'), "counted_on IS NULL OR counted_status = 'submitted'")
        batch_op.create_check_constraint(batch_op.f('ck_responses_current_when_counted'), "NOT counts_current OR counted_status IS NOT NULL")
        batch_op.create_index('ix_responses_not_counted', ['invitation_id'], unique=False,
                              postgresql_where=sa.text('NOT counts_current'), sqlite_where=sa.text('NOT counts_current'))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted_at', sa.DateTime(), nullable=True))
        batch_op.drop_column('results_stamp')


def downgrade():
    # The stamp NULL: the previous version counts each round's tallies again on its first view.
    op.execute("DELETE FROM answer_tallies")
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_stamp', sa.String(length=120), nullable=True))
        batch_op.drop_column('counted_at')

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_not_counted', postgresql_where=sa.text('NOT counts_current'),
                            sqlite_where=sa.text('NOT counts_current'))
        batch_op.drop_constraint(batch_op.f('ck_responses_current_when_counted'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_responses_counted_on_when_submitted'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_responses_counted_with_facets'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_responses_counted_status_known'), type_='check')
        batch_op.drop_column('counted_on')
        batch_op.drop_column('counted_region')
        batch_op.drop_column('counted_country')
        batch_op.drop_column('counted_kind')
        batch_op.drop_column('counted_status')
        batch_op.drop_column('counts_current')
