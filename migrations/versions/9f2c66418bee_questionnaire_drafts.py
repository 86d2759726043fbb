"""questionnaire drafts, their saves, versions withdrawn

Organisers write questionnaires in the browser: a draft keeps every save (who, when, the whole
definition document). A version withdrawn from new rounds is recorded beside it, in a table of its
own: the version's row never changes once stored.

Revision ID: 9f2c66418bee
Revises: e1a06bae6796
Create Date: 2026-11-26 23:00:00.010380

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9f2c66418bee'
down_revision = 'e1a06bae6796'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questionnaire_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['based_on_id'], ['questionnaire_versions.id'], name=op.f('fk_questionnaire_drafts_based_on_id_questionnaire_versions')),
    sa.ForeignKeyConstraint(['created_by_id'], ['organisers.id'], name=op.f('fk_questionnaire_drafts_created_by_id_organisers')),
    sa.ForeignKeyConstraint(['published_version_id'], ['questionnaire_versions.id'], name=op.f('fk_questionnaire_drafts_published_version_id_questionnaire_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_drafts')),
    sa.UniqueConstraint('published_version_id', name=op.f('uq_questionnaire_drafts_published_version_id'))
    )
    op.create_table('version_withdrawals',
    sa.Column('questionnaire_version_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_version_id'], ['questionnaire_versions.id'], name=op.f('fk_version_withdrawals_questionnaire_version_id_questionnaire_versions')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['organisers.id'], name=op.f('fk_version_withdrawals_withdrawn_by_id_organisers')),
    sa.PrimaryKeyConstraint('questionnaire_version_id', name=op.f('pk_version_withdrawals'))
    )
    op.create_table('draft_saves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_draft_saves_draft_save_number_positive')),
    sa.ForeignKeyConstraint(['draft_id'], ['questionnaire_drafts.id'], name=op.f('fk_draft_saves_draft_id_questionnaire_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['organisers.id'], name=op.f('fk_draft_saves_saved_by_id_organisers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_saves')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_draft_saves_draft_id_number'))
    )


def downgrade():
    op.drop_table('draft_saves')
    op.drop_table('version_withdrawals')
    op.drop_table('questionnaire_drafts')
