"""directory history

Who created, imported or changed which field of an authority or a partnership, and when
(evalapp/directory/history.py). The history starts with this migration: what was in the
directory before has no record.

Revision ID: dfc4ab2867d5
Revises: 5d2bea95d17a
Create Date: 2026-11-26 13:08:20.779196

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dfc4ab2867d5'
down_revision = '5d2bea95d17a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directory_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('authority_id', sa.Integer(), nullable=True),
    sa.Column('partnership_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.CheckConstraint("action IN ('created', 'imported', 'changed')", name=op.f('ck_directory_changes_action_known')),
    sa.CheckConstraint('(authority_id IS NULL) <> (partnership_id IS NULL)', name=op.f('ck_directory_changes_one_subject')),
    sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_directory_changes_authority_id_authorities')),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_directory_changes_organiser_id_organisers')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_directory_changes_partnership_id_partnerships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_changes'))
    )
    with op.batch_alter_table('directory_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_changes_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_changes_partnership_id'), ['partnership_id'], unique=False)


def downgrade():
    with op.batch_alter_table('directory_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_changes_partnership_id'))
        batch_op.drop_index(batch_op.f('ix_directory_changes_authority_id'))

    op.drop_table('directory_changes')
