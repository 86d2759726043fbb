"""invitations keep the address they are sent to

Emails and the links for a mail merge read the invitation's address, no longer the
directory's: an organiser who edits the shared directory cannot send the link of a round
they cannot see to another address. Existing invitations start with their authority's
current address, which is where they were being sent.

Revision ID: 5d2bea95d17a
Revises: 2f6012ca75a3
Create Date: 2026-11-26 13:06:34.998930

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2bea95d17a'
down_revision = '2f6012ca75a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    op.execute("UPDATE invitations SET email = "
               "(SELECT authorities.email FROM authorities WHERE authorities.id = invitations.authority_id)")


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('email')
