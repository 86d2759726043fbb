"""api tokens

Personal tokens for the read-only JSON API under /api/v1 (evalapp/api): an organiser makes and revokes
them on their account page; only each token's SHA-256 is stored.

Revision ID: aec2d2207ab6
Revises: e5b1c7d20a94
Create Date: 2026-11-26 22:51:54.650882

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'aec2d2207ab6'
down_revision = 'e5b1c7d20a94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('revoked_at IS NULL OR revoked_at >= created_at', name=op.f('ck_api_tokens_revoked_after_made')),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_api_tokens_organiser_id_organisers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_tokens_secret_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_organiser_id'), ['organiser_id'], unique=False)



def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_organiser_id'))

    op.drop_table('api_tokens')
