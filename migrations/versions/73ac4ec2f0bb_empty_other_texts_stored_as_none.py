"""empty other texts stored as none

"Other" ticked and left unspecified was stored with an empty text, which pages listed as a
blank answer; it is now stored without a text (evalapp/respond/answers.py).

Revision ID: 73ac4ec2f0bb
Revises: f22ae79b627a
Create Date: 2026-11-25 20:30:14.484735

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '73ac4ec2f0bb'
down_revision = 'f22ae79b627a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE answers SET text_value = NULL WHERE text_value = ''")


def downgrade():
    pass  # nothing to restore: an empty text and no text mean the same
