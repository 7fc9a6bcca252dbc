"""conciliation-board rulings per function and plan revisions (de-betrvg)

BetrVG §87(2): where employer and works council do not agree on a monitoring-capable function, the
conciliation board's ruling replaces their agreement; one ruling per function of a round. The employer may
instead withdraw the function, or change it substantially (which reopens its consent): each is a new version
of the plan, numbered from 2 (the plan as opened is version 1). New tables only: no other table changes.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 20:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import consult.db

revision: str = '0015'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'conciliation_rulings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('function', sa.String(length=40), nullable=False),
        sa.Column('ruling', sa.Enum('permits', 'permits_with_conditions', 'forbids', name='conciliation_ruling',
                                    native_enum=False, length=30, create_constraint=True), nullable=False),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.Column('reference', sa.String(length=200), nullable=False),
        sa.Column('ruled_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_conciliation_rulings_round_id_rounds')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_conciliation_rulings_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conciliation_rulings')),
        sa.UniqueConstraint('round_id', 'function', name=op.f('uq_conciliation_rulings_round_id_function')),
    )
    op.create_index(op.f('ix_conciliation_rulings_round_id'), 'conciliation_rulings', ['round_id'], unique=False)
    op.create_table(
        'plan_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('withdrawn', 'changed', name='revision_kind', native_enum=False, length=30,
                                  create_constraint=True), nullable=False),
        sa.Column('function', sa.String(length=40), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('revised_by_id', sa.Integer(), nullable=False),
        sa.Column('revised_at', consult.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_plan_revisions_round_id_rounds')),
        sa.ForeignKeyConstraint(['revised_by_id'], ['users.id'], name=op.f('fk_plan_revisions_revised_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_revisions')),
        sa.UniqueConstraint('round_id', 'version', name=op.f('uq_plan_revisions_round_id_version')),
    )
    op.create_index(op.f('ix_plan_revisions_round_id'), 'plan_revisions', ['round_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_plan_revisions_round_id'), table_name='plan_revisions')
    op.drop_table('plan_revisions')
    op.drop_index(op.f('ix_conciliation_rulings_round_id'), table_name='conciliation_rulings')
    op.drop_table('conciliation_rulings')
