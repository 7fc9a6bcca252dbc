"""round visits: how far each person has read each round (the "new since your last visit" markers)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'round_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('seen_comment_id', sa.Integer(), nullable=False),
        sa.Column('visited_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_visits_round_id_rounds')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_round_visits_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_round_visits')),
        sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_round_visits_round_id_user_id')),
    )


def downgrade() -> None:
    op.drop_table('round_visits')
