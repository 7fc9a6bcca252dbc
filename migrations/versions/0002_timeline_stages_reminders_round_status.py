"""timeline: stages, reminders, round status

Every stage's planned start and deadline, reminders already sent, and the round's clock status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:44:35.535437
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('round_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('offset_seconds', sa.Integer(), nullable=False),
    sa.Column('sent_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_reminders_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_reminders')),
    sa.UniqueConstraint('round_id', 'stage', 'offset_seconds', name=op.f('uq_round_reminders_round_id_stage_offset_seconds'))
    )
    op.create_table('round_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('starts_at', consult.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('entered_at', consult.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_stages_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_stages')),
    sa.UniqueConstraint('round_id', 'key', name=op.f('uq_round_stages_round_id_key'))
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('status_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('paused_at', consult.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('wake_at', consult.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stage_lengths', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.create_index(batch_op.f('ix_rounds_wake_at'), ['wake_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rounds_wake_at'))
        batch_op.drop_column('stage_lengths')
        batch_op.drop_column('wake_at')
        batch_op.drop_column('paused_at')
        batch_op.drop_column('status_reason')
        batch_op.drop_column('status')

    op.drop_table('round_stages')
    op.drop_table('round_reminders')
