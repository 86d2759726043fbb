"""import jobs in the directory history: what a retried import job wrote already

Revision ID: 7c3e9a1d5b20
Revises: 241ed207bd6b
Create Date: 2026-11-26 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1d5b20'
down_revision = '241ed207bd6b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('directory_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_directory_changes_job_id'), ['job_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_directory_changes_job_id_jobs'), 'jobs', ['job_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('directory_changes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_directory_changes_job_id_jobs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_directory_changes_job_id'))
        batch_op.drop_column('job_id')
