"""an expert's term (end date, end decided, how it ended) and the steps of the expert's legal calendar

An appointment used to last as long as the person's account: there was no way to end it, and reactivating a
deactivated expert gave them their access back. It now carries its end date and, once ended, when, how and
why; `expert_steps` records the steps of the expert's calendar (Code du travail R2315-45 to R2315-49) and the
employer's agreement a BetrVG §80(3) expert needs. Existing appointments keep no end date; those of concluded
rounds are ended by the conclusion, which the access check reads from the round itself.

Revision ID: 0017
Revises: 0018
Create Date: 2026-12-06 20:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0017'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('experts', sa.Column('ends_on', sa.Date(), nullable=True))
    op.add_column('experts', sa.Column('ends_at', consult.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('experts', sa.Column('ended_at', consult.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('experts', sa.Column('ended_how', sa.String(length=20), nullable=True))
    op.add_column('experts', sa.Column('end_reason', sa.Text(), nullable=True))
    op.create_table(
        'expert_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('expert_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=40), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_steps_expert_id_experts')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_expert_steps_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_steps')),
    )
    op.create_index(op.f('ix_expert_steps_expert_id'), 'expert_steps', ['expert_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_expert_steps_expert_id'), table_name='expert_steps')
    op.drop_table('expert_steps')
    with op.batch_alter_table('experts') as batch:
        for column in ('end_reason', 'ended_how', 'ended_at', 'ends_at', 'ends_on'):
            batch.drop_column(column)
