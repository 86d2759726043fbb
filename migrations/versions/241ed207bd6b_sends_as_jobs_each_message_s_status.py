"""sends as jobs: each message's status, send and Message-ID

Messages recorded before this revision keep their result: ``ok`` becomes ``sent``, not ok ``failed``.

Revision ID: 241ed207bd6b
Revises: c3d9a4e1b7f2
Create Date: 2026-11-26 14:18:38.049158

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '241ed207bd6b'
down_revision = 'c3d9a4e1b7f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('message_id', sa.String(length=250), nullable=True))
    op.execute("UPDATE invitation_emails SET status = CASE WHEN ok THEN 'sent' ELSE 'failed' END")
    with op.batch_alter_table('invitation_emails', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=10), nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_invitation_emails_status_known'),
                                         "status IN ('sending', 'sent', 'failed', 'unknown')")
        batch_op.create_index('ix_invitation_emails_job_id_invitation_id', ['job_id', 'invitation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_invitation_emails_job_id_jobs'), 'jobs', ['job_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_column('ok')


def downgrade():
    with op.batch_alter_table('invitation_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ok', sa.BOOLEAN(), nullable=True))
    # A message whose outcome is unknown may have been delivered: it counts as sent, as the sends did.
    op.execute("UPDATE invitation_emails SET ok = (status <> 'failed')")
    with op.batch_alter_table('invitation_emails', schema=None) as batch_op:
        batch_op.alter_column('ok', existing_type=sa.BOOLEAN(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_invitation_emails_job_id_jobs'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_invitation_emails_status_known'), type_='check')
        batch_op.drop_index('ix_invitation_emails_job_id_invitation_id')
        batch_op.drop_column('message_id')
        batch_op.drop_column('job_id')
        batch_op.drop_column('status')
