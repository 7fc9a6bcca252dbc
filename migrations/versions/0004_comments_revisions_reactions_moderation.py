"""comments: revisions, reactions, moderation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:02:02.027091
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('comment_reactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('constituency', sa.Enum('workers', 'employers', 'government', 'secretariat', 'observers', name='constituency', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('kind', sa.Enum('agree', 'disagree', 'question', name='reaction', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('reacted_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_reactions_comment_id_comments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_comment_reactions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_reactions')),
    sa.UniqueConstraint('comment_id', 'user_id', name=op.f('uq_comment_reactions_comment_id_user_id'))
    )
    with op.batch_alter_table('comment_reactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_reactions_comment_id'), ['comment_id'], unique=False)

    op.create_table('comment_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('written_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_revisions_comment_id_comments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_revisions'))
    )
    with op.batch_alter_table('comment_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_revisions_comment_id'), ['comment_id'], unique=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hidden_at', consult.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_comments_hidden_by_id_users'), 'users', ['hidden_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comments_hidden_by_id_users'), type_='foreignkey')
        batch_op.drop_column('hidden_at')
        batch_op.drop_column('hidden_by_id')

    with op.batch_alter_table('comment_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_revisions_comment_id'))

    op.drop_table('comment_revisions')
    with op.batch_alter_table('comment_reactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_reactions_comment_id'))

    op.drop_table('comment_reactions')
